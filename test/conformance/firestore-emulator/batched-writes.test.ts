import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

const fs = useFirestoreEmulator();

describe('WriteBatch', () => {
  it('applies all writes at one commit time', async () => {
    const batch = fs.db.batch();
    batch.set(fs.db.doc('b/1'), { v: 1 });
    batch.create(fs.db.doc('b/2'), { v: 2 });
    batch.set(fs.db.doc('b/1'), { w: 1 }, { merge: true });
    const results = await batch.commit();
    expect(results).toHaveLength(3);
    expect(results[0]!.writeTime.isEqual(results[1]!.writeTime)).toBe(true);
    const [one, two] = await fs.db.getAll(fs.db.doc('b/1'), fs.db.doc('b/2'));
    expect(one!.data()).toEqual({ v: 1, w: 1 });
    expect(two!.data()).toEqual({ v: 2 });
  });

  it('is atomic: one failing precondition applies none of the writes', async () => {
    await fs.db.doc('b/existing').set({ v: 'original' });
    const batch = fs.db.batch();
    batch.set(fs.db.doc('b/new'), { v: 1 });
    batch.update(fs.db.doc('b/existing'), { v: 'changed' });
    batch.create(fs.db.doc('b/existing'), { v: 'duplicate' });
    await expect(batch.commit()).rejects.toMatchObject({ code: 6 });
    expect((await fs.db.doc('b/new').get()).exists).toBe(false);
    expect((await fs.db.doc('b/existing').get()).get('v')).toBe('original');
  });

  it('a delete and a re-create of the same document in one batch', async () => {
    await fs.db.doc('b/cycle').set({ old: true });
    await fs.db.batch().delete(fs.db.doc('b/cycle')).create(fs.db.doc('b/cycle'), { fresh: true }).commit();
    expect((await fs.db.doc('b/cycle').get()).data()).toEqual({ fresh: true });
  });
});

describe('BulkWriter', () => {
  it('writes many documents and reports each failure on its own', async () => {
    await fs.db.doc('bulk/taken').set({ v: 0 });
    const writer = fs.db.bulkWriter();
    writer.onWriteError(() => false); // no retries: a precondition failure is final
    const writes = Array.from({ length: 40 }, (_, i) => writer.set(fs.db.doc(`bulk/d${i}`), { i }));
    const failed = writer.create(fs.db.doc('bulk/taken'), { v: 1 });
    const missing = writer.update(fs.db.doc('bulk/missing'), { v: 1 });
    await writer.close();

    await expect(Promise.all(writes)).resolves.toHaveLength(40);
    await expect(failed).rejects.toMatchObject({ code: 6 });
    await expect(missing).rejects.toMatchObject({ code: 5 });
    expect((await fs.db.collection('bulk').count().get()).data().count).toBe(41);
    expect((await fs.db.doc('bulk/taken').get()).get('v')).toBe(0);
  });
});

describe('recursiveDelete', () => {
  it('deletes a collection with its nested subcollections and nothing else', async () => {
    const batch = fs.db.batch();
    for (const id of ['a', 'B', '7', 'z']) batch.set(fs.db.doc(`tree/${id}`), { id });
    batch.set(fs.db.doc('tree/a/kids/k1'), { v: 1 });
    batch.set(fs.db.doc('tree/missing-parent/kids/k2'), { v: 2 });
    batch.set(fs.db.doc('tree2/keep'), { v: 1 });
    batch.set(fs.db.doc('other/o/tree/keep'), { v: 1 });
    await batch.commit();

    await fs.db.recursiveDelete(fs.db.collection('tree'));

    expect((await fs.db.collection('tree').listDocuments()).length).toBe(0);
    expect((await fs.db.collectionGroup('kids').get()).size).toBe(0);
    expect((await fs.db.doc('tree2/keep').get()).exists).toBe(true);
    expect((await fs.db.doc('other/o/tree/keep').get()).exists).toBe(true);
  });

  it('deletes a document and its subcollections', async () => {
    await fs.db.doc('msgs/m1').set({ v: 1 });
    await fs.db.doc('msgs/m1/events/e1').set({ v: 1 });
    await fs.db.doc('msgs/m2/events/e1').set({ v: 1 });
    await fs.db.recursiveDelete(fs.db.doc('msgs/m1'));
    expect((await fs.db.collectionGroup('events').get()).docs.map((d) => d.ref.path)).toEqual([
      'msgs/m2/events/e1',
    ]);
  });
});

import { FieldValue, Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

const fs = useFirestoreEmulator();

describe('several transforms in one write', () => {
  it('update() applies every transform together with plain fields', async () => {
    const ref = fs.db.doc('messages/m1');
    await ref.set({ attempts: 1, labels: ['otp', 'old'], stats: { sent: 5 } });
    const result = await ref.update({
      status: 'revoking',
      attempts: FieldValue.increment(1),
      'stats.sent': FieldValue.increment(2),
      'stats.failed': FieldValue.increment(1),
      labels: FieldValue.arrayUnion('urgent', 'otp'),
      lastAttemptAt: FieldValue.serverTimestamp(),
    });
    const data = (await ref.get()).data()!;
    expect(data.status).toBe('revoking');
    expect(data.attempts).toBe(2);
    expect(data.stats).toEqual({ sent: 7, failed: 1 });
    expect(data.labels).toEqual(['otp', 'old', 'urgent']);
    expect((data.lastAttemptAt as Timestamp).isEqual(result.writeTime)).toBe(true);
  });

  it('set() without merge applies transforms on top of the replaced document', async () => {
    const ref = fs.db.doc('messages/m2');
    await ref.set({ count: 10, keep: false });
    await ref.set({ status: 'new', count: FieldValue.increment(3), createdAt: FieldValue.serverTimestamp() });
    const data = (await ref.get()).data()!;
    expect(data.keep).toBeUndefined();
    expect(data.count).toBe(3);
    expect(data.status).toBe('new');
    expect(data.createdAt).toBeInstanceOf(Timestamp);
  });

  it('set(merge) applies transforms to nested fields and keeps the rest', async () => {
    const ref = fs.db.doc('messages/m3');
    await ref.set({ stats: { delivered: 1, read: 0 }, other: 'x' });
    await ref.set(
      { stats: { delivered: FieldValue.increment(1), readAt: FieldValue.serverTimestamp() } },
      { merge: true },
    );
    const data = (await ref.get()).data()!;
    expect(data.other).toBe('x');
    expect(data.stats.delivered).toBe(2);
    expect(data.stats.read).toBe(0);
    expect(data.stats.readAt).toBeInstanceOf(Timestamp);
  });

  it('create() with transforms creates the document with the transformed values', async () => {
    const ref = fs.db.doc('messages/m4');
    await ref.create({
      n: FieldValue.increment(5),
      at: FieldValue.serverTimestamp(),
      tags: FieldValue.arrayUnion('a'),
    });
    const data = (await ref.get()).data()!;
    expect(data.n).toBe(5);
    expect(data.tags).toEqual(['a']);
    expect(data.at).toBeInstanceOf(Timestamp);
  });

  it('serverTimestamp() is the commit time, the same in every document of a batch', async () => {
    const batch = fs.db.batch();
    batch.set(fs.db.doc('t/a'), { at: FieldValue.serverTimestamp() });
    batch.set(fs.db.doc('t/b'), { at: FieldValue.serverTimestamp() });
    const [ra] = await batch.commit();
    const [a, b] = await fs.db.getAll(fs.db.doc('t/a'), fs.db.doc('t/b'));
    expect((a!.get('at') as Timestamp).isEqual(b!.get('at'))).toBe(true);
    expect((a!.get('at') as Timestamp).isEqual(ra!.writeTime)).toBe(true);
  });
});

describe('increment', () => {
  it('starts a missing field at the operand and replaces a non-numeric value', async () => {
    const ref = fs.db.doc('inc/a');
    await ref.set({ text: 'abc' });
    await ref.update({ missing: FieldValue.increment(3), text: FieldValue.increment(2) });
    expect((await ref.get()).data()).toEqual({ missing: 3, text: 2 });
  });

  it('keeps integers integral and turns integer + double into a double', async () => {
    const ref = fs.db.doc('inc/b');
    await ref.set({ i: 1, d: 1 });
    await ref.update({ i: FieldValue.increment(2), d: FieldValue.increment(0.5) });
    const data = (await ref.get()).data()!;
    expect(data.i).toBe(3);
    expect(data.d).toBe(1.5);
  });

  it('decrements with a negative operand', async () => {
    const ref = fs.db.doc('inc/c');
    await ref.set({ n: 10 });
    await ref.update({ n: FieldValue.increment(-4) });
    expect((await ref.get()).get('n')).toBe(6);
  });

  it('concurrent non-transactional increments are all counted', async () => {
    const ref = fs.db.doc('inc/d');
    await ref.set({ n: 0 });
    await Promise.all(Array.from({ length: 30 }, () => ref.update({ n: FieldValue.increment(1) })));
    expect((await ref.get()).get('n')).toBe(30);
  });
});

describe('array transforms', () => {
  it('arrayUnion appends only missing elements, comparing maps by value', async () => {
    const ref = fs.db.doc('arr/a');
    await ref.set({ xs: [1, 'a', { k: 1 }] });
    await ref.update({ xs: FieldValue.arrayUnion(1, 'b', { k: 1 }, 'b') });
    expect((await ref.get()).get('xs')).toEqual([1, 'a', { k: 1 }, 'b']);
  });

  it('arrayRemove removes every equal element', async () => {
    const ref = fs.db.doc('arr/b');
    await ref.set({ xs: ['a', 'b', 'a', { k: 1 }, 2] });
    await ref.update({ xs: FieldValue.arrayRemove('a', { k: 1 }, 2) });
    expect((await ref.get()).get('xs')).toEqual(['b']);
  });

  it('arrayUnion on a missing or non-array field starts from an empty array; arrayRemove leaves an empty one', async () => {
    const ref = fs.db.doc('arr/c');
    await ref.set({ s: 'not an array' });
    await ref.update({ s: FieldValue.arrayUnion('x'), missing: FieldValue.arrayRemove('y') });
    expect((await ref.get()).data()).toEqual({ s: ['x'], missing: [] });
  });
});

import { FieldPath, FieldValue, GeoPoint, Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

const fs = useFirestoreEmulator();

// gRPC status codes the client surfaces as `error.code`.
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;

describe('create()', () => {
  it('creates a missing document and fails with ALREADY_EXISTS on an existing one, leaving it unchanged', async () => {
    const ref = fs.db.doc('messages/m1');
    await ref.create({ status: 'pending' });
    await expect(ref.create({ status: 'other' })).rejects.toMatchObject({ code: ALREADY_EXISTS });
    expect((await ref.get()).data()).toEqual({ status: 'pending' });
  });
});

describe('set() and set(merge)', () => {
  it('set() without merge replaces the whole document, nested maps included', async () => {
    const ref = fs.db.doc('docs/replace');
    await ref.set({ a: 1, b: 2, nested: { x: 1, y: 2 } });
    await ref.set({ a: 10, nested: { x: 10 } });
    expect((await ref.get()).data()).toEqual({ a: 10, nested: { x: 10 } });
  });

  it('set(merge: true) changes only the given fields, deeply', async () => {
    const ref = fs.db.doc('docs/merge');
    await ref.set({ a: 1, b: 2, nested: { x: 1, y: 2 } });
    await ref.set({ a: 10, nested: { x: 10 } }, { merge: true });
    expect((await ref.get()).data()).toEqual({ a: 10, b: 2, nested: { x: 10, y: 2 } });
  });

  it('set(mergeFields) writes only the listed fields, replacing a listed map wholesale', async () => {
    const ref = fs.db.doc('docs/merge-fields');
    await ref.set({ a: 1, b: 2, nested: { x: 1, y: 2 } });
    await ref.set({ a: 10, b: 20, nested: { x: 10 } }, { mergeFields: ['a', 'nested'] });
    expect((await ref.get()).data()).toEqual({ a: 10, b: 2, nested: { x: 10 } });
  });

  it('set(merge) on a missing document creates it', async () => {
    const ref = fs.db.doc('docs/merge-new');
    await ref.set({ a: 1 }, { merge: true });
    expect((await ref.get()).data()).toEqual({ a: 1 });
  });
});

describe('update()', () => {
  it('fails with NOT_FOUND on a missing document and does not create it', async () => {
    const ref = fs.db.doc('docs/missing');
    await expect(ref.update({ a: 1 })).rejects.toMatchObject({ code: NOT_FOUND });
    expect((await ref.get()).exists).toBe(false);
  });

  it('changes dotted paths inside maps and leaves siblings alone', async () => {
    const ref = fs.db.doc('docs/update');
    await ref.set({ a: 1, nested: { x: 1, y: 2 } });
    await ref.update({ 'nested.x': 5, b: true });
    expect((await ref.get()).data()).toEqual({ a: 1, b: true, nested: { x: 5, y: 2 } });
  });

  it('replaces a whole map when the map itself is the updated field', async () => {
    const ref = fs.db.doc('docs/update-map');
    await ref.set({ nested: { x: 1, y: 2 } });
    await ref.update({ nested: { z: 3 } });
    expect((await ref.get()).data()).toEqual({ nested: { z: 3 } });
  });

  it('treats field names with dots as one segment when given as a FieldPath', async () => {
    const ref = fs.db.doc('docs/field-path');
    await ref.set({ 'a.b': 1, a: { b: 2 } });
    await ref.update(new FieldPath('a.b'), 10);
    expect((await ref.get()).data()).toEqual({ 'a.b': 10, a: { b: 2 } });
  });

  it('fails with FAILED_PRECONDITION when lastUpdateTime does not match', async () => {
    const ref = fs.db.doc('docs/precondition');
    const first = await ref.set({ v: 1 });
    await ref.set({ v: 2 });
    await expect(ref.update({ v: 3 }, { lastUpdateTime: first.writeTime })).rejects.toMatchObject({
      code: FAILED_PRECONDITION,
    });
    const current = await ref.get();
    await ref.update({ v: 3 }, { lastUpdateTime: current.updateTime! });
    expect((await ref.get()).get('v')).toBe(3);
  });
});

describe('FieldValue.delete()', () => {
  it('removes a field with update()', async () => {
    const ref = fs.db.doc('docs/delete-update');
    await ref.set({ a: 1, b: 2, nested: { x: 1, y: 2 } });
    await ref.update({ a: FieldValue.delete(), 'nested.x': FieldValue.delete() });
    expect((await ref.get()).data()).toEqual({ b: 2, nested: { y: 2 } });
  });

  it('removes a field with set(merge)', async () => {
    const ref = fs.db.doc('docs/delete-merge');
    await ref.set({ a: 1, b: 2 });
    await ref.set({ a: FieldValue.delete(), c: 3 }, { merge: true });
    expect((await ref.get()).data()).toEqual({ b: 2, c: 3 });
  });
});

describe('delete()', () => {
  it('deletes a document; deleting a missing one succeeds; exists: true on a missing one is NOT_FOUND', async () => {
    const ref = fs.db.doc('docs/to-delete');
    await ref.set({ a: 1 });
    await ref.delete();
    expect((await ref.get()).exists).toBe(false);
    await ref.delete();
    await expect(ref.delete({ exists: true })).rejects.toMatchObject({ code: NOT_FOUND });
  });

  it('leaves subcollections in place', async () => {
    await fs.db.doc('parents/p/children/c').set({ a: 1 });
    await fs.db.doc('parents/p').set({ b: 1 });
    await fs.db.doc('parents/p').delete();
    expect((await fs.db.doc('parents/p/children/c').get()).exists).toBe(true);
  });
});

describe('document metadata', () => {
  it('keeps createTime across updates and moves updateTime forward with each change', async () => {
    const ref = fs.db.doc('docs/times');
    await ref.set({ v: 1 });
    const first = await ref.get();
    await ref.update({ v: 2 });
    const second = await ref.get();
    expect(second.createTime!.isEqual(first.createTime!)).toBe(true);
    // Timestamp.valueOf() is a string that sorts in time order.
    expect(second.updateTime!.valueOf() > first.updateTime!.valueOf()).toBe(true);
    expect(second.readTime.valueOf() >= second.updateTime!.valueOf()).toBe(true);
  });

  it('a write returns the same time the document then reports as its updateTime', async () => {
    const ref = fs.db.doc('docs/write-time');
    const result = await ref.set({ v: 1 });
    expect((await ref.get()).updateTime!.isEqual(result.writeTime)).toBe(true);
  });
});

describe('values', () => {
  it('round-trips every value type', async () => {
    const ref = fs.db.doc('docs/types');
    const other = fs.db.doc('docs/other');
    const data = {
      nul: null,
      yes: true,
      int: 42,
      big: 9007199254740991,
      neg: -7,
      dbl: 3.5,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      ts: new Timestamp(1_700_000_000, 123_456_000),
      str: 'héllo 😀',
      bytes: Buffer.from([0, 1, 2, 255]),
      ref: other,
      geo: new GeoPoint(48.85, 2.35),
      arr: [1, 'two', { three: 3 }, null],
      map: { deep: { deeper: ['x'] } },
      empty: {},
      emptyArr: [],
    };
    await ref.set(data);
    const got = (await ref.get()).data()!;
    expect(got.nul).toBeNull();
    expect(got.yes).toBe(true);
    expect(got.int).toBe(42);
    expect(got.big).toBe(9007199254740991);
    expect(got.neg).toBe(-7);
    expect(got.dbl).toBe(3.5);
    expect(got.nan).toBeNaN();
    expect(got.inf).toBe(Number.POSITIVE_INFINITY);
    expect((got.ts as Timestamp).isEqual(data.ts)).toBe(true);
    expect(got.str).toBe('héllo 😀');
    expect(Buffer.from(got.bytes as Uint8Array).equals(data.bytes)).toBe(true);
    expect(got.ref.path).toBe('docs/other');
    expect((got.geo as GeoPoint).isEqual(data.geo)).toBe(true);
    expect(got.arr).toEqual([1, 'two', { three: 3 }, null]);
    expect(got.map).toEqual({ deep: { deeper: ['x'] } });
    expect(got.empty).toEqual({});
    expect(got.emptyArr).toEqual([]);
  });

  it('stores timestamps to the microsecond, rounding down', async () => {
    const ref = fs.db.doc('docs/micros');
    await ref.set({ ts: new Timestamp(1_700_000_000, 123_456_789) });
    expect((await ref.get()).get('ts').nanoseconds).toBe(123_456_000);
  });

  it('stores an empty document', async () => {
    const ref = fs.db.doc('docs/empty');
    await ref.set({});
    const snap = await ref.get();
    expect(snap.exists).toBe(true);
    expect(snap.data()).toEqual({});
  });
});

describe('reads', () => {
  it('getAll returns documents in request order, missing ones as not existing', async () => {
    await fs.db.doc('docs/a').set({ n: 'a' });
    await fs.db.doc('docs/c').set({ n: 'c' });
    const snaps = await fs.db.getAll(fs.db.doc('docs/c'), fs.db.doc('docs/b'), fs.db.doc('docs/a'));
    expect(snaps.map((s) => [s.id, s.exists])).toEqual([
      ['c', true],
      ['b', false],
      ['a', true],
    ]);
  });

  it('getAll with a field mask returns only the masked fields', async () => {
    await fs.db.doc('docs/masked').set({ a: 1, b: 2, nested: { x: 1, y: 2 } });
    const [snap] = await fs.db.getAll(fs.db.doc('docs/masked'), { fieldMask: ['a', 'nested.y'] });
    expect(snap!.data()).toEqual({ a: 1, nested: { y: 2 } });
  });
});

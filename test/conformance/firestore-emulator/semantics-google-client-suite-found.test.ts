import { AggregateField, FieldValue, type Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

/*
 * Three behaviours Google's Node.js client system tests (googleapis/nodejs-firestore,
 * dev/system-test/firestore.ts) expect and this emulator got wrong, through the real client.
 */

const fs = useFirestoreEmulator();

describe('a transform inside a masked field', () => {
  it('update({ b: { c: serverTimestamp() } }) writes b and sets b.c to the commit time', async () => {
    const ref = fs.db.collection('t').doc('u');
    await ref.set({ a: 1, b: { old: true } });
    const result = await ref.update({ b: { c: FieldValue.serverTimestamp() } });
    const data = (await ref.get()).data()!;
    expect(data.a).toBe(1);
    expect(Object.keys(data.b)).toEqual(['c']);
    expect((data.b.c as Timestamp).isEqual(result.writeTime)).toBe(true);
  });

  it("set(..., { mergeFields: ['h'] }) with a transform on h.g merges h and applies the transform", async () => {
    const ref = fs.db.collection('t').doc('m');
    await ref.set({ h: { x: 1 }, k: 'kept' });
    await ref.set({ h: { g: FieldValue.increment(2), y: 2 }, k: 'not merged' }, { mergeFields: ['h'] });
    expect((await ref.get()).data()).toEqual({ h: { g: 2, y: 2 }, k: 'kept' });
  });
});

describe('NaN and range filters', () => {
  it('no range filter matches NaN; equality and IS_NAN still do', async () => {
    const col = fs.db.collection('nan');
    await Promise.all([
      col.doc('n').set({ v: Number.NaN }),
      col.doc('z').set({ v: 0 }),
      col.doc('o').set({ v: 1 }),
    ]);
    const ids = async (query: FirebaseFirestore.Query) => (await query.get()).docs.map((d) => d.id).sort();
    expect(await ids(col.where('v', '<', 1))).toEqual(['z']);
    expect(await ids(col.where('v', '<=', 1))).toEqual(['o', 'z']);
    expect(await ids(col.where('v', '>', -1))).toEqual(['o', 'z']);
    expect(await ids(col.where('v', '>=', Number.NEGATIVE_INFINITY))).toEqual(['o', 'z']);
    expect(await ids(col.where('v', '==', Number.NaN))).toEqual(['n']);
    expect(await ids(col.where('v', '!=', Number.NaN))).toEqual(['o', 'z']);
  });
});

describe('aggregations over several fields', () => {
  it('take only the documents that have every aggregated field, in the count too', async () => {
    const col = fs.db.collection('books');
    await Promise.all([
      col.doc('a').set({ pages: 100, year: 1980 }),
      col.doc('b').set({ pages: 50, year: 2020 }),
      col.doc('c').set({ pages: 150, year: 2021 }),
      col.doc('d').set({ pages: 50 }),
    ]);
    const snapshot = await col
      .aggregate({
        totalPages: AggregateField.sum('pages'),
        averagePages: AggregateField.average('pages'),
        averageYear: AggregateField.average('year'),
        count: AggregateField.count(),
      })
      .get();
    expect(snapshot.data()).toEqual({ totalPages: 300, averagePages: 100, averageYear: 2007, count: 3 });
    // One field alone: every document that has it.
    expect(
      (await col.aggregate({ n: AggregateField.count(), p: AggregateField.sum('pages') }).get()).data(),
    ).toEqual({
      n: 4,
      p: 350,
    });
  });
});

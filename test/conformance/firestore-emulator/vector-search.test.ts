import { FieldValue } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

/*
 * findNearest as an exact search, through the real client. The expectations
 * are those of Google's Node.js client system tests (dev/system-test/firestore.ts,
 * "supports findNearest by ... distance", "supports requesting computed ...
 * distance", "querying with distance threshold").
 */

const fs = useFirestoreEmulator();

async function seed(docs: Record<string, Record<string, unknown>>) {
  const col = fs.db.collection('vectors');
  await Promise.all(Object.entries(docs).map(([id, data]) => col.doc(id).set(data)));
  return col;
}

const vectorOf = (doc: FirebaseFirestore.QueryDocumentSnapshot) => doc.get('embedding').toArray();

describe('findNearest', () => {
  it('EUCLIDEAN: nearest first, after the where filter, at most limit', async () => {
    const col = await seed({
      a: { foo: 'bar' },
      b: { foo: 'xxx', embedding: FieldValue.vector([10, 10]) },
      c: { foo: 'bar', embedding: FieldValue.vector([1, 1]) },
      d: { foo: 'bar', embedding: FieldValue.vector([10, 0]) },
      e: { foo: 'bar', embedding: FieldValue.vector([20, 0]) },
      f: { foo: 'bar', embedding: FieldValue.vector([100, 100]) },
    });
    const res = await col
      .where('foo', '==', 'bar')
      .findNearest({
        vectorField: 'embedding',
        queryVector: [10, 10],
        limit: 3,
        distanceMeasure: 'EUCLIDEAN',
      })
      .get();
    expect(res.docs.map(vectorOf)).toEqual([
      [10, 0],
      [1, 1],
      [20, 0],
    ]);
  });

  it('DOT_PRODUCT with the distance returned: largest first, documents without a vector left out', async () => {
    const col = await seed({
      '1': { foo: 'bar' },
      '2': { foo: 'bar', embedding: FieldValue.vector([2, 0]) },
      '3': { foo: 'bar', embedding: FieldValue.vector([1, 100]) },
      '4': { foo: 'bar', embedding: FieldValue.vector([-20, 0]) },
      '5': { foo: 'bar', embedding: FieldValue.vector([0.1, 4]) },
    });
    const res = await col
      .findNearest({
        vectorField: 'embedding',
        queryVector: [1, 0],
        limit: 5,
        distanceMeasure: 'DOT_PRODUCT',
        distanceResultField: 'distance',
      })
      .get();
    expect(res.docs.map((d) => d.get('distance'))).toEqual([2, 1, 0.1, -20]);
  });

  it('COSINE with a select: only the selected fields, the distance field among them', async () => {
    const col = await seed({
      '1': { foo: 'bar' },
      '2': { foo: 'bar', embedding: FieldValue.vector([1, 0]) },
      '3': { foo: 'bar', embedding: FieldValue.vector([0, 1]) },
      '4': { foo: 'bar', embedding: FieldValue.vector([0, -0.1]) },
      '5': { foo: 'bar', embedding: FieldValue.vector([-1, 0]) },
    });
    const res = await col
      .select('embedding', 'distance')
      .findNearest({
        vectorField: 'embedding',
        queryVector: [1, 0],
        limit: 5,
        distanceMeasure: 'COSINE',
        distanceResultField: 'distance',
      })
      .get();
    expect(res.docs.map((d) => d.get('distance'))).toEqual([0, 1, 1, 2]);
    expect(res.docs[0]!.get('foo')).toBeUndefined();
  });

  it('a distance threshold keeps only the documents within it', async () => {
    const col = await seed({
      a: { embedding: FieldValue.vector([1, 0]) },
      b: { embedding: FieldValue.vector([3, 0]) },
      c: { embedding: FieldValue.vector([10, 0]) },
    });
    const near = await col
      .findNearest({
        vectorField: 'embedding',
        queryVector: [0, 0],
        limit: 10,
        distanceMeasure: 'EUCLIDEAN',
        distanceThreshold: 5,
      })
      .get();
    expect(near.docs.map((d) => d.id)).toEqual(['a', 'b']);
    const similar = await col
      .findNearest({
        vectorField: 'embedding',
        queryVector: [1, 0],
        limit: 10,
        distanceMeasure: 'DOT_PRODUCT',
        distanceThreshold: 3,
      })
      .get();
    expect(similar.docs.map((d) => d.id)).toEqual(['c', 'b']);
  });

  it('skips vectors of another dimension and fields that are not vectors', async () => {
    const col = await seed({
      a: { embedding: FieldValue.vector([1, 1]) },
      b: { embedding: FieldValue.vector([1, 1, 1]) },
      c: { embedding: [1, 1] },
      d: { embedding: 'text' },
    });
    const res = await col
      .findNearest({ vectorField: 'embedding', queryVector: [1, 1], limit: 10, distanceMeasure: 'EUCLIDEAN' })
      .get();
    expect(res.docs.map((d) => d.id)).toEqual(['a']);
  });
});

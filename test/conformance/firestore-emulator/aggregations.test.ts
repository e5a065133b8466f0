import { AggregateField } from '@google-cloud/firestore';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

const fs = useFirestoreEmulator({ resetBeforeEach: false });

beforeAll(async () => {
  await fs.reset();
  const batch = fs.db.batch();
  const msgs = fs.db.collection('msgs');
  batch.set(msgs.doc('a'), { status: 'pending', latencyMs: 100, cost: 1 });
  batch.set(msgs.doc('b'), { status: 'pending', latencyMs: 300, cost: 2.5 });
  batch.set(msgs.doc('c'), { status: 'delivered', latencyMs: 200, cost: 2 });
  batch.set(msgs.doc('d'), { status: 'delivered', latencyMs: 'n/a' });
  batch.set(msgs.doc('e'), { status: 'revoked' });
  batch.set(fs.db.doc('msgs/a/events/x'), { latencyMs: 1000 });
  await batch.commit();
});

describe('count()', () => {
  it('counts a collection, a filtered query and a limited query', async () => {
    const msgs = fs.db.collection('msgs');
    expect((await msgs.count().get()).data().count).toBe(5);
    expect((await msgs.where('status', '==', 'pending').count().get()).data().count).toBe(2);
    expect((await msgs.where('status', '==', 'none').count().get()).data().count).toBe(0);
    expect((await msgs.orderBy('latencyMs').limit(2).count().get()).data().count).toBe(2);
  });

  it('counts a collection group', async () => {
    expect((await fs.db.collectionGroup('events').count().get()).data().count).toBe(1);
  });
});

describe('sum() and average()', () => {
  it('sums and averages numeric values, ignoring non-numeric values and missing fields', async () => {
    const snap = await fs.db
      .collection('msgs')
      .aggregate({ total: AggregateField.sum('latencyMs'), avg: AggregateField.average('latencyMs') })
      .get();
    expect(snap.data()).toEqual({ total: 600, avg: 200 });
  });

  it('sum with a double is a double; several aggregations in one query', async () => {
    const snap = await fs.db
      .collection('msgs')
      .where('status', 'in', ['pending', 'delivered'])
      .aggregate({
        n: AggregateField.count(),
        cost: AggregateField.sum('cost'),
        avg: AggregateField.average('cost'),
      })
      .get();
    // Only documents that have every summed or averaged field take part, in the count too
    // (Google's client suite: "performs aggregations on documents with all aggregated fields"):
    // d has no cost, so n is 3, not 4.
    expect(snap.data()).toEqual({ n: 3, cost: 5.5, avg: 5.5 / 3 });
  });

  it('over no numeric values: sum is 0, average is null', async () => {
    const snap = await fs.db
      .collection('msgs')
      .where('status', '==', 'revoked')
      .aggregate({ total: AggregateField.sum('cost'), avg: AggregateField.average('cost') })
      .get();
    expect(snap.data()).toEqual({ total: 0, avg: null });
  });

  it('aggregates inside a transaction', async () => {
    const count = await fs.db.runTransaction(async (t) => {
      const snap = await t.get(fs.db.collection('msgs').where('status', '==', 'delivered').count());
      return snap.data().count;
    });
    expect(count).toBe(2);
  });
});

import { type DocumentReference, Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

const fs = useFirestoreEmulator();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('read-write transactions are isolated', () => {
  it('N concurrent read-modify-write increments of one document end at N', async () => {
    const N = 25;
    const counter = fs.db.doc('counters/contended');
    await counter.set({ n: 0 });

    const results = await Promise.allSettled(
      Array.from({ length: N }, () =>
        fs.db.runTransaction(async (t) => {
          const snap = await t.get(counter);
          t.update(counter, { n: (snap.get('n') as number) + 1 });
        }),
      ),
    );

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await counter.get()).get('n')).toBe(N);
  });

  it('concurrent transfers between two documents in opposite orders keep the total (deadlocks resolve)', async () => {
    const a = fs.db.doc('accounts/a');
    const b = fs.db.doc('accounts/b');
    await a.set({ balance: 100 });
    await b.set({ balance: 100 });
    const transfer = (from: DocumentReference, to: DocumentReference) =>
      fs.db.runTransaction(async (t) => {
        const src = await t.get(from);
        const dst = await t.get(to);
        t.update(from, { balance: (src.get('balance') as number) - 1 });
        t.update(to, { balance: (dst.get('balance') as number) + 1 });
      });

    const results = await Promise.allSettled([
      ...Array.from({ length: 6 }, () => transfer(a, b)),
      ...Array.from({ length: 4 }, () => transfer(b, a)),
    ]);

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const [sa, sb] = await fs.db.getAll(a, b);
    expect(sa!.get('balance')).toBe(98);
    expect(sb!.get('balance')).toBe(102);
  });

  it('a write made while a transaction is open is never lost to a write based on a stale read', async () => {
    const doc = fs.db.doc('lost-update/doc');
    await doc.set({ x: 0 });
    let outside: Promise<unknown> | undefined;

    await fs.db.runTransaction(async (t) => {
      const snap = await t.get(doc);
      // Only the first attempt fires the concurrent write.
      outside ??= doc.set({ x: 100 });
      await sleep(50);
      t.update(doc, { x: (snap.get('x') as number) + 1 });
    });
    await outside;

    // Serialisable outcomes: the outside write after the transaction (100), or the
    // transaction retried on top of it (101). A lost update would leave 1.
    expect([100, 101]).toContain((await doc.get()).get('x'));
  });

  it('transactions that claim work through a query never claim the same document twice', async () => {
    const slots = fs.db.collection('slots');
    await Promise.all(
      Array.from({ length: 4 }, (_, i) => slots.doc(`s${i}`).set({ status: 'free', owner: null })),
    );

    const claim = (worker: number) =>
      fs.db.runTransaction(async (t) => {
        const free = await t.get(slots.where('status', '==', 'free').limit(1));
        const slot = free.docs[0];
        if (!slot) return null;
        t.update(slot.ref, { status: 'taken', owner: worker });
        return slot.id;
      });

    const claimed = await Promise.all(Array.from({ length: 8 }, (_, worker) => claim(worker)));

    const won = claimed.filter((id): id is string => id !== null);
    expect(won).toHaveLength(4);
    expect(new Set(won).size).toBe(4);
    const taken = await slots.where('status', '==', 'taken').get();
    expect(taken.size).toBe(4);
  });

  it('a transaction reading a missing document and creating it runs once per document under contention', async () => {
    const doc = fs.db.doc('once/event-1');
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fs.db.runTransaction(async (t) => {
          const snap = await t.get(doc);
          if (snap.exists) return 'duplicate';
          t.create(doc, { by: i });
          return 'stored';
        }),
      ),
    );
    expect(outcomes.filter((o) => o === 'stored')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(9);
  });

  it('an update on a missing document inside a transaction fails with NOT_FOUND', async () => {
    const missing = fs.db.doc('tx/missing');
    await expect(
      fs.db.runTransaction(async (t) => {
        await t.get(missing);
        t.update(missing, { x: 1 });
      }),
    ).rejects.toMatchObject({ code: 5 });
    expect((await missing.get()).exists).toBe(false);
  });
});

describe('snapshot reads', () => {
  it('a read-only transaction sees one snapshot even when documents change between its reads', async () => {
    const a = fs.db.doc('snap/a');
    const b = fs.db.doc('snap/b');
    await fs.db.batch().set(a, { v: 1 }).set(b, { v: 1 }).commit();

    const seen = await fs.db.runTransaction(
      async (t) => {
        const first = await t.get(a);
        await fs.db.batch().set(a, { v: 2 }).set(b, { v: 2 }).commit();
        const second = await t.get(b);
        return [first.get('v'), second.get('v')];
      },
      { readOnly: true },
    );

    expect(seen).toEqual([1, 1]);
    expect((await b.get()).get('v')).toBe(2);
  });

  it('a read-only transaction at a read time sees the data as of that time', async () => {
    const doc = fs.db.doc('snap/versioned');
    const [first] = await fs.db.batch().set(doc, { v: 'one' }).commit();
    await doc.set({ v: 'two' });

    const old = await fs.db.runTransaction((t) => t.get(doc), { readOnly: true, readTime: first!.writeTime });

    expect(old.get('v')).toBe('one');
    expect((await doc.get()).get('v')).toBe('two');
    expect(old.readTime.isEqual(first!.writeTime)).toBe(true);
  });

  it('query results inside a read-only transaction at a read time come from that snapshot', async () => {
    const col = fs.db.collection('snapq');
    await col.doc('a').set({ n: 1 });
    const before = Timestamp.now();
    await sleep(5);
    await col.doc('b').set({ n: 2 });

    const snap = await fs.db.runTransaction((t) => t.get(col.orderBy('n')), {
      readOnly: true,
      readTime: before,
    });

    expect(snap.docs.map((d) => d.id)).toEqual(['a']);
  });
});

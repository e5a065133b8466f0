import { Firestore } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { startFirestoreEmulator } from '../../../local/firestore-emulator/index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// How this emulator isolates transactions (Google's may differ in the details): embedded only.
describe.skipIf(Boolean(process.env.FIRESTORE_EMULATOR_HOST))('pessimistic document locks', () => {
  it('conflicting transactions wait for each other instead of failing: N increments succeed in one attempt each', async () => {
    const emulator = await startFirestoreEmulator();
    const db = new Firestore({ projectId: 'locks', host: emulator.host, ssl: false });
    try {
      const doc = db.doc('counters/c');
      await doc.set({ n: 0 });
      let attempts = 0;
      const N = 30;
      await Promise.all(
        Array.from({ length: N }, () =>
          db.runTransaction(
            async (t) => {
              attempts++;
              const snap = await t.get(doc);
              t.update(doc, { n: (snap.get('n') as number) + 1 });
            },
            { maxAttempts: 1 },
          ),
        ),
      );
      expect(attempts).toBe(N);
      expect((await doc.get()).get('n')).toBe(N);
    } finally {
      await db.terminate();
      await emulator.stop();
    }
  });

  it('a non-transactional write waits for the transaction holding the document', async () => {
    const emulator = await startFirestoreEmulator();
    const db = new Firestore({ projectId: 'locks', host: emulator.host, ssl: false });
    try {
      const doc = db.doc('counters/c');
      await doc.set({ n: 0, log: [] });
      const order: string[] = [];
      let outside: Promise<unknown> | undefined;
      await db.runTransaction(async (t) => {
        await t.get(doc);
        outside = doc.update({ n: 100 }).then(() => order.push('outside write'));
        await sleep(50);
        order.push('transaction commits');
        t.update(doc, { n: 1 });
      });
      await outside;
      expect(order).toEqual(['transaction commits', 'outside write']);
      expect((await doc.get()).get('n')).toBe(100);
    } finally {
      await db.terminate();
      await emulator.stop();
    }
  });

  it('a transaction silent past the idle time-out loses its locks to a waiter, and its stale write is refused', async () => {
    const emulator = await startFirestoreEmulator({ lockTimeoutMs: 100, transactionIdleTimeoutMs: 50 });
    const db = new Firestore({ projectId: 'abandoned', host: emulator.host, ssl: false });
    try {
      const doc = db.doc('counters/c');
      await doc.set({ n: 0 });
      let outside: Promise<unknown> | undefined;
      const tx = db.runTransaction(
        async (t) => {
          const snap = await t.get(doc);
          outside = doc.set({ n: 100 }); // waits for the transaction's lock
          await sleep(300); // ...which the emulator takes back once we are idle and it has waited
          t.update(doc, { n: (snap.get('n') as number) + 1 });
        },
        { maxAttempts: 1 },
      );
      await expect(tx).rejects.toMatchObject({ code: 10 });
      await outside;
      expect((await doc.get()).get('n')).toBe(100);
    } finally {
      await db.terminate();
      await emulator.stop();
    }
  });
});

import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArrivingCall,
  type FirestoreEmulator,
  startFirestoreEmulator,
} from '../../../local/firestore-emulator/index.ts';

/*
 * What a chaos run uses (embedded emulator only): each call shown as it
 * arrives, with the caller's TCP port and whether it belongs to a
 * transaction; and a stall that holds every call for a while of real time,
 * then lets them through in order.
 */

const embedded = !process.env.FIRESTORE_EMULATOR_HOST;
let emulator: FirestoreEmulator;
let db: Firestore;

beforeAll(async () => {
  if (!embedded) return;
  emulator = await startFirestoreEmulator();
  db = new Firestore({ projectId: 'interception', host: emulator.host, ssl: false });
});

afterAll(async () => {
  await db?.terminate();
  await emulator?.stop();
});

describe.skipIf(!embedded)('embedded emulator: calls seen and stalled', () => {
  it('shows each call before it is handled: its RPC, its caller port, whether it is transactional', async () => {
    const seen: ArrivingCall[] = [];
    emulator.onCall((call) => seen.push(call));
    try {
      await db.doc('c/plain').set({ n: 1 });
      await db.runTransaction(async (tx) => {
        const snapshot = await tx.get(db.doc('c/plain'));
        tx.update(db.doc('c/plain'), { n: snapshot.get('n') + 1 });
      });
    } finally {
      emulator.onCall(null);
    }
    expect(
      seen.find((c) => c.rpc === 'Commit' && !c.transactional),
      JSON.stringify(seen),
    ).toBeDefined();
    const transactional = seen.filter((c) => c.transactional).map((c) => c.rpc);
    // The client begins the transaction with its first read (or BeginTransaction) and commits it.
    expect(transactional).toContain('Commit');
    expect(transactional.some((rpc) => rpc === 'BatchGetDocuments' || rpc === 'BeginTransaction')).toBe(true);
    for (const call of seen) expect(call.remotePort).toBeGreaterThan(0);
    expect((await db.doc('c/plain').get()).get('n')).toBe(2);
  });

  it('a stall holds calls that arrive during it, then they complete in order', async () => {
    await db.doc('c/stalled').set({ n: 0 });
    const started = Date.now();
    emulator.stall(400);
    const done: Array<{ which: string; afterMs: number }> = [];
    const note = (which: string) => () => done.push({ which, afterMs: Date.now() - started });
    const writes = Promise.all([
      db.doc('c/stalled').update({ n: 1 }).then(note('first')),
      new Promise((resolve) => setTimeout(resolve, 20))
        .then(() => db.doc('c/stalled').update({ n: 2 }))
        .then(note('second')),
    ]);
    // Held: neither can complete while the stall lasts (a slow machine only delays them more).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(done).toEqual([]);
    await writes;
    expect(done.map((d) => d.which)).toEqual(['first', 'second']);
    expect(done[0]!.afterMs).toBeGreaterThanOrEqual(390);
    expect((await db.doc('c/stalled').get()).get('n')).toBe(2);
  });
});

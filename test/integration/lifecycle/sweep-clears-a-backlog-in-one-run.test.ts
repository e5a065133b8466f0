import { describe, expect, it } from 'vitest';
import { expectConsistentWithTruth, otpRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * When many tasks are lost at once, more messages are overdue than one page
 * of the sweep's query (SWEEP_BATCH_SIZE): one sweep run reads page after
 * page and re-drives them all, instead of a page a minute. (A chaos run
 * found messages waiting many sweep intervals for their turn.)
 */

const boundMs = 5 * 60_000;
// No schedule: the test calls the sweep itself, once.
const h = useStack({ sweepBoundSeconds: boundMs / 1000, sweepEveryMs: null, sweepBatchSize: 2 });
const offline = { rcs: true, offline: [{ forMs: 24 * 3_600_000 }] };

/** Sends an OTP to each phone (offline) with every deadline task lost undispatched, then waits until all are overdue. */
async function overdueMessages(phones: string[]): Promise<string[]> {
  for (const phone of phones) h.stack.rbm.setPhone(phone, offline);
  h.stack.tasks.loseDispatches((task) => task.queue.endsWith('/rbm-revoke'));
  const ids: string[] = [];
  for (const phone of phones) ids.push(await sendOk(h, otpRequest(phone)));
  await h.advance(10 * 60_000 + boundMs + 60_000);
  h.stack.tasks.loseDispatches(null);
  return ids;
}

describe('a backlog of overdue messages', () => {
  it('five overdue with pages of two: one sweep run re-drives all five, and each ends with its SMS', async () => {
    const ids = await overdueMessages(Array.from({ length: 5 }, (_, i) => `+1415555080${i}`));

    const response = await fetch(h.stack.functions.urls.sweep, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ overdue: 5, redriven: 5, failed: 0 });

    await h.advance(10 * 60_000);
    for (const id of ids) {
      const { message } = await expectConsistentWithTruth(h, id);
      expect(message.status).toBe('sms_sent');
      expect(message.redrives).toBe(1);
    }
  });

  it('messages held by a dead transaction do not stall the run: the others are re-driven meanwhile', async () => {
    // A process killed inside a transaction leaves its documents locked until the transaction
    // times out; the sweep's re-drives of those wait. Here a transaction holds eight of them.
    const ids = await overdueMessages(
      Array.from({ length: 28 }, (_, i) => `+14155551${String(i).padStart(3, '0')}`),
    );

    const refs = ids.map((id) => h.stack.db.collection('messages').doc(id));
    const [held, free] = [refs.slice(0, 8), refs.slice(8)];
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const holding = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = h.stack.db.runTransaction(async (t) => {
      await t.getAll(...held);
      locked();
      await released;
    });
    await holding;

    const sweep = fetch(h.stack.functions.urls.sweep, { method: 'POST' });
    const redriven = async (group: typeof refs) =>
      (await h.stack.db.getAll(...group)).filter((d) => (d.get('redrives') ?? 0) > 0).length;
    let freeRedriven = 0;
    for (let i = 0; i < 200 && freeRedriven < free.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      freeRedriven = await redriven(free);
    }
    expect(freeRedriven).toBe(free.length);
    expect(await redriven(held)).toBe(0); // still waiting on the held documents
    release();
    await holder;

    const response = await sweep;
    expect(await response.json()).toEqual({ overdue: 28, redriven: 28, failed: 0 });
  });
});

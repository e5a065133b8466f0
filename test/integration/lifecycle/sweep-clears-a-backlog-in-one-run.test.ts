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

describe('a backlog of overdue messages', () => {
  it('five overdue with pages of two: one sweep run re-drives all five, and each ends with its SMS', async () => {
    const phones = Array.from({ length: 5 }, (_, i) => `+1415555080${i}`);
    for (const phone of phones) h.stack.rbm.setPhone(phone, offline);
    // Every deadline task vanishes undispatched.
    h.stack.tasks.loseDispatches((task) => task.queue.endsWith('/rbm-revoke'));
    const ids: string[] = [];
    for (const phone of phones) ids.push(await sendOk(h, otpRequest(phone)));
    await h.advance(10 * 60_000 + boundMs + 60_000);
    h.stack.tasks.loseDispatches(null);

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
});

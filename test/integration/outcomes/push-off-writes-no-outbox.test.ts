import { describe, expect, it } from 'vitest';
import { expectConsistentWithTruth, promoRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

/* OUTCOME_PUSH off (the default): a message reaches outcomes, and not one outbox document is written. */

const h = useStack();

describe('outcome push off', () => {
  it('delivered and read, revoked and SMS: the outcomes collection stays empty', async () => {
    const reader = '+14155550311';
    const offline = '+14155550312';
    h.stack.rbm.setPhone(reader, {
      rcs: true,
      offline: [],
      latency: { median: 2_000, spread: 0 },
      read: { probability: 1, delay: { median: 10_000, spread: 0 } },
    });
    h.stack.rbm.setPhone(offline, { rcs: true, offline: [{ forMs: 3 * 3_600_000 }], neverReads: true });
    const read = await sendOk(h, promoRequest(reader));
    const smsSent = await sendOk(h, promoRequest(offline));
    await h.advance(4 * 3_600_000);
    expect((await expectConsistentWithTruth(h, read)).message.status).toBe('read');
    expect((await expectConsistentWithTruth(h, smsSent)).message.status).toBe('sms_sent');
    expect(h.stack.outcomes).toBeUndefined();
    expect((await h.stack.db.collection('outcomes').get()).size).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { expectConsistentWithTruth, otpRequest, promoRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

const h = useStack();
/** A phone that is offline until after the deadline, so the revoke lands while the message is queued. */
function offlinePast(phone: string, rules: Record<string, unknown>, hours = 2) {
  h.stack.rbm.setPhone(phone, {
    rcs: true,
    offline: [{ forMs: hours * 3_600_000 }],
    neverReads: true,
    ...rules,
  });
}

describe('the revoke races the delivery and loses', () => {
  it('promo: 200, then DELIVERED inside the grace period: lost race recorded, no SMS', async () => {
    const phone = '+14155550201';
    offlinePast(phone, { racesRevoke: { answer: 200, deliveredAfterMs: 1_000, times: 1 } });
    const id = await sendOk(h, promoRequest(phone));
    await h.advance(3 * 3_600_000);
    const { message, truth, smsCount } = await expectConsistentWithTruth(h, id);
    expect(truth?.revokeAttempts.map((a) => a.outcome)).toEqual(['lost-race']);
    expect(message.status).toBe('delivered');
    expect(message.revocation.state).toBe('lost_race');
    expect(message.lateDelivery).toBe(true);
    expect(smsCount).toBe(0);
  });

  it('otp: 200 sends the SMS at once; the DELIVERED that follows is flagged as a duplicate delivery', async () => {
    const phone = '+14155550202';
    offlinePast(phone, { racesRevoke: { answer: 200, deliveredAfterMs: 10_000, times: 1 } });
    const id = await sendOk(h, otpRequest(phone));
    await h.advance(3 * 3_600_000);
    const { message, smsCount } = await expectConsistentWithTruth(h, id);
    expect(smsCount).toBe(1);
    expect(message.status).toBe('duplicate');
    expect(message.duplicateDelivery).toBe(true);
  });
});

describe('404 on revoke', () => {
  it('404 then DELIVERED: recorded delivered, no second revoke, no SMS', async () => {
    const phone = '+14155550203';
    offlinePast(phone, { racesRevoke: { answer: 404, deliveredAfterMs: 1_000, times: 1 } });
    const id = await sendOk(h, promoRequest(phone));
    await h.advance(3 * 3_600_000);
    const { message, truth, smsCount } = await expectConsistentWithTruth(h, id);
    expect(truth?.revokeAttempts).toHaveLength(1);
    expect(message.status).toBe('delivered');
    expect(message.revocation.state).toBe('lost_race');
    expect(smsCount).toBe(0);
  });

  it('404 then nothing: after the grace period, revoke again (200), confirm, then one SMS', async () => {
    const phone = '+14155550204';
    offlinePast(phone, { racesRevoke: { answer: 404, deliveredAfterMs: null, times: 1 } }, 24);
    const id = await sendOk(h, promoRequest(phone));
    await h.advance(3 * 3_600_000);
    const { message, truth, smsCount, view } = await expectConsistentWithTruth(h, id);
    expect(truth?.revokeAttempts.map((a) => a.answer)).toEqual([404, 200]);
    expect(truth?.neverDelivered).toBe(true);
    expect(message.revocation).toMatchObject({ state: 'confirmed', round: 2, attempts: 2 });
    expect(message.status).toBe('sms_sent');
    expect(smsCount).toBe(1);
    const attempts = view.timeline.filter((e: { type: string }) => e.type === 'REVOKE_ATTEMPT');
    const gap = new Date(attempts[1].at).getTime() - new Date(attempts[0].at).getTime();
    expect(gap).toBeGreaterThanOrEqual(message.policy.graceMs);
  });

  it('404 in every round: otp falls back (delivery uncertain), never more than once', async () => {
    const phone = '+14155550205';
    offlinePast(phone, { racesRevoke: { answer: 404, deliveredAfterMs: null } }, 24);
    const id = await sendOk(h, otpRequest(phone));
    await h.advance(3 * 3_600_000);
    const { message, truth, smsCount } = await expectConsistentWithTruth(h, id);
    expect(truth?.revokeAttempts.map((a) => a.answer)).toEqual([404, 404, 404]);
    expect(message.revocation).toMatchObject({ state: 'failed', round: 3 });
    expect(message.status).toBe('sms_sent');
    expect(smsCount).toBe(1);
  });

  it('404 in every round: promo records the failure and sends no SMS (revocation never confirmed)', async () => {
    const phone = '+14155550206';
    offlinePast(phone, { racesRevoke: { answer: 404, deliveredAfterMs: null } }, 24);
    const id = await sendOk(h, promoRequest(phone));
    await h.advance(3 * 3_600_000);
    const { message, truth, smsCount } = await expectConsistentWithTruth(h, id);
    expect(truth?.revokeAttempts.map((a) => a.answer)).toEqual([404, 404, 404]);
    expect(message.revocation).toMatchObject({ state: 'failed', round: 3 });
    expect(message.revocation.reason).toMatch(/delivery uncertain/);
    expect(message.fallback.state).toBe('skipped');
    expect(message.status).toBe('failed');
    expect(smsCount).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { expectConsistentWithTruth, otpRequest, promoRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

const online = { rcs: true, offline: [], latency: { median: 2_000, spread: 0 }, neverReads: true };
const phones = {
  delivered: '+14155550101',
  read: '+14155550102',
  offlinePromo: '+14155550103',
  offlineOtp: '+14155550104',
};
const h = useStack({
  phones: {
    [phones.delivered]: online,
    [phones.read]: {
      ...online,
      neverReads: false,
      read: { probability: 1, delay: { median: 20_000, spread: 0 } },
    },
  },
});

describe('delivered before the deadline', () => {
  it('is recorded delivered, its revoke task is cancelled, nothing is revoked, no SMS', async () => {
    const id = await sendOk(h, otpRequest(phones.delivered));
    await h.advance(30 * 60_000); // well past the 10-minute deadline
    const { message, truth, smsCount } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('delivered');
    expect(truth?.revokeAttempts).toEqual([]);
    expect(smsCount).toBe(0);
    expect(h.stack.tasks.tasks('rbm-revoke')).toEqual([]);
    expect(message.dueAt).toBeUndefined();
  });
});

describe('read', () => {
  it('ends read with both times, from the platform events', async () => {
    const id = await sendOk(h, promoRequest(phones.read));
    await h.advance(2 * 3_600_000);
    const { message, truth } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('read');
    expect(new Date(message.readAt).getTime()).toBe(truth?.readAt);
    expect(new Date(message.deliveredAt).getTime()).toBe(truth?.deliveredAt);
  });
});

describe('offline phone: revoked at the deadline, then SMS', () => {
  it('promo: revoke 200, grace with no DELIVERED, revocation confirmed, one SMS; the phone never gets the RCS', async () => {
    // Offline windows count from when the rules are set: set them now, the clock has moved.
    h.stack.rbm.setPhone(phones.offlinePromo, { rcs: true, offline: [{ forMs: 3 * 3_600_000 }] });
    const id = await sendOk(h, promoRequest(phones.offlinePromo));
    await h.advance(4 * 3_600_000); // the phone comes back after 3 hours
    const { message, truth, smsCount, view } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('sms_sent');
    expect(message.revocation).toMatchObject({ state: 'confirmed', attempts: 1, lastStatus: 200 });
    expect(truth?.neverDelivered).toBe(true);
    expect(smsCount).toBe(1);
    const types = view.timeline.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['REGISTERED', 'REVOKE_ATTEMPT', 'REVOKE_CONFIRM']));
    // Revoked at the deadline, not before.
    const attempt = view.timeline.find((e: { type: string }) => e.type === 'REVOKE_ATTEMPT');
    expect(new Date(attempt.at).getTime()).toBeGreaterThanOrEqual(new Date(message.deadline).getTime());
  });

  it('otp: the SMS goes as soon as the revoke is requested, not after the grace period', async () => {
    h.stack.rbm.setPhone(phones.offlineOtp, { rcs: true, offline: [{ forMs: 3_600_000 }] });
    const id = await sendOk(h, otpRequest(phones.offlineOtp));
    await h.advance(2 * 3_600_000);
    const { message, smsCount } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('sms_sent');
    expect(smsCount).toBe(1);
    const sentAt = new Date(message.fallback.sentAt).getTime();
    expect(sentAt - new Date(message.deadline).getTime()).toBeLessThan(message.policy.graceMs);
  });
});

import { describe, expect, it } from 'vitest';
import { expectConsistentWithTruth, otpRequest, promoRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

const h = useStack();

describe('non-RCS number', () => {
  it('the platform answers 404 on send: straight to one SMS, nothing to revoke', async () => {
    const phone = '+14155550301';
    h.stack.rbm.setPhone(phone, { rcs: false });
    const id = await sendOk(h, otpRequest(phone));
    await h.advance(30 * 60_000);
    const { message, truth, smsCount } = await expectConsistentWithTruth(h, id);
    expect(truth).toBeUndefined(); // the platform never accepted it
    expect(message).toMatchObject({ status: 'sms_sent', send: { state: 'not_rcs', httpStatus: 404 } });
    expect(message.revocation.attempts).toBe(0);
    expect(smsCount).toBe(1);
  });

  it('without SMS text it is recorded as failed, with the reason', async () => {
    const phone = '+14155550302';
    h.stack.rbm.setPhone(phone, { rcs: false });
    const { sms: _sms, ...request } = promoRequest(phone);
    const id = await sendOk(h, request);
    const { message } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('failed');
    expect(h.stack.tasks.tasks('rbm-revoke').filter((t) => t.name.includes(id))).toEqual([]);
  });
});

describe('opted-out number', () => {
  it('after UNSUBSCRIBE a send is refused with 422 and nothing reaches the platform; SUBSCRIBE lifts it', async () => {
    const phone = '+14155550303';
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [] });
    h.stack.rbm.userAction(phone, { type: 'unsubscribe' });
    await h.advance(10_000);
    const refused = await h.send(otpRequest(phone));
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatch(/opted out/);
    expect(h.stack.rbm.truth.messagesTo(phone)).toEqual([]);
    h.stack.rbm.userAction(phone, { type: 'subscribe' });
    await h.advance(10_000);
    expect((await h.send(otpRequest(phone))).status).toBe(201);
  });
});

describe('TTL expired by the platform', () => {
  it('platform expiry set from the deadline: TTL_EXPIRATION_REVOKED confirms the revocation; one SMS', async () => {
    const phone = '+14155550304';
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [{ forMs: 24 * 3_600_000 }] });
    const id = await sendOk(h, promoRequest(phone, { platformExpiry: true, revokeAfter: '15m' }));
    await h.advance(2 * 3_600_000);
    const { message, truth, smsCount, view } = await expectConsistentWithTruth(h, id);
    expect(truth?.ttl?.outcome).toBe('revoked');
    expect(truth?.neverDelivered).toBe(true);
    expect(message.revocation.state).toBe('confirmed');
    expect(message.status).toBe('sms_sent');
    expect(smsCount).toBe(1);
    expect(view.timeline.map((e: { type: string }) => e.type)).toContain('TTL_EXPIRATION_REVOKED');
  });
});

describe('TTL expired by the platform with no notice at all (Google: "neither" may happen)', () => {
  // The phone stays offline, the platform revokes at expireTime (= the deadline) and posts no
  // TTL_EXPIRATION_REVOKED; no DELIVERED either. The product's own deadline revoke must end it.
  const silentlyExpired = async (phone: string, request: { messageId: string } & Record<string, unknown>) => {
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [{ forMs: 24 * 3_600_000 }], silentTtl: true });
    const id = await sendOk(h, request);
    await h.advance(2 * 3_600_000);
    const result = await expectConsistentWithTruth(h, id);
    expect(result.truth?.ttl).toMatchObject({ outcome: 'revoked', notified: false });
    expect(result.truth?.neverDelivered).toBe(true);
    expect(h.stack.rbm.truth.webhookFor(id), 'the platform told the webhook nothing').toEqual([]);
    // The deadline's revoke found the message already gone: 404 in every round, never a delivery.
    expect(result.truth?.revokeAttempts.map((a) => a.outcome)).toEqual([
      'already-gone',
      'already-gone',
      'already-gone',
    ]);
    expect(result.message.deliveredAt).toBeUndefined();
    return result;
  };

  it('otp: the deadline revoke gets 404 three rounds, delivery stays uncertain, one SMS', async () => {
    const phone = '+14155550305';
    const { message, smsCount, view } = await silentlyExpired(
      phone,
      otpRequest(phone, { platformExpiry: true }),
    );
    expect(message.status).toBe('sms_sent');
    expect(message.revocation).toMatchObject({ state: 'failed', round: 3 });
    expect(smsCount).toBe(1);
    expect(view.timeline.map((e: { type: string }) => e.type)).not.toContain('TTL_EXPIRATION_REVOKED');
  });

  it('promo: the same rounds, then failed with the reason and no SMS (it sends only on a confirmed revocation)', async () => {
    const phone = '+14155550306';
    const { message, smsCount } = await silentlyExpired(
      phone,
      promoRequest(phone, { platformExpiry: true, revokeAfter: '15m' }),
    );
    expect(message.status).toBe('failed');
    expect(message.revocation.reason).toMatch(/404 in 3 rounds/);
    expect(smsCount).toBe(0);
  });
});

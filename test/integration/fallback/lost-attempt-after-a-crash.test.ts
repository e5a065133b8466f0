import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fallbackLeaseMs, unknownOutcomeReason } from '../../../shared/lifecycle/fallback.ts';
import { policies } from '../../../shared/lifecycle/policy.ts';
import { signBody } from '../../../shared/sms/index.ts';
import { fallbackDueMessage, seedMessage, storedMessage } from '../../helpers/message-fixture.ts';
import { deliverTask, secret, timeoutMs, twilioAccount, twilioFrom, useFallbackRig } from './setup.ts';

/*
 * A function instance claimed the send, the provider accepted the SMS, and the
 * instance died before storing the answer: the message keeps its claim
 * (attempts 1, sendingUntil) and nothing else. What happens when Cloud Tasks
 * delivers the task again depends on whether the provider can deduplicate.
 */
const rig = useFallbackRig();
const leaseMs = fallbackLeaseMs(timeoutMs);

async function seedClaimed(provider: 'http' | 'twilio', phone: string, leaseLeftMs: number) {
  const messageId = randomUUID();
  await seedMessage(
    rig.fs.db,
    fallbackDueMessage({
      messageId,
      phoneNumber: phone,
      now: rig.now(),
      policy: policies.otp,
      fallback: { attempts: 1, provider, sendingUntil: new Date(rig.now().getTime() + leaseLeftMs) },
    }),
  );
  return messageId;
}

/** What the dead instance had sent before it died, straight to the sandbox. */
async function sentBeforeTheCrash(provider: 'http' | 'twilio', messageId: string, phone: string) {
  if (provider === 'http') {
    const body = JSON.stringify({ to: phone, text: 'Your code is 482913', idempotencyKey: messageId });
    const res = await fetch(rig.sms.genericUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': messageId,
        'x-signature': signBody(secret, body),
      },
      body,
    });
    expect(res.status).toBe(201);
    return;
  }
  const res = await fetch(
    `${rig.sms.twilioBaseUrl}/2010-04-01/Accounts/${twilioAccount.accountSid}/Messages.json`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${twilioAccount.accountSid}:${twilioAccount.authToken}`).toString('base64')}`,
      },
      body: new URLSearchParams({ To: phone, From: twilioFrom, Body: 'Your code is 482913' }).toString(),
    },
  );
  expect(res.status).toBe(201);
}

describe('a claim whose answer was never stored', () => {
  it('while its lease holds, a redelivery is told to wait (both providers)', async () => {
    for (const provider of ['http', 'twilio'] as const) {
      const phone = rig.phone();
      const messageId = await seedClaimed(provider, phone, 30_000);
      const answer = await deliverTask(rig.url(provider), messageId, { retryCount: 1 });
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toBe('30');
      expect(rig.sms.records.attempts.filter((a) => a.to === phone)).toEqual([]);
    }
  });

  it('generic provider: after the lease, the resend carries the same key and the provider replays; one SMS', async () => {
    const phone = rig.phone();
    const messageId = await seedClaimed('http', phone, leaseMs);
    await sentBeforeTheCrash('http', messageId, phone);
    rig.clock.advance(leaseMs);

    const answer = await deliverTask(rig.url('http'), messageId, { retryCount: 1 });
    expect(answer.body).toMatchObject({ outcome: 'recorded', state: 'sent' });
    const truth = rig.sms.sent(phone);
    expect(truth).toHaveLength(1);
    expect((await storedMessage(rig.fs.db, messageId)).fallback).toMatchObject({
      state: 'sent',
      attempts: 2,
      providerId: truth[0]?.id,
    });
  });

  it('Twilio: after the lease, the fallback is failed as unknown instead of sending again; one SMS', async () => {
    const phone = rig.phone();
    const messageId = await seedClaimed('twilio', phone, leaseMs);
    await sentBeforeTheCrash('twilio', messageId, phone);
    rig.clock.advance(leaseMs);

    const answer = await deliverTask(rig.url('twilio'), messageId, { retryCount: 1 });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ outcome: 'settled', state: 'failed' });
    expect(answer.body.reason).toContain(unknownOutcomeReason);
    expect(rig.sms.sent(phone)).toHaveLength(1);
    const message = await storedMessage(rig.fs.db, messageId);
    expect(message.fallback).toMatchObject({ state: 'failed', attempts: 1 });
    expect(message.fallback.sendingUntil).toBeUndefined();
    expect(message.fallback.text).toBeUndefined();
  });

  it('a provider switch between attempts does not resend what the old provider may have sent', async () => {
    const phone = rig.phone();
    const messageId = await seedClaimed('http', phone, 0);
    const answer = await deliverTask(rig.url('twilio'), messageId, { retryCount: 1 });
    expect(answer.body).toMatchObject({ outcome: 'settled', state: 'failed' });
    expect(answer.body.reason).toMatch(/provider is now twilio/);
    expect(rig.sms.records.attempts.filter((a) => a.to === phone)).toEqual([]);
  });
});

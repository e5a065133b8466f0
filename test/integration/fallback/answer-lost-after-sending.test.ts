import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { unknownOutcomeReason } from '../../../shared/lifecycle/fallback.ts';
import { policies } from '../../../shared/lifecycle/policy.ts';
import { fallbackDueMessage, seedMessage, storedMessage } from '../../helpers/message-fixture.ts';
import { deliverTask, useFallbackRig } from './setup.ts';

// The sandbox sends the SMS and then loses the answer (`phase: 'after'`): the case where a naive retry sends twice.
const rig = useFallbackRig();

async function seed(phone: string) {
  const messageId = randomUUID();
  await seedMessage(
    rig.fs.db,
    fallbackDueMessage({ messageId, phoneNumber: phone, now: rig.now(), policy: policies.otp }),
  );
  return messageId;
}

describe('generic provider: the answer is lost after the SMS went out', () => {
  it.each([
    ['the connection drops', { kind: 'drop' as const }],
    ['a 503 comes back', { status: 503 }],
  ])('%s: the retry uses the same key, the provider replays, no second SMS', async (_, failure) => {
    const phone = rig.phone();
    const messageId = await seed(phone);
    rig.sms.setFailures([{ to: phone, phase: 'after', times: 1, ...failure }]);

    const first = await deliverTask(rig.url('http'), messageId);
    expect(first.status).toBe(503);
    expect(rig.sms.sent(phone)).toHaveLength(1);

    const retry = await deliverTask(rig.url('http'), messageId, { retryCount: 1 });
    expect(retry.body).toMatchObject({ outcome: 'recorded', state: 'sent' });

    const truth = rig.sms.sent(phone);
    expect(truth).toHaveLength(1);
    expect(
      rig.sms.records.attempts.filter((a) => a.to === phone).map((a) => [a.outcome, a.idempotencyKey]),
    ).toEqual([
      ['sent-then-failed', messageId],
      ['replayed', messageId],
    ]);
    expect((await storedMessage(rig.fs.db, messageId)).fallback).toMatchObject({
      state: 'sent',
      attempts: 2,
      providerId: truth[0]?.id,
    });
  });
});

describe('Twilio: the answer is lost after the SMS went out', () => {
  it.each([
    ['the connection drops', { kind: 'drop' as const }],
    ['a 500 comes back (Twilio: a 500 on a send may have sent)', { status: 500 }],
  ])('%s: recorded as failed with the reason, never retried; exactly one SMS', async (_, failure) => {
    const phone = rig.phone();
    const messageId = await seed(phone);
    rig.sms.setFailures([{ to: phone, phase: 'after', times: 1, ...failure }]);

    const first = await deliverTask(rig.url('twilio'), messageId);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ outcome: 'recorded', state: 'failed' });

    const message = await storedMessage(rig.fs.db, messageId);
    expect(message.fallback.state).toBe('failed');
    expect(message.fallback.reason).toContain(unknownOutcomeReason);
    expect(message.fallback.text).toBeUndefined();

    // Cloud Tasks delivering the task again changes nothing.
    expect((await deliverTask(rig.url('twilio'), messageId, { retryCount: 1 })).body.outcome).toBe('skipped');
    expect(rig.sms.sent(phone)).toHaveLength(1);
    expect(rig.sms.records.attempts.filter((a) => a.to === phone)).toHaveLength(1);
    expect(rig.sms.records.duplicates()).toEqual([]);
  });
});

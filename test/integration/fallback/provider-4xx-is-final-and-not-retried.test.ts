import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fallbackDueMessage, seedMessage, storedMessage, timeline } from '../../helpers/message-fixture.ts';
import { deliverTask, providers, useFallbackRig } from './setup.ts';

const rig = useFallbackRig();

describe.each(providers)('a 4xx from the %s provider', (provider) => {
  it('records the fallback as failed with the reason and answers 200, so nothing retries it', async () => {
    const messageId = randomUUID();
    // Not E.164: both provider shapes refuse it with a 400.
    const phone = `15551${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    await seedMessage(rig.fs.db, fallbackDueMessage({ messageId, phoneNumber: phone, now: rig.now() }));
    const before = rig.sms.records.attempts.length;

    const answer = await deliverTask(rig.url(provider), messageId);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ outcome: 'recorded', state: 'failed' });

    const message = await storedMessage(rig.fs.db, messageId);
    expect(message.status).toBe('failed');
    expect(message.fallback.state).toBe('failed');
    expect(message.fallback.reason).toMatch(
      provider === 'http'
        ? /^http refused the SMS: 400 invalid_request/
        : /^twilio refused the SMS: 400 21211 /,
    );
    expect(message.fallback.text).toBeUndefined();
    expect((await timeline(rig.fs.db, messageId))['fallback-attempt-1']).toMatchObject({
      outcome: 'permanent',
      status: 400,
      fallbackState: 'failed',
    });

    // A duplicate delivery of the task does not call the provider again.
    expect((await deliverTask(rig.url(provider), messageId, { retryCount: 1 })).body.outcome).toBe('skipped');
    // The sandbox saw one request, refused with a 400, and sent nothing.
    expect(rig.sms.records.attempts.slice(before).map((a) => [a.status, a.outcome])).toEqual([
      [400, 'rejected'],
    ]);
    expect(rig.sms.sent()).toEqual([]);
  });

  it('an injected 4xx (the provider refusing a well-formed request) is final too', async () => {
    const messageId = randomUUID();
    const phone = rig.phone();
    rig.sms.setFailures([{ to: phone, status: 403 }]);
    await seedMessage(rig.fs.db, fallbackDueMessage({ messageId, phoneNumber: phone, now: rig.now() }));

    expect((await deliverTask(rig.url(provider), messageId)).body).toMatchObject({ state: 'failed' });
    expect((await deliverTask(rig.url(provider), messageId, { retryCount: 1 })).body.outcome).toBe('skipped');
    expect(rig.sms.records.attempts.filter((a) => a.to === phone)).toHaveLength(1);
    expect(rig.sms.sent(phone)).toEqual([]);
  });
});

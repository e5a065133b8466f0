import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fallbackDueMessage, seedMessage, storedMessage } from '../../helpers/message-fixture.ts';
import { deliverTask, providers, useFallbackRig } from './setup.ts';

const rig = useFallbackRig();

describe.each(providers)('5xx and 429 from the %s provider', (provider) => {
  it('answers 503 (with the Retry-After the provider gave) until a retry gets the SMS through, once', async () => {
    const messageId = randomUUID();
    const phone = rig.phone();
    rig.sms.setFailures([
      { to: phone, status: 503, times: 1 },
      { to: phone, status: 429, retryAfterSeconds: 7, times: 1 },
    ]);
    await seedMessage(rig.fs.db, fallbackDueMessage({ messageId, phoneNumber: phone, now: rig.now() }));

    const first = await deliverTask(rig.url(provider), messageId);
    expect(first.status).toBe(503);
    expect(first.body.outcome).toBe('retry');
    expect(first.retryAfter).toBeNull();
    let message = await storedMessage(rig.fs.db, messageId);
    expect(message.fallback).toMatchObject({ state: 'pending', attempts: 1 });
    expect(message.fallback.text).toBeDefined();

    rig.clock.advance(10_000);
    const second = await deliverTask(rig.url(provider), messageId, { retryCount: 1 });
    expect(second.status).toBe(503);
    expect(second.retryAfter).toBe('7');

    rig.clock.advance(7_000);
    const third = await deliverTask(rig.url(provider), messageId, { retryCount: 2 });
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ outcome: 'recorded', state: 'sent' });

    const truth = rig.sms.sent(phone);
    expect(truth).toHaveLength(1);
    expect(rig.sms.records.attempts.filter((a) => a.to === phone).map((a) => a.outcome)).toEqual([
      'failed',
      'failed',
      'sent',
    ]);
    message = await storedMessage(rig.fs.db, messageId);
    expect(message.fallback).toMatchObject({ state: 'sent', attempts: 3, providerId: truth[0]?.id });
  });

  it('a connection dropped after the request was written: the generic provider retries with its key, Twilio cannot tell and stops', async () => {
    const messageId = randomUUID();
    const phone = rig.phone();
    await seedMessage(rig.fs.db, fallbackDueMessage({ messageId, phoneNumber: phone, now: rig.now() }));
    rig.sms.setFailures([{ to: phone, kind: 'drop', phase: 'before', times: 1 }]);

    // The sandbox drops before sending, but the client only sees a request written and no answer.
    const first = await deliverTask(rig.url(provider), messageId);
    if (provider === 'http') {
      expect(first.status).toBe(503);
      expect((await deliverTask(rig.url(provider), messageId, { retryCount: 1 })).body.state).toBe('sent');
      expect(rig.sms.sent(phone)).toHaveLength(1);
    } else {
      expect(first.body).toMatchObject({ outcome: 'recorded', state: 'failed' });
      expect(rig.sms.sent(phone)).toHaveLength(0);
    }
  });
});

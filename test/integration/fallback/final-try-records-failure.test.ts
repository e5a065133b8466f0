import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fallbackDueMessage, seedMessage, storedMessage } from '../../helpers/message-fixture.ts';
import { deliverTask, maxAttempts, providers, useFallbackRig } from './setup.ts';

const rig = useFallbackRig();

describe.each(providers)('the last try (%s)', (provider) => {
  it('a provider still failing on the final try ends the fallback as failed, answered 200', async () => {
    const messageId = randomUUID();
    const phone = rig.phone();
    rig.sms.setFailures([{ to: phone, status: 503 }]);
    await seedMessage(rig.fs.db, fallbackDueMessage({ messageId, phoneNumber: phone, now: rig.now() }));

    for (let retry = 0; retry < maxAttempts - 1; retry++) {
      expect((await deliverTask(rig.url(provider), messageId, { retryCount: retry })).status).toBe(503);
      rig.clock.advance(60_000);
    }
    const last = await deliverTask(rig.url(provider), messageId, { retryCount: maxAttempts - 1 });
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ outcome: 'recorded', state: 'failed' });

    const message = await storedMessage(rig.fs.db, messageId);
    expect(message.status).toBe('failed');
    expect(message.dueAt).toBeUndefined();
    expect(message.fallback).toMatchObject({ state: 'failed', attempts: maxAttempts });
    expect(message.fallback.reason).toMatch(/kept failing until the retry budget was spent \(last: 503 /);
    expect(message.fallback.text).toBeUndefined();
    expect(rig.sms.records.attempts.filter((a) => a.to === phone)).toHaveLength(maxAttempts);
    expect(rig.sms.sent(phone)).toEqual([]);
  });
});

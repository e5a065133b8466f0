import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fallbackLeaseMs } from '../../../shared/lifecycle/fallback.ts';
import { policies } from '../../../shared/lifecycle/policy.ts';
import { fallbackDueMessage, seedMessage, storedMessage } from '../../helpers/message-fixture.ts';
import { deliverTask, HoldingProxy, providers, timeoutMs, useFallbackRig } from './setup.ts';

// Every provider call goes through a proxy that can hold it, so a send can be kept in flight.
const proxy = new HoldingProxy();
const rig = useFallbackRig({ proxy });

async function seed() {
  const messageId = randomUUID();
  const phone = rig.phone();
  await seedMessage(
    rig.fs.db,
    fallbackDueMessage({ messageId, phoneNumber: phone, now: rig.now(), policy: policies.otp }),
  );
  return { messageId, phone };
}

describe.each(providers)('duplicate deliveries of one fallback task (%s)', (provider) => {
  it('sequential duplicates: the first sends, the others find it sent; one SMS', async () => {
    const { messageId, phone } = await seed();
    const answers = [];
    for (let retry = 0; retry < 3; retry++) answers.push(await deliverTask(rig.url(provider), messageId));
    expect(answers.map((a) => [a.status, a.body.outcome])).toEqual([
      [200, 'recorded'],
      [200, 'skipped'],
      [200, 'skipped'],
    ]);
    expect(rig.sms.sent(phone)).toHaveLength(1);
    expect(rig.sms.records.attempts.filter((a) => a.to === phone)).toHaveLength(1);
  });

  it('concurrent duplicates: exactly one SMS; the rest are told to retry or find it sent', async () => {
    const { messageId, phone } = await seed();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => deliverTask(rig.url(provider), messageId)),
    );
    expect(rig.sms.sent(phone)).toHaveLength(1);
    expect(rig.sms.records.attempts.filter((a) => a.to === phone)).toHaveLength(1);
    expect(answers.filter((a) => a.body.outcome === 'recorded')).toHaveLength(1);
    for (const a of answers) expect([200, 503]).toContain(a.status);
    expect((await storedMessage(rig.fs.db, messageId)).fallback).toMatchObject({
      state: 'sent',
      attempts: 1,
    });
  });

  it('a duplicate that arrives while the send is in flight is answered 503 with Retry-After and sends nothing', async () => {
    const { messageId, phone } = await seed();
    proxy.hold();
    const first = deliverTask(rig.url(provider), messageId);
    await proxy.waitHeld(1);

    const duplicate = await deliverTask(rig.url(provider), messageId, { retryCount: 1 });
    expect(duplicate.status).toBe(503);
    expect(duplicate.body.outcome).toBe('busy');
    expect(Number(duplicate.retryAfter)).toBe(Math.ceil(fallbackLeaseMs(timeoutMs) / 1000));
    expect(proxy.heldCount).toBe(1);

    proxy.release();
    expect((await first).body).toMatchObject({ outcome: 'recorded', state: 'sent' });
    expect((await deliverTask(rig.url(provider), messageId, { retryCount: 2 })).body.outcome).toBe('skipped');
    expect(rig.sms.sent(phone)).toHaveLength(1);
  });

  it('even when the lease runs out while the first send is still in flight, only one SMS goes out', async () => {
    const { messageId, phone } = await seed();
    proxy.hold();
    const first = deliverTask(rig.url(provider), messageId);
    await proxy.waitHeld(1);
    rig.clock.advance(fallbackLeaseMs(timeoutMs));

    const late = deliverTask(rig.url(provider), messageId, { retryCount: 1 });
    if (provider === 'http') {
      // The generic provider deduplicates: the second attempt goes out with the same key.
      await proxy.waitHeld(2);
      proxy.release();
      const answers = await Promise.all([first, late]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const attempts = rig.sms.records.attempts.filter((a) => a.to === phone);
      expect(attempts.map((a) => a.outcome).sort()).toEqual(['replayed', 'sent']);
      expect(new Set(attempts.map((a) => a.idempotencyKey))).toEqual(new Set([messageId]));
    } else {
      // Twilio cannot deduplicate: the late delivery gives up instead of sending again...
      expect((await late).body).toMatchObject({ outcome: 'settled', state: 'failed' });
      proxy.release();
      // ...and the first send, which did go out, is still recorded as the truth.
      expect((await first).body).toMatchObject({ outcome: 'recorded', state: 'sent' });
    }
    expect(rig.sms.sent(phone)).toHaveLength(1);
    const message = await storedMessage(rig.fs.db, messageId);
    expect(message.fallback.state).toBe('sent');
    expect(message.fallback.providerId).toBe(rig.sms.sent(phone)[0]?.id);
  });
});

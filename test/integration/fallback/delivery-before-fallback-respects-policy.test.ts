import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { policies } from '../../../shared/lifecycle/policy.ts';
import { applyDeliveryFact } from '../../../shared/lifecycle/receipts.ts';
import { fallbackDueMessage, seedMessage, storedMessage } from '../../helpers/message-fixture.ts';
import { deliverTask, providers, useFallbackRig } from './setup.ts';

const rig = useFallbackRig();

describe.each(providers)('law 4 at the fallback step (%s)', (provider) => {
  it('promo: a DELIVERED the webhook recorded before the task ran means no SMS', async () => {
    const messageId = randomUUID();
    const phone = rig.phone();
    const due = fallbackDueMessage({ messageId, phoneNumber: phone, now: rig.now(), policy: policies.promo });
    const { message } = applyDeliveryFact(
      due,
      { type: 'DELIVERED', messageId, agentId: 'test-agent', phoneNumber: phone, at: rig.now() },
      rig.now(),
    );
    await seedMessage(rig.fs.db, message);

    const answer = await deliverTask(rig.url(provider), messageId);
    expect(answer.status).toBe(200);
    expect(answer.body.outcome).toBe('skipped');
    expect(rig.sms.sent(phone)).toEqual([]);
    expect((await storedMessage(rig.fs.db, messageId)).fallback.state).toBe('skipped');
  });

  it('promo: delivered but the fallback still marked pending -> closed as skipped, no SMS', async () => {
    const messageId = randomUUID();
    const phone = rig.phone();
    await seedMessage(
      rig.fs.db,
      fallbackDueMessage({
        messageId,
        phoneNumber: phone,
        now: rig.now(),
        policy: policies.promo,
        overrides: { deliveredAt: new Date(rig.now().getTime() - 30_000) },
      }),
    );

    const answer = await deliverTask(rig.url(provider), messageId);
    expect(answer.body).toMatchObject({ outcome: 'settled', state: 'skipped' });
    expect(rig.sms.sent(phone)).toEqual([]);
    const message = await storedMessage(rig.fs.db, messageId);
    expect(message.fallback).toMatchObject({
      state: 'skipped',
      reason: 'RCS delivery confirmed before the SMS went out',
    });
    expect(message.fallback.text).toBeUndefined();
    expect(message.status).toBe('delivered');
  });

  it('otp with delivery uncertain (revoke requested, no DELIVERED, not confirmed) -> the SMS goes', async () => {
    const messageId = randomUUID();
    const phone = rig.phone();
    await seedMessage(
      rig.fs.db,
      fallbackDueMessage({
        messageId,
        phoneNumber: phone,
        now: rig.now(),
        policy: policies.otp,
        revocation: { state: 'requested', confirmedAt: undefined },
        fallback: { reason: 'revoke requested (time-critical policy)' },
      }),
    );

    const answer = await deliverTask(rig.url(provider), messageId);
    expect(answer.body).toMatchObject({ outcome: 'recorded', state: 'sent' });
    expect(rig.sms.sent(phone)).toHaveLength(1);
    expect((await storedMessage(rig.fs.db, messageId)).status).toBe('sms_sent');
  });
});

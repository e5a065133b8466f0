import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { policies } from '../../../shared/lifecycle/policy.ts';
import { fallbackDueMessage, seedMessage, storedMessage, timeline } from '../../helpers/message-fixture.ts';
import { deliverTask, providers, twilioFrom, useFallbackRig } from './setup.ts';

const rig = useFallbackRig();

describe.each(providers)('fallback through the %s provider', (provider) => {
  it('sends the SMS once and records provider, provider id and time; the text is not kept', async () => {
    const messageId = randomUUID();
    const phone = rig.phone();
    await seedMessage(
      rig.fs.db,
      fallbackDueMessage({ messageId, phoneNumber: phone, now: rig.now(), policy: policies.otp }),
    );

    const answer = await deliverTask(rig.url(provider), messageId);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ outcome: 'recorded', state: 'sent' });
    // Ground truth: the sandbox accepted exactly one SMS, to this number, with this text.
    const truth = rig.sms.sent(phone);
    expect(truth).toHaveLength(1);
    expect(truth[0]).toMatchObject({
      shape: provider === 'http' ? 'generic' : 'twilio',
      to: phone,
      text: 'Your code is 482913',
      idempotencyKey: provider === 'http' ? messageId : null,
      from: provider === 'http' ? null : twilioFrom,
      delivered: true,
    });

    const message = await storedMessage(rig.fs.db, messageId);
    expect(message.status).toBe('sms_sent');
    expect(message.dueAt).toBeUndefined();
    expect(message.fallback).toEqual({
      state: 'sent',
      enabled: true,
      attempts: 1,
      provider,
      providerId: truth[0]?.id,
      sentAt: new Date(truth[0]?.acceptedAt ?? 0),
      reason: `sent by ${provider}`,
    });

    const events = await timeline(rig.fs.db, messageId);
    expect(events['fallback-attempt-1']).toMatchObject({
      type: 'FALLBACK_ATTEMPT',
      source: 'system',
      attempt: 1,
      provider,
      outcome: 'sent',
      status: 201,
      latencyMs: expect.any(Number),
      providerId: truth[0]?.id,
      fallbackState: 'sent',
    });
    expect(JSON.stringify(events)).not.toContain('482913');
  });
});

import { describe, expect, it } from 'vitest';
import {
  applySendResult,
  type FallbackPlan,
  fallbackLeaseMs,
  planFallback,
  type SendOutcome,
  unknownOutcomeReason,
} from '../../shared/lifecycle/fallback.ts';
import { policies } from '../../shared/lifecycle/policy.ts';
import { applyDeliveryFact } from '../../shared/lifecycle/receipts.ts';
import { refreshDerived } from '../../shared/lifecycle/status.ts';
import type { Fallback, Message, Policy } from '../../shared/lifecycle/types.ts';
import type { SmsProviderName, SmsResult } from '../../shared/sms/types.ts';

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 21, 12, 0, 0) + seconds * 1000);
const leaseMs = fallbackLeaseMs(10_000);
const http = { provider: 'http', leaseMs } as const;
const twilio = { provider: 'twilio', leaseMs } as const;
const text = 'Your code is 123456';

/** A message whose revocation is settled and whose SMS is due. */
function due(
  policy: Policy = policies.promo,
  fallback: Partial<Fallback> = {},
  overrides: Partial<Message> = {},
) {
  return refreshDerived({
    messageId: 'm-1',
    agentId: 'agent',
    phoneNumber: '+14155550123',
    tracked: true,
    status: 'pending',
    policy,
    labels: {},
    createdAt: t(0),
    deadline: t(600),
    revocation: {
      state: 'confirmed',
      attempts: 1,
      round: 1,
      answeredRound: 1,
      taskSequence: 0,
      confirmedAt: t(700),
    },
    fallback: { state: 'pending', enabled: true, text, ...fallback },
    duplicateDelivery: false,
    lateDelivery: false,
    updatedAt: t(700),
    ...overrides,
  } satisfies Message);
}

function claimed(plan: FallbackPlan): Extract<FallbackPlan, { action: 'claim' }> {
  if (plan.action !== 'claim') throw new Error(`expected a claim, got ${JSON.stringify(plan)}`);
  return plan;
}

function settled(plan: FallbackPlan): Extract<FallbackPlan, { action: 'settle' }> {
  if (plan.action !== 'settle') throw new Error(`expected a settle, got ${JSON.stringify(plan)}`);
  return plan;
}

const sent = (provider: SmsProviderName, providerId = 'sms_1'): SmsResult => ({
  kind: 'sent',
  provider,
  status: 201,
  providerId,
  latencyMs: 12,
});
const permanent = (provider: SmsProviderName): SmsResult => ({
  kind: 'permanent',
  provider,
  status: 400,
  error: '21211 Invalid To',
  latencyMs: 5,
});
const transient = (provider: SmsProviderName, status = 503, retryAfterMs?: number): SmsResult => ({
  kind: 'transient',
  provider,
  status,
  error: 'unavailable',
  latencyMs: 5,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});
const ambiguous = (provider: SmsProviderName): SmsResult => ({
  kind: 'ambiguous',
  provider,
  status: 0,
  error: 'ECONNRESET: socket hang up',
  latencyMs: 5,
});

function delivered(message: Message, at: Date): Message {
  return applyDeliveryFact(
    message,
    {
      type: 'DELIVERED',
      messageId: message.messageId,
      agentId: 'agent',
      phoneNumber: message.phoneNumber,
      at,
    },
    at,
  ).message;
}

describe('planFallback: when not to send', () => {
  it('skips a message it does not know or does not track', () => {
    expect(planFallback(undefined, t(700), http)).toEqual({ action: 'skip', reason: 'no such message' });
    expect(planFallback(due(policies.otp, {}, { tracked: false }), t(700), http)).toEqual({
      action: 'skip',
      reason: 'message is not tracked',
    });
  });

  it.each(['none', 'sent', 'skipped', 'failed'] as const)('skips a fallback that is %s', (state) => {
    expect(planFallback(due(policies.otp, { state }), t(700), http)).toEqual({
      action: 'skip',
      reason: `fallback is ${state}`,
    });
  });

  it('law 4: a DELIVERED recorded by the webhook before the task ran means no SMS, even for an OTP', () => {
    for (const policy of [policies.promo, policies.otp]) {
      const message = delivered(due(policy), t(710));
      expect(message.fallback.state).toBe('skipped');
      expect(planFallback(message, t(720), http).action).toBe('skip');
    }
  });

  it('law 4: delivered and the policy is not time-critical -> closed as skipped, text dropped, settled', () => {
    const plan = settled(planFallback(due(policies.promo, {}, { deliveredAt: t(650) }), t(720), http));
    expect(plan.message.fallback).toEqual({
      state: 'skipped',
      enabled: true,
      reason: 'RCS delivery confirmed before the SMS went out',
    });
    expect(plan.message.status).toBe('delivered');
    expect(plan.message.dueAt).toBeUndefined();
  });

  it('law 4: a confirmed delivery rules out the SMS even under a time-critical policy', () => {
    const plan = settled(planFallback(due(policies.otp, {}, { deliveredAt: t(650) }), t(720), http));
    expect(plan.message.fallback).toMatchObject({ state: 'skipped' });
    expect(plan.message.status).toBe('delivered');
  });

  it('closes a fallback with no text as failed rather than sending an empty SMS', () => {
    const plan = settled(planFallback(due(policies.otp, { text: undefined }), t(720), http));
    expect(plan.message.fallback.state).toBe('failed');
    expect(plan.message.status).toBe('failed');
  });
});

describe('planFallback: claiming', () => {
  it('claims attempt 1 with a lease, to the message phone, keyed by messageId, without touching its input', () => {
    const message = due();
    const before = structuredClone(message);
    const plan = claimed(planFallback(message, t(700), twilio));
    expect(plan.attempt).toBe(1);
    expect(plan.request).toEqual({ to: '+14155550123', text, idempotencyKey: 'm-1' });
    expect(plan.message.fallback).toMatchObject({
      state: 'pending',
      attempts: 1,
      provider: 'twilio',
      sendingUntil: new Date(t(700).getTime() + leaseMs),
    });
    expect(plan.message.status).toBe('sms_pending');
    expect(plan.message.updatedAt).toEqual(t(700));
    expect(message).toEqual(before);
  });

  it('answers busy to a duplicate delivery while the lease holds', () => {
    const first = claimed(planFallback(due(), t(700), http));
    const until = new Date(t(700).getTime() + leaseMs);
    expect(planFallback(first.message, t(701), http)).toEqual({ action: 'busy', until });
    expect(planFallback(first.message, new Date(until.getTime() - 1), twilio)).toEqual({
      action: 'busy',
      until,
    });
  });

  it('after a lost attempt (lease expired, no answer stored) the generic provider resends with the same key', () => {
    const first = claimed(planFallback(due(), t(700), http));
    const again = claimed(planFallback(first.message, new Date(t(700).getTime() + leaseMs), http));
    expect(again.attempt).toBe(2);
    expect(again.request.idempotencyKey).toBe(first.request.idempotencyKey);
  });

  it('after a lost Twilio attempt it fails instead of sending again (no idempotency key)', () => {
    const first = claimed(planFallback(due(policies.otp), t(700), twilio));
    const plan = settled(planFallback(first.message, new Date(t(700).getTime() + leaseMs), twilio));
    expect(plan.message.fallback.state).toBe('failed');
    expect(plan.message.fallback.reason).toContain(unknownOutcomeReason);
    expect(plan.message.fallback.text).toBeUndefined();
    expect(plan.message.fallback.sendingUntil).toBeUndefined();
    expect(planFallback(plan.message, t(10_000), twilio).action).toBe('skip');
  });

  it('does not let another provider take over an attempt that may have sent', () => {
    const byHttp = claimed(planFallback(due(), t(700), http));
    const plan = settled(planFallback(byHttp.message, t(10_000), twilio));
    expect(plan.message.fallback.reason).toMatch(/http attempt 1 .*provider is now twilio.*not retried/);
  });
});

describe('applySendResult', () => {
  function claim(provider: typeof http | typeof twilio = http, message = due()) {
    return claimed(planFallback(message, t(700), provider));
  }

  it('sent: records provider, id and time, drops the text and the lease, settles the message', () => {
    const { message, attempt } = claim();
    const outcome = applySendResult(message, attempt, sent('http', 'sms_abc'), false, t(701));
    expect(outcome.kind).toBe('recorded');
    expect(outcome.message.fallback).toEqual({
      state: 'sent',
      enabled: true,
      attempts: 1,
      provider: 'http',
      providerId: 'sms_abc',
      sentAt: t(701),
      reason: 'sent by http',
    });
    expect(outcome.message.status).toBe('sms_sent');
    expect(outcome.message.dueAt).toBeUndefined();
    expect(planFallback(outcome.message, t(702), http).action).toBe('skip');
  });

  it('a replayed "sent" for a message already sent keeps the first record', () => {
    const { message, attempt } = claim();
    const first = applySendResult(message, attempt, sent('http', 'sms_first'), false, t(701)).message;
    const again = applySendResult(first, attempt, sent('http', 'sms_first'), false, t(900)).message;
    expect(again.fallback.sentAt).toEqual(t(701));
    expect(again.fallback.providerId).toBe('sms_first');
  });

  it('law 5: a DELIVERED that arrived while sending does not undo the send; both count as a duplicate', () => {
    const { message, attempt } = claim(twilio, due(policies.otp));
    const deliveredMidSend = delivered(message, t(700));
    // The attempt is out: its answer decides, so the DELIVERED leaves the fallback pending.
    expect(deliveredMidSend.fallback.state).toBe('pending');
    const outcome = applySendResult(deliveredMidSend, attempt, sent('twilio', 'SM1'), false, t(702));
    expect(outcome.message.fallback.state).toBe('sent');
    expect(outcome.message.duplicateDelivery).toBe(true);
    expect(outcome.message.status).toBe('duplicate');
  });

  it('a failed send after a DELIVERED closed the fallback leaves it skipped, without text or lease', () => {
    const { message, attempt } = claim(http, due(policies.otp));
    const outcome = applySendResult(delivered(message, t(700)), attempt, transient('http'), false, t(702));
    expect(outcome.kind).toBe('recorded');
    expect(outcome.message.fallback.state).toBe('skipped');
    expect(outcome.message.fallback.text).toBeUndefined();
    expect(outcome.message.fallback.sendingUntil).toBeUndefined();
  });

  it('permanent (4xx): failed with the reason, never retried', () => {
    const { message, attempt } = claim(twilio);
    const outcome = applySendResult(message, attempt, permanent('twilio'), false, t(701));
    expect(outcome.kind).toBe('recorded');
    expect(outcome.message.fallback).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('21211'),
    });
    expect(outcome.message.fallback.text).toBeUndefined();
    expect(outcome.message.status).toBe('failed');
    expect(planFallback(outcome.message, t(800), twilio).action).toBe('skip');
  });

  it('transient with tries left: retry with Retry-After, lease released, the next try claims at once', () => {
    const { message, attempt } = claim(twilio);
    const outcome = applySendResult(message, attempt, transient('twilio', 429, 30_000), false, t(701));
    expect(outcome).toMatchObject({ kind: 'retry', retryAfterMs: 30_000 });
    expect(outcome.message.fallback.state).toBe('pending');
    expect(outcome.message.fallback.sendingUntil).toBeUndefined();
    expect(outcome.message.fallback.text).toBe(text);
    expect(claimed(planFallback(outcome.message, t(731), twilio)).attempt).toBe(2);
  });

  it('transient on the final try: failed', () => {
    const { message, attempt } = claim(twilio);
    const outcome = applySendResult(message, attempt, transient('twilio'), true, t(701));
    expect(outcome.kind).toBe('recorded');
    expect(outcome.message.fallback.state).toBe('failed');
    expect(outcome.message.fallback.reason).toMatch(/retry budget/);
  });

  it("a generic provider's 5xx may follow a send: its retry is keyed, but no other provider may take over", () => {
    const { message, attempt } = claim(http);
    const outcome = applySendResult(message, attempt, transient('http', 500), false, t(701));
    expect(outcome.kind).toBe('retry');
    expect(outcome.message.fallback.sendingUntil).toEqual(t(701));
    expect(claimed(planFallback(outcome.message, t(702), http)).request.idempotencyKey).toBe('m-1');
    expect(settled(planFallback(outcome.message, t(702), twilio)).message.fallback.state).toBe('failed');
  });

  it('ambiguous from the generic provider: retried with the same key; on the final try, failed as unknown', () => {
    const { message, attempt } = claim(http);
    const outcome = applySendResult(message, attempt, ambiguous('http'), false, t(701));
    expect(outcome.kind).toBe('retry');
    const again = claimed(planFallback(outcome.message, t(702), http));
    expect(again.request.idempotencyKey).toBe('m-1');
    const last = applySendResult(again.message, again.attempt, ambiguous('http'), true, t(703));
    expect(last.kind).toBe('recorded');
    expect(last.message.fallback.state).toBe('failed');
    expect(last.message.fallback.reason).toMatch(/outcome unknown/);
  });

  it('ambiguous from Twilio: failed at once, with tries left, and never sent again', () => {
    const { message, attempt } = claim(twilio, due(policies.otp));
    const outcome = applySendResult(message, attempt, ambiguous('twilio'), false, t(701));
    expect(outcome.kind).toBe('recorded');
    expect(outcome.message.fallback.state).toBe('failed');
    expect(outcome.message.fallback.reason).toBe(
      `twilio gave no usable answer (no answer (ECONNRESET: socket hang up)): ${unknownOutcomeReason}`,
    );
    expect(planFallback(outcome.message, t(10_000), twilio).action).toBe('skip');
  });

  it("a late answer for an older attempt does not release a newer attempt's lease", () => {
    const first = claim(http);
    const second = claimed(planFallback(first.message, new Date(t(700).getTime() + leaseMs), http));
    for (const answer of [transient('http', 429), transient('http', 500), ambiguous('http')]) {
      const late = applySendResult(second.message, first.attempt, answer, false, t(760));
      expect(late.message.fallback.sendingUntil).toEqual(second.message.fallback.sendingUntil);
      expect(planFallback(late.message, t(761), http).action).toBe('busy');
    }
  });

  it('every outcome keeps status and dueAt derived from the facts', () => {
    const { message, attempt } = claim(http);
    const outcomes: SendOutcome[] = [
      applySendResult(message, attempt, sent('http'), false, t(701)),
      applySendResult(message, attempt, permanent('http'), false, t(701)),
      applySendResult(message, attempt, transient('http'), false, t(701)),
      applySendResult(message, attempt, ambiguous('http'), true, t(701)),
    ];
    for (const { message: after } of outcomes) {
      expect(after).toEqual(refreshDerived(structuredClone(after)));
    }
    expect(outcomes.map((o) => o.message.status)).toEqual(['sms_sent', 'failed', 'sms_pending', 'failed']);
  });
});

describe('at most once, over a whole run', () => {
  /** Plays deliveries of the task against one stored message, counting provider calls that could send. */
  function play(provider: typeof http | typeof twilio, answers: SmsResult[], maxTries = 5) {
    let stored = due(policies.otp);
    let calls = 0;
    for (let retry = 0; retry < maxTries; retry++) {
      const now = t(700 + retry * 100);
      const plan = planFallback(stored, now, provider);
      if (plan.action === 'skip' || plan.action === 'busy') continue;
      stored = plan.message;
      if (plan.action === 'settle') continue;
      const answer = answers[calls++] ?? sent(provider.provider);
      stored = applySendResult(stored, plan.attempt, answer, retry === maxTries - 1, now).message;
    }
    return { stored, calls };
  }

  it('Twilio: one ambiguous answer ends the fallback after exactly one call', () => {
    const { stored, calls } = play(twilio, [ambiguous('twilio')]);
    expect(calls).toBe(1);
    expect(stored.fallback.state).toBe('failed');
  });

  it('Twilio: 503 then 429 then sent -> three calls, one SMS recorded', () => {
    const { stored, calls } = play(twilio, [transient('twilio'), transient('twilio', 429)]);
    expect(calls).toBe(3);
    expect(stored.fallback).toMatchObject({ state: 'sent', attempts: 3 });
  });

  it('generic: ambiguous answers are retried, all with the same key, until one is sent', () => {
    const { stored, calls } = play(http, [ambiguous('http'), transient('http', 502)]);
    expect(calls).toBe(3);
    expect(stored.fallback.state).toBe('sent');
  });
});

describe('a DELIVERED while an attempt is out: the record keeps what is not known', () => {
  const claimAt700 = (provider: typeof http | typeof twilio) =>
    claimed(planFallback(due(policies.otp), t(700), provider));

  it('the answer was lost: after the lease the fallback closes as skipped, saying the SMS may have gone out', () => {
    const { message } = claimAt700(http);
    const deliveredMidSend = delivered(message, t(705));
    expect(planFallback(deliveredMidSend, t(710), http).action).toBe('busy');
    const closed = settled(planFallback(deliveredMidSend, t(700 + leaseMs / 1000 + 1), http));
    expect(closed.message.fallback).toMatchObject({ state: 'skipped', outcomeUnknown: true });
    expect(closed.message.fallback.text).toBeUndefined();
    expect(closed.message.status).toBe('delivered');
  });

  it('an ambiguous answer after the DELIVERED: skipped, outcome unknown, not retried', () => {
    const { message, attempt } = claimAt700(http);
    const outcome = applySendResult(delivered(message, t(705)), attempt, ambiguous('http'), false, t(706));
    expect(outcome.kind).toBe('recorded');
    expect(outcome.message.fallback).toMatchObject({ state: 'skipped', outcomeUnknown: true });
  });

  it('a refusal after the DELIVERED proves nothing was sent: skipped, no doubt recorded', () => {
    const { message, attempt } = claimAt700(twilio);
    const outcome = applySendResult(delivered(message, t(705)), attempt, permanent('twilio'), false, t(706));
    expect(outcome.message.fallback.state).toBe('skipped');
    expect(outcome.message.fallback.outcomeUnknown).toBeUndefined();
  });

  it('a Twilio send with no usable answer fails as outcome unknown', () => {
    const { message, attempt } = claimAt700(twilio);
    const outcome = applySendResult(message, attempt, ambiguous('twilio'), false, t(706));
    expect(outcome.message.fallback).toMatchObject({ state: 'failed', outcomeUnknown: true });
  });
});

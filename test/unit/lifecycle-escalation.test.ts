import { describe, expect, it } from 'vitest';
import { applyEscalationResult, planEscalation } from '../../shared/lifecycle/escalation.ts';
import { applySendResult, fallbackLeaseMs, planFallback } from '../../shared/lifecycle/fallback.ts';
import { policies } from '../../shared/lifecycle/policy.ts';
import { applyDeliveryFact, type DeliveryFact } from '../../shared/lifecycle/receipts.ts';
import { registerMessage } from '../../shared/lifecycle/registration.ts';
import { nextDueAt } from '../../shared/lifecycle/status.ts';
import { redrive } from '../../shared/lifecycle/sweep.ts';
import type { Message } from '../../shared/lifecycle/types.ts';
import type { SmsResult } from '../../shared/sms/types.ts';

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 21, 12, 0, seconds));
const options = { provider: 'http' as const, leaseMs: fallbackLeaseMs(10_000) };
const sent: SmsResult = { kind: 'sent', provider: 'http', status: 201, latencyMs: 5, providerId: 'sms-1' };

function registered(
  escalation: { unreadAfterMs: number; text: string } | null = { unreadAfterMs: 600_000, text: 'nudge' },
): Message {
  const outcome = registerMessage(
    undefined,
    {
      messageId: 'm-1',
      agentId: 'agent',
      phoneNumber: '+14155550123',
      policy: policies.promo,
      trafficType: 'PROMOTION',
      labels: {},
      deadline: t(3_600),
      smsText: 'fallback',
      ...(escalation ? { escalation } : {}),
      requestHash: 'h',
    },
    { state: 'sent', at: t(0) },
    t(0),
  );
  if (outcome.kind !== 'created') throw new Error('not created');
  return outcome.message;
}

const fact = (type: DeliveryFact['type'], seconds: number): DeliveryFact => ({
  type,
  messageId: 'm-1',
  agentId: 'agent',
  phoneNumber: '+14155550123',
  at: t(seconds),
});

describe('escalation when not read', () => {
  it('waits for the DELIVERED, which schedules the nudge at its own time + the delay', () => {
    const message = registered();
    expect(message.escalation).toEqual({ state: 'waiting', unreadAfterMs: 600_000, text: 'nudge' });
    const delivered = applyDeliveryFact(message, fact('DELIVERED', 10), t(12));
    expect(delivered.escalation).toBe('scheduled');
    expect(delivered.message.escalation).toMatchObject({ state: 'pending', at: t(610) });
    expect(delivered.effects).toContainEqual({ kind: 'schedule', step: 'escalate', sequence: 0, at: t(610) });
    // Not settled while the nudge is due: the sweep watches it.
    expect(nextDueAt(delivered.message)).toEqual(t(610));
    // A repeated DELIVERED schedules nothing more.
    expect(applyDeliveryFact(delivered.message, fact('DELIVERED', 10), t(13)).effects).toEqual([]);
  });

  it('a READ before the nudge skips it and cancels its task; the task then does nothing', () => {
    const delivered = applyDeliveryFact(registered(), fact('DELIVERED', 10), t(12)).message;
    const read = applyDeliveryFact(delivered, fact('READ', 100), t(101));
    expect(read.escalation).toBe('skipped');
    expect(read.effects).toContainEqual({ kind: 'cancel_escalation_task' });
    expect(read.message.escalation).toMatchObject({
      state: 'skipped',
      reason: 'READ before the nudge was due',
    });
    expect(read.message.escalation?.text).toBeUndefined();
    expect(nextDueAt(read.message)).toBeUndefined();
    expect(planEscalation(read.message, t(611), options)).toEqual({
      action: 'skip',
      reason: 'escalation is skipped',
    });
  });

  it('a READ that comes first (before any DELIVERED) never schedules a nudge', () => {
    const read = applyDeliveryFact(registered(), fact('READ', 10), t(11));
    expect(read.message.escalation?.state).toBe('skipped');
    expect(read.effects.some((e) => e.kind === 'schedule' && e.step === 'escalate')).toBe(false);
  });

  it('sends once: claim, answer, and a later duplicate of the task is a no-op', () => {
    const delivered = applyDeliveryFact(registered(), fact('DELIVERED', 10), t(12)).message;
    // Never early.
    expect(planEscalation(delivered, t(300), options)).toEqual({ action: 'busy', until: t(610) });
    const plan = planEscalation(delivered, t(611), options);
    if (plan.action !== 'claim') throw new Error(plan.action);
    expect(plan.request).toEqual({ to: '+14155550123', text: 'nudge', idempotencyKey: 'm-1:escalation' });
    // A duplicate while the first is out is busy.
    expect(planEscalation(plan.message, t(612), options).action).toBe('busy');
    const answered = applyEscalationResult(plan.message, plan.attempt, sent, false, t(613));
    expect(answered.message.escalation).toMatchObject({ state: 'sent', sentAt: t(613), attempts: 1 });
    expect(answered.message.escalation?.text).toBeUndefined();
    expect(nextDueAt(answered.message)).toBeUndefined();
    expect(planEscalation(answered.message, t(700), options).action).toBe('skip');
    // A READ afterwards is noted as read after the nudge; one stamped before it, as not.
    const after = applyDeliveryFact(answered.message, fact('READ', 900), t(901)).message;
    expect(after.escalation?.readAfterNudge).toBe(true);
    const late = applyDeliveryFact(answered.message, fact('READ', 300), t(902)).message;
    expect(late.escalation?.readAfterNudge).toBe(false);
  });

  it('a READ while the nudge is out leaves it to the answer, which is recorded as it is', () => {
    const delivered = applyDeliveryFact(registered(), fact('DELIVERED', 10), t(12)).message;
    const plan = planEscalation(delivered, t(611), options);
    if (plan.action !== 'claim') throw new Error(plan.action);
    const read = applyDeliveryFact(plan.message, fact('READ', 611), t(612));
    expect(read.message.escalation?.state).toBe('pending');
    expect(read.effects).toEqual([]);
    const refused: SmsResult = {
      kind: 'transient',
      provider: 'http',
      status: 429,
      latencyMs: 5,
      error: 'slow down',
    };
    const answered = applyEscalationResult(read.message, plan.attempt, refused, false, t(613));
    expect(answered.kind).toBe('recorded');
    expect(answered.message.escalation).toMatchObject({ state: 'skipped' });
    expect(answered.message.escalation?.reason).toMatch(/^READ received while attempt 1 was out/);
  });

  it('no nudge when the fallback SMS went out or is out, and none once the message ended undelivered', () => {
    const message = registered();
    const pending: Message = { ...message, fallback: { ...message.fallback, state: 'pending' } };
    const plan = planFallback(pending, t(10), options);
    if (plan.action !== 'claim') throw new Error(plan.action);
    // A DELIVERED while the SMS is out: the user has (or may have) the SMS.
    const crossing = applyDeliveryFact(plan.message, fact('DELIVERED', 10), t(11)).message;
    expect(crossing.escalation).toMatchObject({
      state: 'skipped',
      reason: 'the fallback SMS went out (or may have)',
    });
    // The SMS went out and the message ended undelivered: the escalation is closed, its text dropped.
    const smsSent = applySendResult(plan.message, plan.attempt, sent, false, t(11)).message;
    expect(smsSent.escalation).toEqual({
      state: 'skipped',
      unreadAfterMs: 600_000,
      reason: 'the message ended without a DELIVERED',
    });
    const late = applyDeliveryFact(smsSent, fact('DELIVERED', 20), t(21));
    expect(late.message.escalation?.state).toBe('skipped');
    expect(late.effects.some((e) => e.kind === 'schedule' && e.step === 'escalate')).toBe(false);
  });

  it('the sweep re-drives a lost escalate task under a fresh name', () => {
    const delivered = applyDeliveryFact(registered(), fact('DELIVERED', 10), t(12)).message;
    const planned = redrive(delivered, t(610 + 301), 300_000);
    expect(planned?.effects).toEqual([
      { kind: 'schedule', step: 'escalate', sequence: 0, at: t(911), redrive: 1 },
    ]);
    expect(redrive(delivered, t(610 + 299), 300_000)).toBeUndefined();
  });

  it('registered after the webhook heard its DELIVERED: the nudge counts from that DELIVERED', () => {
    const heard = applyDeliveryFact(undefined, fact('DELIVERED', 10), t(11)).message;
    const outcome = registerMessage(
      heard,
      {
        messageId: 'm-1',
        agentId: 'agent',
        phoneNumber: '+14155550123',
        policy: policies.promo,
        trafficType: 'PROMOTION',
        labels: {},
        deadline: t(3_600),
        escalation: { unreadAfterMs: 60_000, text: 'nudge' },
        requestHash: 'h',
      },
      { state: 'external', at: t(20) },
      t(20),
    );
    if (outcome.kind !== 'created') throw new Error(outcome.kind);
    expect(outcome.message.escalation).toMatchObject({ state: 'pending', at: t(70) });
    expect(outcome.effects).toEqual([{ kind: 'schedule', step: 'escalate', sequence: 0, at: t(70) }]);
  });

  it('a message without escalation has none, whatever its receipts', () => {
    const message = registered(null);
    expect(message.escalation).toBeUndefined();
    const delivered = applyDeliveryFact(message, fact('DELIVERED', 10), t(11));
    expect(delivered.message.escalation).toBeUndefined();
    expect(delivered.effects.some((e) => e.kind === 'schedule' && e.step === 'escalate')).toBe(false);
  });
});

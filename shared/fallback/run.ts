import type { Firestore } from '@google-cloud/firestore';
import { applyEscalationResult, planEscalation } from '../lifecycle/escalation.ts';
import { applySendResult, planFallback } from '../lifecycle/fallback.ts';
import type { SmsOutcome, SmsPlan, SmsSendOptions } from '../lifecycle/sms-send.ts';
import type { Message } from '../lifecycle/types.ts';
import type { Logger } from '../log/index.ts';
import type { SmsProvider, SmsResult } from '../sms/types.ts';
import { type TimelineEntry, updateMessage } from '../store/message-store.ts';
import { type SmsStep, smsStepLogs } from './logs.ts';

export interface FallbackDeps {
  db(): Firestore;
  now(): Date;
  retentionMs: number;
  /** Retention and OUTCOME_PUSH for the step's transaction (shared/store/outbox.ts). */
  storeConfig: { retentionMs: number; outcomePush?: boolean };
  log: Logger;
  sms: SmsProvider;
  leaseMs: number;
}

/** What one delivery of a fallback (or escalation) task came to; the function maps it to HTTP. */
export type FallbackRun =
  /** Nothing to do (no such message, fallback not pending, already sent...). */
  | { kind: 'skipped'; reason: string }
  /** Closed without sending: skipped (delivered, read) or failed (e.g. outcome of an earlier try unknown). */
  | { kind: 'settled'; state: string; reason: string }
  /** Another delivery is sending (or the nudge is not due yet): retry after the lease. */
  | { kind: 'busy'; retryAfterMs: number }
  /** The provider answered and the answer is stored; `state` is the record's state now. */
  | { kind: 'recorded'; state: string; verdict: string }
  /** Not sent, tries left. */
  | { kind: 'retry'; verdict: string; retryAfterMs?: number }
  /** Firestore failed; nothing was sent that is not covered by the lease. */
  | { kind: 'unavailable'; reason: string };

/**
 * What differs between the two SMS steps; the claim, the call and the record are the
 * same code (`runSmsStep`), over the same rules (shared/lifecycle/sms-send.ts).
 */
interface SmsStepSpec {
  step: SmsStep;
  plan(message: Message | undefined, now: Date, options: SmsSendOptions): SmsPlan;
  apply(message: Message, attempt: number, result: SmsResult, finalTry: boolean, now: Date): SmsOutcome;
  stateOf(message: Message): string;
  /** The timeline entry of a record closed without a call. */
  settledEntry(state: string, reason: string, at: Date): TimelineEntry;
  /** Extra timeline entries once an answer is recorded. */
  answered?(message: Message, at: Date): TimelineEntry[];
}

const fallbackStep: SmsStepSpec = {
  step: 'fallback',
  plan: planFallback,
  apply: applySendResult,
  stateOf: (message) => message.fallback.state,
  settledEntry: (state, reason, at) => ({
    id: `fallback-${state}`,
    type: `FALLBACK_${state.toUpperCase()}`,
    at,
    reason,
  }),
};

const escalationStep: SmsStepSpec = {
  step: 'escalation',
  plan: planEscalation,
  apply: applyEscalationResult,
  stateOf: (message) => message.escalation?.state ?? 'none',
  // Closed without a call: skipped only because a READ is stored (sms-send.ts), or failed.
  settledEntry: (state, reason, at) => ({
    id: `escalation-${state}`,
    type: state === 'skipped' ? 'ESCALATION_SKIPPED_READ' : `ESCALATION_${state.toUpperCase()}`,
    at,
    reason,
  }),
  answered: (message, at) => {
    const escalation = message.escalation;
    if (escalation?.state === 'sent')
      return [
        {
          id: 'escalation-sent',
          type: 'ESCALATION_SENT',
          at: escalation.sentAt ?? at,
          provider: escalation.provider,
        },
      ];
    if (escalation?.state === 'skipped')
      return [{ id: 'escalation-skipped', type: 'ESCALATION_SKIPPED_READ', at, reason: escalation.reason }];
    return [];
  },
};

/**
 * One delivery of a fallback task: claim in a transaction, call the provider
 * outside it, store the answer in a second transaction. The claim is durable
 * before the call, so no other delivery sends while it holds; the answer is
 * stored without re-planning, so a send that happened is never repeated.
 */
export function runFallback(messageId: string, task: { finalTry: boolean }, deps: FallbackDeps) {
  return runSmsStep(fallbackStep, messageId, task, deps);
}

/** One delivery of an escalation task: the nudge, by the same steps as the fallback's SMS. */
export function runEscalation(messageId: string, task: { finalTry: boolean }, deps: FallbackDeps) {
  return runSmsStep(escalationStep, messageId, task, deps);
}

async function runSmsStep(
  spec: SmsStepSpec,
  messageId: string,
  task: { finalTry: boolean },
  deps: FallbackDeps,
): Promise<FallbackRun> {
  const { log } = deps;
  const logs = smsStepLogs(spec.step);
  const claimedAt = deps.now();
  let plan: SmsPlan;
  try {
    plan = await updateMessage<SmsPlan>(deps.db(), messageId, deps.storeConfig, (message) => {
      const decided = spec.plan(message, claimedAt, { provider: deps.sms.name, leaseMs: deps.leaseMs });
      if (decided.action === 'claim') {
        return {
          message: decided.message,
          timeline: [
            attemptEntry(spec.step, decided.attempt, claimedAt, deps.sms.name, { outcome: 'sending' }),
          ],
          result: decided,
        };
      }
      if (decided.action === 'settle') {
        const entry = spec.settledEntry(spec.stateOf(decided.message), decided.reason, claimedAt);
        return { message: decided.message, timeline: [entry], result: decided };
      }
      return { result: decided };
    });
  } catch (error) {
    logs.storeFailed(log, messageId, 'claim', error);
    return { kind: 'unavailable', reason: `could not claim the ${spec.step}` };
  }

  switch (plan.action) {
    case 'skip':
      logs.skipped(log, messageId, plan.reason);
      return { kind: 'skipped', reason: plan.reason };
    case 'settle': {
      const state = spec.stateOf(plan.message);
      logs.settled(log, messageId, state, plan.reason);
      return { kind: 'settled', state, reason: plan.reason };
    }
    case 'busy':
      logs.busy(log, messageId, plan.until);
      return { kind: 'busy', retryAfterMs: Math.max(0, plan.until.getTime() - claimedAt.getTime()) };
    case 'claim':
      break;
  }

  const { attempt, request } = plan;
  logs.claimed(log, messageId, attempt, deps.sms.name, request.to);
  const result = await deps.sms.send(request);

  const answeredAt = deps.now();
  let outcome: SmsOutcome | undefined;
  try {
    outcome = await updateMessage<SmsOutcome | undefined>(
      deps.db(),
      messageId,
      deps.storeConfig,
      (message) => {
        if (!message) return { result: undefined };
        const applied = spec.apply(message, attempt, result, task.finalTry, answeredAt);
        const entry = attemptEntry(spec.step, attempt, answeredAt, result.provider, {
          claimedAt,
          outcome: result.kind,
          status: result.status,
          latencyMs: result.latencyMs,
          ...(result.kind === 'sent' ? { providerId: result.providerId } : { error: result.error }),
          finalTry: task.finalTry,
          [`${spec.step}State`]: spec.stateOf(applied.message),
          verdict: applied.verdict,
        });
        const extra = applied.kind === 'recorded' ? (spec.answered?.(applied.message, answeredAt) ?? []) : [];
        return { message: applied.message, timeline: [entry, ...extra], result: applied };
      },
    );
  } catch (error) {
    logs.resultNotRecorded(log, messageId, attempt, result, error);
    return { kind: 'unavailable', reason: 'could not store the provider answer' };
  }
  if (!outcome) return { kind: 'skipped', reason: 'message disappeared while sending' };

  const state = spec.stateOf(outcome.message);
  if (outcome.kind === 'retry') {
    logs.retrying(log, messageId, attempt, result, outcome.verdict);
    return {
      kind: 'retry',
      verdict: outcome.verdict,
      ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
    };
  }
  if (result.kind === 'sent') logs.sent(log, messageId, attempt, result, request.to);
  else logs.recorded(log, messageId, attempt, result, state, outcome.verdict);
  return { kind: 'recorded', state, verdict: outcome.verdict };
}

/** One timeline entry per attempt: written as "sending" by the claim, overwritten with the answer. */
function attemptEntry(
  step: SmsStep,
  attempt: number,
  at: Date,
  provider: string,
  fields: Record<string, unknown>,
): TimelineEntry {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return {
    id: `${step}-attempt-${attempt}`,
    type: `${step.toUpperCase()}_ATTEMPT`,
    at,
    attempt,
    provider,
    ...defined,
  };
}

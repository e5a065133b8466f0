import type { Firestore } from '@google-cloud/firestore';
import { applySendResult, type FallbackPlan, planFallback, type SendOutcome } from '../lifecycle/fallback.ts';
import type { Logger } from '../log/index.ts';
import type { SmsProvider, SmsResult } from '../sms/types.ts';
import { type TimelineEntry, updateMessage } from '../store/message-store.ts';
import { fallbackLogs } from './logs.ts';

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

/** What one delivery of a fallback task came to; the function maps it to HTTP. */
export type FallbackRun =
  /** Nothing to do (no such message, fallback not pending, already sent...). */
  | { kind: 'skipped'; reason: string }
  /** Closed without sending: skipped (delivered) or failed (e.g. outcome of an earlier try unknown). */
  | { kind: 'settled'; state: string; reason: string }
  /** Another delivery is sending: retry after the lease. */
  | { kind: 'busy'; retryAfterMs: number }
  /** The provider answered and the answer is stored; `state` is the fallback's state now. */
  | { kind: 'recorded'; state: string; verdict: string }
  /** Not sent, tries left. */
  | { kind: 'retry'; verdict: string; retryAfterMs?: number }
  /** Firestore failed; nothing was sent that is not covered by the lease. */
  | { kind: 'unavailable'; reason: string };

/**
 * One delivery of a fallback task: claim in a transaction, call the provider
 * outside it, store the answer in a second transaction. The claim is durable
 * before the call, so no other delivery sends while it holds; the answer is
 * stored without re-planning, so a send that happened is never repeated.
 */
export async function runFallback(
  messageId: string,
  task: { finalTry: boolean },
  deps: FallbackDeps,
): Promise<FallbackRun> {
  const { log } = deps;
  const claimedAt = deps.now();
  let plan: FallbackPlan;
  try {
    plan = await updateMessage<FallbackPlan>(deps.db(), messageId, deps.storeConfig, (message) => {
      const decided = planFallback(message, claimedAt, { provider: deps.sms.name, leaseMs: deps.leaseMs });
      if (decided.action === 'claim') {
        return {
          message: decided.message,
          timeline: [attemptEntry(decided.attempt, claimedAt, deps.sms.name, { outcome: 'sending' })],
          result: decided,
        };
      }
      if (decided.action === 'settle') {
        const { state } = decided.message.fallback;
        const entry = {
          id: `fallback-${state}`,
          type: `FALLBACK_${state.toUpperCase()}`,
          at: claimedAt,
          reason: decided.reason,
        };
        return { message: decided.message, timeline: [entry], result: decided };
      }
      return { result: decided };
    });
  } catch (error) {
    fallbackLogs.storeFailed(log, messageId, 'claim', error);
    return { kind: 'unavailable', reason: 'could not claim the fallback' };
  }

  switch (plan.action) {
    case 'skip':
      fallbackLogs.skipped(log, messageId, plan.reason);
      return { kind: 'skipped', reason: plan.reason };
    case 'settle':
      fallbackLogs.settled(log, messageId, plan.message.fallback.state, plan.reason);
      return { kind: 'settled', state: plan.message.fallback.state, reason: plan.reason };
    case 'busy':
      fallbackLogs.busy(log, messageId, plan.until);
      return { kind: 'busy', retryAfterMs: Math.max(0, plan.until.getTime() - claimedAt.getTime()) };
    case 'claim':
      break;
  }

  const { attempt, request } = plan;
  fallbackLogs.claimed(log, messageId, attempt, deps.sms.name, request.to);
  const result = await deps.sms.send(request);

  const answeredAt = deps.now();
  let outcome: SendOutcome | undefined;
  try {
    outcome = await updateMessage<SendOutcome | undefined>(
      deps.db(),
      messageId,
      deps.storeConfig,
      (message) => {
        if (!message) return { result: undefined };
        const applied = applySendResult(message, attempt, result, task.finalTry, answeredAt);
        const entry = attemptEntry(attempt, answeredAt, result.provider, {
          claimedAt,
          outcome: result.kind,
          status: result.status,
          latencyMs: result.latencyMs,
          ...(result.kind === 'sent' ? { providerId: result.providerId } : { error: result.error }),
          finalTry: task.finalTry,
          fallbackState: applied.message.fallback.state,
          verdict: applied.verdict,
        });
        return { message: applied.message, timeline: [entry], result: applied };
      },
    );
  } catch (error) {
    fallbackLogs.resultNotRecorded(log, messageId, attempt, result, error);
    return { kind: 'unavailable', reason: 'could not store the provider answer' };
  }
  if (!outcome) return { kind: 'skipped', reason: 'message disappeared while sending' };
  return report(log, messageId, attempt, request.to, result, outcome);
}

function report(
  log: Logger,
  messageId: string,
  attempt: number,
  phone: string,
  result: SmsResult,
  outcome: SendOutcome,
): FallbackRun {
  const state = outcome.message.fallback.state;
  if (outcome.kind === 'retry') {
    fallbackLogs.retrying(log, messageId, attempt, result, outcome.verdict);
    return {
      kind: 'retry',
      verdict: outcome.verdict,
      ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
    };
  }
  if (result.kind === 'sent') fallbackLogs.sent(log, messageId, attempt, result, phone);
  else fallbackLogs.recorded(log, messageId, attempt, result, state, outcome.verdict);
  return { kind: 'recorded', state, verdict: outcome.verdict };
}

/** One timeline entry per attempt: written as "sending" by the claim, overwritten with the answer. */
function attemptEntry(
  attempt: number,
  at: Date,
  provider: string,
  fields: Record<string, unknown>,
): TimelineEntry {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return { id: `fallback-attempt-${attempt}`, type: 'FALLBACK_ATTEMPT', at, attempt, provider, ...defined };
}

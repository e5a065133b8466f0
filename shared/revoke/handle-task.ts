import type { Firestore } from '@google-cloud/firestore';
import type { DeferralSettings } from '../lifecycle/confirm-deferral.ts';
import { type IngestionSettings, ingestionVerdict } from '../lifecycle/ingestion-lag.ts';
import {
  applyRevokeResult,
  type ConfirmOutcome,
  confirmDecisionAt,
  confirmRevocation,
  planRevoke,
  type RevokeOutcome,
  type RevokePlan,
} from '../lifecycle/revocation.ts';
import type { Effect, Message, RevokeStep } from '../lifecycle/types.ts';
import type { Logger } from '../log/index.ts';
import type { RbmClient } from '../rbm/client.ts';
import { readFreshShards } from '../store/ingestion-store.ts';
import { type Decision, type TimelineEntry, updateMessage } from '../store/message-store.ts';
import { runEffects } from '../tasks/run-effects.ts';
import type { TaskScheduler } from '../tasks/scheduler.ts';
import type { TaskRequest } from '../tasks/task-request.ts';
import { revokeLogs } from './logs.ts';

export interface RevokeDeps {
  db(): Firestore;
  rbm(): RbmClient;
  scheduler(): TaskScheduler;
  log: Logger;
  now(): Date;
  retentionMs: number;
  /** Retention and OUTCOME_PUSH for the step's transaction (shared/store/outbox.ts). */
  storeConfig: { retentionMs: number; outcomePush?: boolean };
  /** How the confirm step judges webhook ingestion and how long it may wait for it. */
  ingestion: IngestionSettings & DeferralSettings;
}

export type RevokeTaskOutcome =
  | { kind: 'done'; verdict: string }
  /** Ask Cloud Tasks to retry this task, after `retryAfterMs` when known. */
  | { kind: 'retry'; verdict: string; retryAfterMs?: number };

/**
 * The revoke function's work for one task: a revoke step (deadline, platform
 * expiry, re-revoke, manual) or the confirm step one grace period later.
 * State changes happen in transactions; the RBM call happens between them,
 * after the claim is stored, so a duplicate delivery of the task cannot call twice.
 */
export async function handleRevokeTask(task: TaskRequest, deps: RevokeDeps): Promise<RevokeTaskOutcome> {
  if (task.step === 'confirm') return confirmStep(task, deps);
  if (task.step === 'fallback' || task.step === 'escalate')
    return { kind: 'done', verdict: `${task.step} tasks belong to the fallback function` };
  return revokeStep(task, task.step, deps);
}

async function revokeStep(task: TaskRequest, step: RevokeStep, deps: RevokeDeps): Promise<RevokeTaskOutcome> {
  const { messageId, sequence } = task;
  const startedAt = deps.now();
  const plan = await updateMessage(
    deps.db(),
    messageId,
    deps.storeConfig,
    (message): Decision<RevokePlan> => {
      const plan = planRevoke(message, step, sequence, startedAt);
      switch (plan.action) {
        case 'skip': {
          if (!message) return { result: plan };
          const skipped = entry(`revoke-skip-${step}-${sequence}`, 'REVOKE_SKIPPED', startedAt, {
            step,
            reason: plan.reason,
          });
          return { timeline: [skipped], result: plan };
        }
        case 'busy':
          return { result: plan };
        case 'rearm': {
          const rearmed = entry(`revoke-rearm-${sequence}`, 'REVOKE_REARMED', startedAt, {
            deadline: message?.deadline,
          });
          return { message: plan.message, timeline: [rearmed], result: plan };
        }
        case 'call':
          return { message: plan.message, result: plan };
      }
    },
  );

  switch (plan.action) {
    case 'skip':
      revokeLogs.skipped(deps.log, messageId, step, plan.reason);
      return { kind: 'done', verdict: plan.reason };
    case 'busy':
      return {
        kind: 'retry',
        verdict: 'another revoke call is in flight',
        retryAfterMs: plan.until.getTime() - startedAt.getTime(),
      };
    case 'rearm':
      revokeLogs.rearmed(deps.log, messageId, plan.message.deadline);
      await carryOut(messageId, plan.effects, deps);
      return { kind: 'done', verdict: 're-armed until the deadline' };
    case 'call':
      return callRbm(plan.message, plan.attempt, step, task.finalTry, deps);
  }
}

async function callRbm(
  claimed: Message,
  attempt: number,
  step: RevokeStep,
  finalTry: boolean,
  deps: RevokeDeps,
): Promise<RevokeTaskOutcome> {
  const result = await deps.rbm().revokeMessage(claimed.phoneNumber, claimed.messageId, claimed.agentId);
  const answeredAt = deps.now();
  const outcome = await updateMessage(
    deps.db(),
    claimed.messageId,
    deps.storeConfig,
    (message): Decision<RevokeOutcome | undefined> => {
      if (!message) return { result: undefined };
      const applied = applyRevokeResult(
        message,
        attempt,
        { status: result.status, ...(result.ok ? {} : { error: result.error }), finalTry },
        answeredAt,
      );
      const timeline = [
        entry(`revoke-attempt-${attempt}`, 'REVOKE_ATTEMPT', answeredAt, {
          step,
          round: applied.message.revocation.round,
          attempt,
          httpStatus: result.status,
          latencyMs: result.latencyMs,
          outcome: applied.kind === 'retry' ? 'retry' : applied.message.revocation.state,
          verdict: applied.verdict,
          ...(result.ok ? {} : { error: result.error }),
        }),
      ];
      return { message: applied.message, timeline, result: applied };
    },
  );
  if (!outcome) return { kind: 'done', verdict: 'message disappeared during the revoke' };

  revokeLogs.attempted(
    deps.log,
    claimed.messageId,
    attempt,
    result.status,
    result.latencyMs,
    outcome.verdict,
  );
  if (result.status === 401 || result.status === 403) {
    revokeLogs.configFault(deps.log, claimed.messageId, result.status, outcome.verdict);
  } else if (outcome.kind === 'recorded' && outcome.message.revocation.state === 'failed') {
    revokeLogs.failed(deps.log, claimed.messageId, result.status, outcome.verdict);
  }
  if (outcome.kind === 'retry') {
    return {
      kind: 'retry',
      verdict: outcome.verdict,
      ...(!result.ok && result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
    };
  }
  await carryOut(claimed.messageId, outcome.effects, deps);
  return { kind: 'done', verdict: outcome.verdict };
}

async function confirmStep(task: TaskRequest, deps: RevokeDeps): Promise<RevokeTaskOutcome> {
  const now = deps.now();
  const round = task.sequence;
  // Read once, outside the transaction: a retried transaction judges by the same shards.
  const shards = await readFreshShards(deps.db(), now);
  const outcome = await updateMessage(
    deps.db(),
    task.messageId,
    deps.storeConfig,
    (message): Decision<ConfirmOutcome> => {
      const verdict = message
        ? ingestionVerdict(shards, confirmDecisionAt(message, now), deps.ingestion, now)
        : undefined;
      const confirmed = confirmRevocation(
        message,
        round,
        now,
        verdict ? { verdict, ...deps.ingestion } : undefined,
      );
      if (confirmed.kind === 'skip') return { result: confirmed };
      if (confirmed.kind === 'deferred') {
        const deferred = entry(
          `revoke-confirm-${round}-d${confirmed.deferrals}`,
          'REVOKE_CONFIRM_DEFERRED',
          now,
          {
            round,
            deferral: confirmed.deferrals,
            until: confirmed.until,
            watermark: confirmed.ingestion.watermark,
            lagMs: confirmed.ingestion.lagMs,
            verdict: confirmed.verdict,
          },
        );
        return { message: confirmed.message, timeline: [deferred], result: confirmed };
      }
      const timeline = [
        entry(`revoke-confirm-${round}`, 'REVOKE_CONFIRM', now, {
          round,
          outcome: confirmed.message.revocation.state,
          verdict: confirmed.verdict,
        }),
      ];
      return { message: confirmed.message, timeline, result: confirmed };
    },
  );
  if (outcome.kind === 'skip') {
    revokeLogs.confirmed(deps.log, task.messageId, round, outcome.reason);
    return { kind: 'done', verdict: outcome.reason };
  }
  if (outcome.kind === 'deferred') {
    revokeLogs.confirmDeferred(deps.log, task.messageId, round, outcome);
  } else {
    revokeLogs.confirmed(deps.log, task.messageId, round, outcome.verdict);
  }
  if (outcome.kind !== 'retry') await carryOut(task.messageId, outcome.effects, deps);
  return { kind: 'done', verdict: outcome.verdict };
}

async function carryOut(messageId: string, effects: Effect[], deps: RevokeDeps): Promise<void> {
  for (const failure of await runEffects(messageId, effects, deps.scheduler(), deps.now())) {
    revokeLogs.effectFailed(deps.log, messageId, failure.effect, failure.error);
  }
}

function entry(id: string, type: string, at: Date, fields: Record<string, unknown>): TimelineEntry {
  return { id, type, at, ...fields };
}

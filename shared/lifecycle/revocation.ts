import { type ConfirmIngestion, decideDeferral } from './confirm-deferral.ts';
import type { IngestionVerdict } from './ingestion-lag.ts';
import { changedCopy } from './message-copy.ts';
import { refreshDerived } from './status.ts';
import type { Effect, Message, RevokeStep } from './types.ts';

/**
 * Revocation, race-aware (docs/rbm-platform.md#revoke; law 3 in
 * docs/architecture.md#lifecycle-laws). A 200 only
 * means "revoked unless a DELIVERED follows"; a 404 means "probably
 * delivered". Either way the confirm step, one grace period later, decides:
 * a DELIVERED arrived (the webhook recorded a lost race), or the revocation is
 * confirmed, or, after a 404, revoke again and then fall back (Google's advice).
 *
 * Rounds: round 1 is the first revoke (deadline, platform expiry or manual);
 * each re-revoke after a 404 starts the next round, up to the policy's
 * maxRevokeAttempts. Retries of one round's DELETE (429/5xx) stay in it.
 */

export type RevokePlan =
  /** Nothing to do; the reason goes on the timeline. */
  | { action: 'skip'; reason: string }
  /** Another call for this message is in flight: try again later. */
  | { action: 'busy'; until: Date }
  /** Called before the deadline (the 30-day task horizon): schedule the next leg. */
  | { action: 'rearm'; message: Message; effects: Effect[] }
  /** Claimed: call DELETE now, then apply the result with `applyRevokeResult`. */
  | { action: 'call'; message: Message; attempt: number };

/** How long a claimed DELETE may take before another delivery of the task may try. */
export const revokeLeaseMs = 60_000;

/**
 * Decides, inside the transaction that read the message, whether a revoke
 * step should call RBM. `sequence` is the task's: the deadline task's
 * re-arm counter for `revoke`, the round that ended in a 404 for `again`.
 */
export function planRevoke(
  message: Message | undefined,
  step: RevokeStep,
  sequence: number,
  now: Date,
): RevokePlan {
  if (!message) return { action: 'skip', reason: 'no such message' };
  if (!message.tracked) return { action: 'skip', reason: 'message is not tracked' };
  if (message.deliveredAt) return { action: 'skip', reason: 'already delivered' }; // law 2
  const { revocation } = message;
  if (revocation.state === 'confirmed' || revocation.state === 'lost_race' || revocation.state === 'failed') {
    return { action: 'skip', reason: `revocation already ${revocation.state}` };
  }
  // After an inconclusive TTL notice a time-critical SMS may go before this revoke: it still runs then.
  if (message.fallback.state === 'sent' && step !== 'expired') {
    return { action: 'skip', reason: 'fallback already sent' };
  }

  if (step === 'revoke') {
    if (sequence !== revocation.taskSequence) return { action: 'skip', reason: 'superseded deadline task' };
    if (message.deadline && now < message.deadline) {
      const next = changedCopy(message, now);
      next.revocation.taskSequence = sequence + 1;
      const effects: Effect[] = [
        { kind: 'schedule', step: 'revoke', sequence: sequence + 1, at: message.deadline },
      ];
      return { action: 'rearm', message: refreshDerived(next), effects };
    }
  }

  const round = step === 'again' ? sequence + 1 : 1;
  if (revocation.answeredRound >= round)
    return { action: 'skip', reason: `revoke round ${round} already answered` };
  if (round > revocation.round + 1)
    return { action: 'skip', reason: `revoke round ${round} is out of order` };
  if (revocation.inFlightUntil && now < revocation.inFlightUntil) {
    return { action: 'busy', until: revocation.inFlightUntil };
  }

  const next = changedCopy(message, now);
  next.revocation.round = round;
  next.revocation.attempts += 1;
  next.revocation.inFlightUntil = new Date(now.getTime() + revokeLeaseMs);
  return { action: 'call', message: refreshDerived(next), attempt: next.revocation.attempts };
}

/** What the DELETE call returned, and whether Cloud Tasks will try this task again. */
export interface RevokeResult {
  status: number;
  error?: string;
  /** True when this was the task's last try (retry budget spent). */
  finalTry: boolean;
}

export type RevokeOutcome =
  | { kind: 'recorded'; message: Message; effects: Effect[]; verdict: string }
  /** A transient failure with tries left: answer so Cloud Tasks retries. */
  | { kind: 'retry'; message: Message; verdict: string };

/** Applies a DELETE answer to the message as it is now (re-read in a new transaction). */
export function applyRevokeResult(
  message: Message,
  attempt: number,
  result: RevokeResult,
  now: Date,
): RevokeOutcome {
  const next = changedCopy(message, now);
  const revocation = next.revocation;
  if (revocation.attempts === attempt) delete revocation.inFlightUntil;
  revocation.lastStatus = result.status;
  revocation.lastAt = now;
  const effects: Effect[] = [];
  const confirmAt = new Date(now.getTime() + (next.policy?.graceMs ?? 0));
  const definite = result.status === 404 || (result.status >= 200 && result.status < 300);

  if (definite) {
    revocation.answeredRound = Math.max(revocation.answeredRound, revocation.round);
    if (next.deliveredAt) {
      revocation.state = 'lost_race';
      revocation.reason = 'DELIVERED arrived while the revoke was in flight';
      return recorded(next, effects, revocation.reason);
    }
    if (revocation.state !== 'none' && revocation.state !== 'not_found') {
      // Settled meanwhile (the platform's TTL revoke, a duplicate call's 200): this answer changes nothing.
      return recorded(next, effects, `revocation already ${revocation.state}`);
    }
    effects.push({ kind: 'schedule', step: 'confirm', sequence: revocation.round, at: confirmAt });
    if (result.status === 404) {
      revocation.state = 'not_found';
      revocation.reason = '404 on revoke: probably delivered, waiting for DELIVERED';
      return recorded(next, effects, revocation.reason);
    }
    revocation.state = 'requested';
    revocation.requestedAt = now;
    revocation.reason = 'revoke answered 200: revoked unless a DELIVERED follows';
    // Time-critical content goes by SMS at once, even at the risk of a duplicate (law 4).
    if (next.policy?.fallbackWhenUncertain)
      startFallback(next, effects, 'revoke requested (time-critical policy)');
    return recorded(next, effects, revocation.reason);
  }

  const transient = result.status === 0 || result.status === 429 || result.status >= 500;
  if (transient && !result.finalTry) {
    return {
      kind: 'retry',
      message: refreshDerived(next),
      verdict: `RBM answered ${describe(result)}; retrying`,
    };
  }

  revocation.state = 'failed';
  revocation.reason =
    result.status === 401 || result.status === 403
      ? `RBM refused our credentials (${result.status}): check RBM_SERVICE_ACCOUNT_KEY and that its service account belongs to agent ${next.agentId}`
      : transient
        ? `RBM kept failing (${describe(result)}) until the retry budget was spent`
        : `RBM refused the revoke: ${describe(result)}`;
  if (next.policy?.fallbackWhenUncertain)
    startFallback(next, effects, 'revoke failed (time-critical policy)');
  else skipFallback(next, 'revocation failed; this policy sends no SMS unless revocation is confirmed');
  return recorded(next, effects, revocation.reason);
}

const earlyConfirmMarginMs = 1_000;

/** The confirm step put off: a confirm task is scheduled again at `until`. */
export interface DeferredConfirm {
  kind: 'deferred';
  message: Message;
  effects: Effect[];
  verdict: string;
  ingestion: IngestionVerdict;
  deferrals: number;
  until: Date;
}

export type ConfirmOutcome = RevokeOutcome | DeferredConfirm | { kind: 'skip'; reason: string };

/**
 * The platform time up to which events must be stored before the confirm step may
 * conclude "no DELIVERED": the end of the grace period after the last revoke answer.
 */
export function confirmDecisionAt(message: Message, now: Date): Date {
  const since = message.revocation.lastAt ?? now;
  return new Date(since.getTime() + (message.policy?.graceMs ?? 0));
}

/**
 * The confirm step, one grace period after a revoke answer. `round` is the
 * round the task was created for; an older round's confirm is stale. With
 * `ingestion` behind, a conclusion that no DELIVERED came is put off (up to
 * its cap) rather than drawn from events that may still be queued.
 */
export function confirmRevocation(
  message: Message | undefined,
  round: number,
  now: Date,
  ingestion?: ConfirmIngestion,
): ConfirmOutcome {
  if (!message?.tracked) return { kind: 'skip', reason: 'no such tracked message' };
  if (message.deliveredAt) return { kind: 'skip', reason: 'delivered: the revoke lost the race' };
  if (round !== message.revocation.round) return { kind: 'skip', reason: 'stale confirm task' };
  const pendingUntil = message.revocation.deferredUntil;
  // A duplicate or superseded confirm task: the deferred one comes at pendingUntil. The
  // margin keeps a deferred task that a skewed clock sees a little early from being skipped.
  if (pendingUntil && now.getTime() < pendingUntil.getTime() - earlyConfirmMarginMs)
    return { kind: 'skip', reason: `confirm deferred until ${pendingUntil.toISOString()}` };
  const state = message.revocation.state;
  if (state !== 'requested' && state !== 'not_found') {
    return { kind: 'skip', reason: `nothing to confirm (revocation ${state})` };
  }
  const next = changedCopy(message, now);
  const revocation = next.revocation;
  const effects: Effect[] = [];

  let capNote = '';
  if (ingestion) {
    const decision = decideDeferral(revocation, ingestion.verdict, now, ingestion);
    if (decision.defer) {
      revocation.deferrals = decision.deferrals;
      revocation.deferredSince = decision.since;
      revocation.deferredUntil = decision.until;
      effects.push({
        kind: 'schedule',
        step: 'confirm',
        sequence: round,
        at: decision.until,
        deferral: decision.deferrals,
      });
      return {
        kind: 'deferred',
        message: refreshDerived(next),
        effects,
        verdict: `ingestion is behind (${ingestion.verdict.reason}): confirm deferred until ${decision.until.toISOString()}`,
        ingestion: ingestion.verdict,
        deferrals: decision.deferrals,
        until: decision.until,
      };
    }
    if (decision.capped)
      capNote = ` (ingestion still behind after ${Math.round(ingestion.maxDeferMs / 1000)} s of deferral)`;
  }
  // deferredUntil stays: the decision is taken now (at or after it), so dueAt follows it rather
  // than the long-past grace end, and the sweep does not re-drive the step scheduled here.

  if (state === 'requested') {
    revocation.state = 'confirmed';
    revocation.confirmedAt = now;
    revocation.reason = `no DELIVERED within the grace period after the revoke${capNote}`;
    startFallback(next, effects, 'revocation confirmed');
    return recorded(next, effects, `revocation confirmed${capNote}`);
  }
  if (revocation.round < (next.policy?.maxRevokeAttempts ?? 1)) {
    // Google: no DELIVERED after a failed revoke -> revoke again, then fall back.
    effects.push({ kind: 'schedule', step: 'again', sequence: revocation.round, at: now });
    return recorded(
      next,
      effects,
      `404 and no DELIVERED: revoking again (round ${revocation.round + 1})${capNote}`,
    );
  }
  revocation.state = 'failed';
  revocation.reason = `revoke answered 404 in ${revocation.round} rounds and no DELIVERED came: delivery uncertain${capNote}`;
  if (next.policy?.fallbackWhenUncertain)
    startFallback(next, effects, 'delivery uncertain (time-critical policy)');
  else skipFallback(next, 'delivery uncertain; this policy sends no SMS unless revocation is confirmed');
  return recorded(next, effects, revocation.reason);
}

function startFallback(message: Message, effects: Effect[], reason: string): void {
  if (!message.fallback.enabled || message.fallback.state !== 'none') return;
  message.fallback.state = 'pending';
  message.fallback.reason = reason;
  effects.push({ kind: 'schedule', step: 'fallback', sequence: 0, at: message.updatedAt });
}

function skipFallback(message: Message, reason: string): void {
  if (!message.fallback.enabled || message.fallback.state !== 'none') return;
  message.fallback.state = 'skipped';
  message.fallback.reason = reason;
}

function recorded(message: Message, effects: Effect[], verdict: string): RevokeOutcome {
  return { kind: 'recorded', message: refreshDerived(message), effects, verdict };
}

function describe(result: RevokeResult): string {
  if (result.status === 0) return `no answer (${result.error ?? 'network error'})`;
  return result.error ? `${result.status} ${result.error}` : String(result.status);
}

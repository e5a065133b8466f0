import { smsProviders } from '../sms/providers.ts';
import type { SmsProviderName, SmsRequest, SmsResult } from '../sms/types.ts';
import { changedCopy } from './message-copy.ts';
import { refreshDerived } from './status.ts';
import type { Message } from './types.ts';

/**
 * SMS fallback, at most once per message (law 4,
 * docs/architecture.md#lifecycle-laws). The state machine lives on the
 * message: `pending` -> claimed (attempts += 1, a lease in `sendingUntil`) ->
 * `sent` | `failed`, or back to pending to retry. A claim
 * is written in a transaction before the provider is called, and the answer is
 * written after, so:
 * - a duplicate task delivery finds the lease and does not send (busy);
 * - a message no longer pending (sent, failed, skipped because a DELIVERED
 *   came first) is never sent;
 * - a claim whose outcome was never learnt (the process died, the answer was
 *   lost) keeps `sendingUntil` after its lease ran out. Only a provider that
 *   deduplicates by idempotency key (the generic HTTPS one; key = messageId)
 *   may try again, and only the provider that made that attempt. Twilio has
 *   no such key: the fallback is recorded as failed instead of risking a
 *   second SMS.
 * `sendingUntil` therefore means "an attempt may have sent, and its outcome is
 * not known": it is cleared only when an answer proves nothing was sent, or
 * when the fallback reaches a final state.
 */

/** Providers that deduplicate by idempotency key, so resending with the same key cannot send twice. */
const deduplicatesByKey = (provider: SmsProviderName): boolean => smsProviders[provider].deduplicatesByKey;

/** How long a claimed send may take before another delivery of the task may act: the call's timeout plus margin for the two transactions. */
export function fallbackLeaseMs(timeoutMs: number): number {
  return timeoutMs + 60_000;
}

export const unknownOutcomeReason = 'outcome unknown; not retried to avoid a duplicate SMS';

export type FallbackPlan =
  /** Nothing to do and nothing to write; the reason goes to the log. */
  | { action: 'skip'; reason: string }
  /** Closed without sending (skipped or failed): store the message. */
  | { action: 'settle'; message: Message; reason: string }
  /** Another send is in flight: try again after `until`. */
  | { action: 'busy'; until: Date }
  /** Claimed: send `request` now, then apply the answer with `applySendResult`. */
  | { action: 'claim'; message: Message; attempt: number; request: SmsRequest };

export interface FallbackOptions {
  /** The provider this instance sends through. */
  provider: SmsProviderName;
  /** See `fallbackLeaseMs`. */
  leaseMs: number;
}

/** Decides, inside the transaction that read the message, whether to send the SMS now. */
export function planFallback(
  message: Message | undefined,
  now: Date,
  options: FallbackOptions,
): FallbackPlan {
  if (!message) return { action: 'skip', reason: 'no such message' };
  if (!message.tracked) return { action: 'skip', reason: 'message is not tracked' };
  const { fallback } = message;
  if (fallback.state !== 'pending') return { action: 'skip', reason: `fallback is ${fallback.state}` };

  if (message.deliveredAt) {
    // Law 4: never after a confirmed delivery. A time-critical policy only falls back when
    // delivery is uncertain; a DELIVERED makes it certain. An attempt still out may answer.
    if (fallback.sendingUntil && now < fallback.sendingUntil)
      return { action: 'busy', until: fallback.sendingUntil };
    if (fallback.sendingUntil) {
      // Its answer was lost. Asking again could send after the delivery: record what is not known.
      return settle(
        message,
        now,
        'skipped',
        `RCS delivery confirmed; attempt ${fallback.attempts ?? 0} may have sent the SMS (its answer was lost)`,
        { outcomeUnknown: true },
      );
    }
    return settle(message, now, 'skipped', 'RCS delivery confirmed before the SMS went out');
  }
  if (!fallback.enabled) return settle(message, now, 'skipped', 'no SMS fallback for this message');

  if (fallback.sendingUntil) {
    if (now < fallback.sendingUntil) return { action: 'busy', until: fallback.sendingUntil };
    // An earlier attempt may have sent: only the same deduplicating provider may try again, with the same key.
    const previous = fallback.provider;
    if (previous !== options.provider || !deduplicatesByKey(options.provider)) {
      const who = previous ? `${previous} ` : '';
      const switched =
        previous && previous !== options.provider ? ` (provider is now ${options.provider})` : '';
      return settle(
        message,
        now,
        'failed',
        `${who}attempt ${fallback.attempts ?? 0} may have sent (lease expired or no usable answer)${switched}: ${unknownOutcomeReason}`,
        { outcomeUnknown: true },
      );
    }
  }
  if (!fallback.text) return settle(message, now, 'failed', 'no SMS text stored for this message');

  const next = changedCopy(message, now);
  const attempt = (fallback.attempts ?? 0) + 1;
  next.fallback.attempts = attempt;
  next.fallback.sendingUntil = new Date(now.getTime() + options.leaseMs);
  next.fallback.provider = options.provider;
  return {
    action: 'claim',
    message: refreshDerived(next),
    attempt,
    request: { to: message.phoneNumber, text: fallback.text, idempotencyKey: message.messageId },
  };
}

export type SendOutcome =
  /** The answer is stored; nothing more to do for this task. */
  | { kind: 'recorded'; message: Message; verdict: string }
  /** Not sent, tries left: answer so that Cloud Tasks retries (after `retryAfterMs` if the provider said). */
  | { kind: 'retry'; message: Message; verdict: string; retryAfterMs?: number };

/**
 * Applies the provider's answer for claim `attempt` to the message as it is
 * now (re-read in a new transaction). `finalTry`: Cloud Tasks will not call
 * again. The answer is recorded as it is, without re-checking the plan: a
 * send that happened is never undone, whatever arrived meanwhile.
 */
export function applySendResult(
  message: Message,
  attempt: number,
  result: SmsResult,
  finalTry: boolean,
  now: Date,
): SendOutcome {
  const next = changedCopy(message, now);
  const fallback = next.fallback;
  const label = `attempt ${attempt} (${result.provider})`;

  if (result.kind === 'sent') {
    if (fallback.state === 'sent') {
      // A replay (same key) or a stale duplicate: the first record stands.
      return recorded(next, `${label}: already recorded as sent`);
    }
    fallback.state = 'sent';
    fallback.sentAt = now;
    fallback.provider = result.provider;
    if (result.providerId) fallback.providerId = result.providerId;
    else delete fallback.providerId;
    fallback.reason = `sent by ${result.provider}${result.providerId ? '' : ' (no provider id in the answer)'}`;
    close(next);
    // A DELIVERED that arrived while the SMS was in flight: both reached the phone (law 5).
    if (next.deliveredAt) next.duplicateDelivery = true;
    return recorded(next, `${label}: sent`);
  }

  if (fallback.state !== 'pending') {
    // Closed meanwhile (sent by another attempt, or skipped because a DELIVERED came): nothing to retry.
    if (fallback.state !== 'sent') close(next);
    return recorded(next, `${label}: ${describe(result)}; fallback already ${fallback.state}`);
  }

  if (next.deliveredAt) {
    // The DELIVERED came while this attempt was out: no retry now (law 4). The record keeps
    // what this answer cannot rule out: that the SMS went out all the same.
    fallback.state = 'skipped';
    fallback.reason = `RCS delivery confirmed while attempt ${attempt} was out (${describe(result)})`;
    if (result.kind === 'ambiguous' || (result.kind === 'transient' && mayHaveSent(result))) {
      fallback.outcomeUnknown = true;
    }
    close(next);
    return recorded(next, `${label}: ${describe(result)}; RCS delivery confirmed meanwhile`);
  }

  if (result.kind === 'permanent') {
    return fail(next, `${result.provider} refused the SMS: ${describe(result)}`);
  }

  const current = fallback.attempts === attempt;
  if (result.kind === 'ambiguous') {
    if (!deduplicatesByKey(result.provider)) {
      return fail(
        next,
        `${result.provider} gave no usable answer (${describe(result)}): ${unknownOutcomeReason}`,
        true,
      );
    }
    if (finalTry) {
      return fail(
        next,
        `${result.provider} gave no usable answer on the last try (${describe(result)}): outcome unknown, the provider may have sent it`,
        true,
      );
    }
    // Release the lease, keep the marker: the next try resends with the same key.
    if (current) fallback.sendingUntil = now;
    fallback.reason = `${label}: no usable answer (${describe(result)}); retrying with the same idempotency key`;
    return retry(next, fallback.reason, undefined);
  }

  // Transient: not accepted.
  if (finalTry) {
    return fail(
      next,
      `${result.provider} kept failing until the retry budget was spent (last: ${describe(result)})`,
      // This answer, or an earlier one whose marker is still set, may have come after a send.
      mayHaveSent(result) || fallback.sendingUntil !== undefined,
    );
  }
  if (current) {
    if (mayHaveSent(result)) fallback.sendingUntil = now;
    else delete fallback.sendingUntil;
  }
  fallback.reason = `${label}: ${describe(result)}; retrying`;
  return retry(next, fallback.reason, result.retryAfterMs);
}

/**
 * Whether a transient answer still leaves open that the SMS went out. A
 * deduplicating provider's 5xx may come after it sent (its retry is safe,
 * but no other provider may take over); 429, Twilio's documented-retryable
 * 503, and a request that never left are definite.
 */
function mayHaveSent(result: Extract<SmsResult, { kind: 'transient' }>): boolean {
  return deduplicatesByKey(result.provider) && result.status >= 500;
}

function settle(
  message: Message,
  now: Date,
  state: 'skipped' | 'failed',
  reason: string,
  unknown: { outcomeUnknown?: true } = {},
): FallbackPlan {
  const next = changedCopy(message, now);
  next.fallback.state = state;
  next.fallback.reason = reason;
  if (unknown.outcomeUnknown) next.fallback.outcomeUnknown = true;
  close(next);
  return { action: 'settle', message: refreshDerived(next), reason };
}

/** `mayHaveSent`: an attempt's outcome was never learnt, so the SMS may have gone out. */
function fail(message: Message, reason: string, mayHaveSent = false): SendOutcome {
  message.fallback.state = 'failed';
  message.fallback.reason = reason;
  if (mayHaveSent) message.fallback.outcomeUnknown = true;
  close(message);
  return recorded(message, reason);
}

/** A final state: no lease, and the text (possibly an OTP) is not kept longer than needed. */
function close(message: Message): void {
  delete message.fallback.sendingUntil;
  delete message.fallback.text;
}

function recorded(message: Message, verdict: string): SendOutcome {
  return { kind: 'recorded', message: refreshDerived(message), verdict };
}

function retry(message: Message, verdict: string, retryAfterMs: number | undefined): SendOutcome {
  return {
    kind: 'retry',
    message: refreshDerived(message),
    verdict,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

function describe(result: Exclude<SmsResult, { kind: 'sent' }>): string {
  if (result.status !== 0) return `${result.status} ${result.error}`;
  return result.kind === 'transient' ? `request not sent (${result.error})` : `no answer (${result.error})`;
}

import { smsProviders } from '../sms/providers.ts';
import type { SmsProviderName, SmsRequest, SmsResult } from '../sms/types.ts';
import { changedCopy } from './message-copy.ts';
import { refreshDerived } from './status.ts';
import type { Message, SmsSendRecord } from './types.ts';

/**
 * One SMS, at most once (law 4, docs/architecture.md#lifecycle-laws; docs/fallback.md,
 * "At most once"): the rules the SMS fallback and the escalation nudge share. The state
 * machine lives on the message, in an `SmsSendRecord`: `pending` -> claimed (attempts += 1,
 * a lease in `sendingUntil`) -> `sent` | `failed`, or back to pending to retry. A claim is
 * written in a transaction before the provider is called, and the answer is written after, so:
 * - a duplicate task delivery finds the lease and does not send (busy);
 * - a record no longer pending (sent, failed, skipped because the fact that makes the SMS
 *   unnecessary came first: a DELIVERED for the fallback, a READ for a nudge) is never sent;
 * - a claim whose outcome was never learnt (the process died, the answer was lost) keeps
 *   `sendingUntil` after its lease ran out. Only a provider that deduplicates by idempotency
 *   key (the generic HTTPS one) may try again, and only the provider that made that attempt.
 *   Twilio has no such key: the send is recorded as failed instead of risking a second SMS.
 * `sendingUntil` therefore means "an attempt may have sent, and its outcome is not known": it
 * is cleared only when an answer proves nothing was sent, or when the record reaches a final state.
 *
 * What differs between the two SMS is a `SmsSlot`: where the record lives on the message, what
 * makes it unnecessary, its idempotency key, and what a sent answer implies beyond the record.
 */

export interface SmsSlot {
  /** What the SMS is, for verdicts: "fallback", "escalation". */
  name: string;
  /** The record on the message (on the copy a rule changes, the copy's own record). */
  record(message: Message): SmsSendRecord;
  /** The stored fact that makes this SMS unnecessary, in words ("RCS delivery confirmed"), or undefined. */
  unnecessary(message: Message): string | undefined;
  /** The same on every attempt for this SMS, and different from every other SMS's. */
  idempotencyKey(message: Message): string;
  /** What a recorded send implies beyond the record (law 5's duplicate flag for the fallback). */
  onSent?(message: Message): void;
}

/** Providers that deduplicate by idempotency key, so resending with the same key cannot send twice. */
export const deduplicatesByKey = (provider: SmsProviderName): boolean =>
  smsProviders[provider].deduplicatesByKey;

export const unknownOutcomeReason = 'outcome unknown; not retried to avoid a duplicate SMS';

export type SmsPlan =
  /** Nothing to do and nothing to write; the reason goes to the log. */
  | { action: 'skip'; reason: string }
  /** Closed without sending (skipped or failed): store the message. */
  | { action: 'settle'; message: Message; reason: string }
  /** Another send is in flight (or the send is not due yet): try again after `until`. */
  | { action: 'busy'; until: Date }
  /** Claimed: send `request` now, then apply the answer with `applySmsAnswer`. */
  | { action: 'claim'; message: Message; attempt: number; request: SmsRequest };

export interface SmsSendOptions {
  /** The provider this instance sends through. */
  provider: SmsProviderName;
  /** How long a claim holds (shared/lifecycle/fallback.ts, `fallbackLeaseMs`). */
  leaseMs: number;
}

/**
 * Decides, inside the transaction that read the message, whether to send the slot's SMS now.
 * The caller has checked that the record is `pending` and due. `notWanted`: a reason the
 * caller has not to send it at all (no fallback asked for), checked once the unnecessary
 * fact is ruled out, so an attempt still out is answered first.
 */
export function planSmsSend(
  message: Message,
  slot: SmsSlot,
  now: Date,
  options: SmsSendOptions,
  notWanted?: string,
): SmsPlan {
  const record = slot.record(message);
  const unnecessary = slot.unnecessary(message);
  if (unnecessary) {
    // Never after the fact that makes it unnecessary is stored. An attempt still out may answer.
    if (record.sendingUntil && now < record.sendingUntil)
      return { action: 'busy', until: record.sendingUntil };
    if (record.sendingUntil) {
      // Its answer was lost. Asking again could send after that fact: record what is not known.
      return settle(
        message,
        slot,
        now,
        'skipped',
        `${unnecessary}; attempt ${record.attempts ?? 0} may have sent the SMS (its answer was lost)`,
        { outcomeUnknown: true },
      );
    }
    return settle(message, slot, now, 'skipped', `${unnecessary} before the SMS went out`);
  }
  if (notWanted) return settle(message, slot, now, 'skipped', notWanted);

  if (record.sendingUntil) {
    if (now < record.sendingUntil) return { action: 'busy', until: record.sendingUntil };
    // An earlier attempt may have sent: only the same deduplicating provider may try again, with the same key.
    const previous = record.provider;
    if (previous !== options.provider || !deduplicatesByKey(options.provider)) {
      const who = previous ? `${previous} ` : '';
      const switched =
        previous && previous !== options.provider ? ` (provider is now ${options.provider})` : '';
      return settle(
        message,
        slot,
        now,
        'failed',
        `${who}attempt ${record.attempts ?? 0} may have sent (lease expired or no usable answer)${switched}: ${unknownOutcomeReason}`,
        { outcomeUnknown: true },
      );
    }
  }
  if (!record.text) return settle(message, slot, now, 'failed', 'no SMS text stored for this message');

  const next = changedCopy(message, now);
  const claimed = slot.record(next);
  const attempt = (record.attempts ?? 0) + 1;
  claimed.attempts = attempt;
  // A resend over an unknown outcome: that attempt may have sent, whatever this one answers.
  if (record.sendingUntil) claimed.earlierMayHaveSent = true;
  claimed.sendingUntil = new Date(now.getTime() + options.leaseMs);
  claimed.provider = options.provider;
  return {
    action: 'claim',
    message: refreshDerived(next),
    attempt,
    request: { to: message.phoneNumber, text: record.text, idempotencyKey: slot.idempotencyKey(message) },
  };
}

export type SmsOutcome =
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
export function applySmsAnswer(
  message: Message,
  slot: SmsSlot,
  attempt: number,
  result: SmsResult,
  finalTry: boolean,
  now: Date,
): SmsOutcome {
  const next = changedCopy(message, now);
  const record = slot.record(next);
  const label = `attempt ${attempt} (${result.provider})`;

  if (result.kind === 'sent') {
    if (record.state === 'sent') {
      // A replay (same key) or a stale duplicate: the first record stands.
      return recorded(next, `${label}: already recorded as sent`);
    }
    record.state = 'sent';
    record.sentAt = now;
    record.provider = result.provider;
    if (result.providerId) record.providerId = result.providerId;
    else delete record.providerId;
    record.reason = `sent by ${result.provider}${result.providerId ? '' : ' (no provider id in the answer)'}`;
    close(record);
    slot.onSent?.(next);
    return recorded(next, `${label}: sent`);
  }

  if (record.state !== 'pending') {
    // Closed meanwhile (sent by another attempt, or skipped because the unnecessary fact came): nothing to retry.
    if (record.state !== 'sent') close(record);
    return recorded(next, `${label}: ${describe(result)}; ${slot.name} already ${record.state}`);
  }

  const unnecessary = slot.unnecessary(next);
  if (unnecessary) {
    // The fact came while this attempt was out: no retry now (law 4). The record keeps
    // what this answer cannot rule out: that the SMS went out all the same.
    record.state = 'skipped';
    record.reason = `${unnecessary} while attempt ${attempt} was out (${describe(result)})`;
    if (
      result.kind === 'ambiguous' ||
      (result.kind === 'transient' && mayHaveSent(result)) ||
      record.earlierMayHaveSent
    ) {
      record.outcomeUnknown = true;
    }
    close(record);
    return recorded(next, `${label}: ${describe(result)}; ${unnecessary} meanwhile`);
  }

  if (result.kind === 'permanent') {
    return fail(next, record, `${result.provider} refused the SMS: ${describe(result)}`);
  }

  const current = record.attempts === attempt;
  if (result.kind === 'ambiguous') {
    if (!deduplicatesByKey(result.provider)) {
      return fail(
        next,
        record,
        `${result.provider} gave no usable answer (${describe(result)}): ${unknownOutcomeReason}`,
        true,
      );
    }
    if (finalTry) {
      return fail(
        next,
        record,
        `${result.provider} gave no usable answer on the last try (${describe(result)}): outcome unknown, the provider may have sent it`,
        true,
      );
    }
    // Release the lease, keep the marker: the next try resends with the same key.
    if (current) record.sendingUntil = now;
    record.reason = `${label}: no usable answer (${describe(result)}); retrying with the same idempotency key`;
    return retry(next, record.reason, undefined);
  }

  // Transient: not accepted.
  if (finalTry) {
    return fail(
      next,
      record,
      `${result.provider} kept failing until the retry budget was spent (last: ${describe(result)})`,
      // This answer, or an earlier one whose marker is still set, may have come after a send.
      mayHaveSent(result) || record.sendingUntil !== undefined,
    );
  }
  if (current) {
    // This answer proves only that this request was not taken; an earlier one may still have sent.
    if (mayHaveSent(result) || record.earlierMayHaveSent) record.sendingUntil = now;
    else delete record.sendingUntil;
  }
  record.reason = `${label}: ${describe(result)}; retrying`;
  return retry(next, record.reason, result.retryAfterMs);
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

/** Closes the slot's record without a call: skipped or failed. */
export function settle(
  message: Message,
  slot: SmsSlot,
  now: Date,
  state: 'skipped' | 'failed',
  reason: string,
  unknown: { outcomeUnknown?: true } = {},
): SmsPlan {
  const next = changedCopy(message, now);
  const record = slot.record(next);
  record.state = state;
  record.reason = reason;
  if (unknown.outcomeUnknown) record.outcomeUnknown = true;
  close(record);
  return { action: 'settle', message: refreshDerived(next), reason };
}

/** `mayHaveSent`: an attempt's outcome was never learnt, so the SMS may have gone out. */
function fail(message: Message, record: SmsSendRecord, reason: string, mayHaveSent = false): SmsOutcome {
  record.state = 'failed';
  record.reason = reason;
  if (mayHaveSent || record.earlierMayHaveSent) record.outcomeUnknown = true;
  close(record);
  return recorded(message, reason);
}

/** A final state: no lease, and the text (possibly an OTP) is not kept longer than needed. */
export function close(record: SmsSendRecord): void {
  delete record.sendingUntil;
  delete record.earlierMayHaveSent;
  delete record.text;
}

function recorded(message: Message, verdict: string): SmsOutcome {
  return { kind: 'recorded', message: refreshDerived(message), verdict };
}

function retry(message: Message, verdict: string, retryAfterMs: number | undefined): SmsOutcome {
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

import type { SmsResult } from '../sms/types.ts';
import {
  applySmsAnswer,
  planSmsSend,
  type SmsOutcome,
  type SmsPlan,
  type SmsSendOptions,
  type SmsSlot,
} from './sms-send.ts';
import type { Message } from './types.ts';

/**
 * SMS fallback, at most once per message (law 4,
 * docs/architecture.md#lifecycle-laws). The claim / lease / record-the-answer
 * rules are shared with the escalation nudge (shared/lifecycle/sms-send.ts);
 * what is the fallback's own: its record is `message.fallback`, a confirmed
 * DELIVERED makes it unnecessary (a time-critical policy falls back only while
 * delivery is uncertain), its idempotency key is the messageId, and a send
 * that crosses a DELIVERED flags the message a duplicate (law 5).
 */

export { unknownOutcomeReason } from './sms-send.ts';

/** How long a claimed send may take before another delivery of the task may act: the call's timeout plus margin for the two transactions. */
export function fallbackLeaseMs(timeoutMs: number): number {
  return timeoutMs + 60_000;
}

export const fallbackSlot: SmsSlot = {
  name: 'fallback',
  record: (message) => message.fallback,
  unnecessary: (message) => (message.deliveredAt ? 'RCS delivery confirmed' : undefined),
  idempotencyKey: (message) => message.messageId,
  onSent: (message) => {
    // A DELIVERED that arrived while the SMS was in flight: both reached the phone (law 5).
    if (message.deliveredAt) message.duplicateDelivery = true;
  },
};

export type FallbackPlan = SmsPlan;
export type FallbackOptions = SmsSendOptions;
export type SendOutcome = SmsOutcome;

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
  return planSmsSend(
    message,
    fallbackSlot,
    now,
    options,
    fallback.enabled ? undefined : 'no SMS fallback for this message',
  );
}

/**
 * Applies the provider's answer for claim `attempt` to the message as it is
 * now (re-read in a new transaction); see `applySmsAnswer`.
 */
export function applySendResult(
  message: Message,
  attempt: number,
  result: SmsResult,
  finalTry: boolean,
  now: Date,
): SendOutcome {
  return applySmsAnswer(message, fallbackSlot, attempt, result, finalTry, now);
}

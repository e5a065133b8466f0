import type { SmsResult } from '../sms/types.ts';
import {
  applySmsAnswer,
  close,
  planSmsSend,
  type SmsOutcome,
  type SmsPlan,
  type SmsSendOptions,
  type SmsSlot,
} from './sms-send.ts';
import type { Effect, Escalation, Message } from './types.ts';

/**
 * Escalation when not read (docs/escalation.md): a message delivered and not READ within
 * `unreadAfterMs` of its DELIVERED gets one SMS nudge. At most once, by the same claim /
 * lease / record-the-answer rules as the SMS fallback (shared/lifecycle/sms-send.ts); what
 * is the escalation's own: its record is `message.escalation`, a stored READ makes it
 * unnecessary, and its idempotency key is the messageId with an `:escalation` suffix, so a
 * deduplicating provider never takes it for the fallback's SMS.
 *
 * The steps: registration stores `waiting`; the first DELIVERED makes it `pending`, due at
 * deliveredAt + unreadAfterMs, and schedules the `escalate` task (or skips it when a READ is
 * already stored, or the phone already got or may get the fallback SMS); a READ before the
 * nudge goes out skips it (its task, if it still runs, finds nothing to do); the task claims,
 * sends and records; a READ stored after the nudge sets `readAfterNudge`.
 */

export const escalationSlot: SmsSlot = {
  name: 'escalation',
  record: (message) => message.escalation!,
  unnecessary: (message) => (message.readAt ? 'READ received' : undefined),
  idempotencyKey: (message) => `${message.messageId}:escalation`,
  onSent: (message) => {
    // A READ that arrived while the nudge was in flight.
    if (message.readAt) markReadAfterNudge(message.escalation!, message.readAt);
  },
};

/** The escalation a registration stores, or undefined when it is off. */
export function initialEscalation(
  settings: { unreadAfterMs: number; text?: string } | undefined,
): Escalation | undefined {
  if (!settings) return undefined;
  return {
    state: 'waiting',
    unreadAfterMs: settings.unreadAfterMs,
    ...(settings.text === undefined ? {} : { text: settings.text }),
  };
}

/**
 * Applied by a delivery fact on the copy the rule changes (shared/lifecycle/receipts.ts):
 * schedules the nudge on the first DELIVERED, skips it on a READ that comes first, and
 * notes a READ that comes after the nudge. Returns what happened, for the timeline.
 */
export function escalationOnReceipt(
  message: Message,
  kind: 'DELIVERED' | 'READ',
  effects: Effect[],
): 'scheduled' | 'skipped' | undefined {
  const escalation = message.escalation;
  if (!message.tracked || !escalation) return undefined;
  if (escalation.state === 'sent') {
    if (kind === 'READ' && message.readAt) markReadAfterNudge(escalation, message.readAt);
    return undefined;
  }
  if (escalation.state === 'waiting') {
    if (!message.deliveredAt) return undefined;
    const reason = notWorthANudge(message);
    if (reason) return skip(escalation, reason);
    escalation.state = 'pending';
    escalation.at = new Date(message.deliveredAt.getTime() + escalation.unreadAfterMs);
    effects.push({ kind: 'schedule', step: 'escalate', sequence: 0, at: escalation.at });
    return 'scheduled';
  }
  if (escalation.state === 'pending' && message.readAt) {
    // An attempt out (or one whose answer was lost) may have sent: its answer or its retry decides.
    if (escalation.sendingUntil) return undefined;
    effects.push({ kind: 'cancel_escalation_task' });
    return skip(escalation, 'READ before the nudge was due');
  }
  return undefined;
}

/** Why a delivered message gets no nudge at all, or undefined. */
function notWorthANudge(message: Message): string | undefined {
  if (message.readAt) return 'READ before the nudge was due';
  const { fallback } = message;
  if (fallback.state === 'sent' || fallback.sendingUntil || fallback.outcomeUnknown)
    return 'the fallback SMS went out (or may have)';
  if (message.lateDelivery) return 'delivered after its revoke was requested';
  return undefined;
}

function skip(escalation: Escalation, reason: string): 'skipped' {
  escalation.state = 'skipped';
  escalation.reason = reason;
  close(escalation);
  return 'skipped';
}

function markReadAfterNudge(escalation: Escalation, readAt: Date): void {
  if (escalation.readAfterNudge !== undefined || !escalation.sentAt) return;
  escalation.readAfterNudge = readAt.getTime() >= escalation.sentAt.getTime();
}

/** Decides, inside the transaction that read the message, whether to send the nudge now. */
export function planEscalation(message: Message | undefined, now: Date, options: SmsSendOptions): SmsPlan {
  if (!message) return { action: 'skip', reason: 'no such message' };
  if (!message.tracked) return { action: 'skip', reason: 'message is not tracked' };
  const escalation = message.escalation;
  if (!escalation) return { action: 'skip', reason: 'no escalation for this message' };
  if (escalation.state !== 'pending') return { action: 'skip', reason: `escalation is ${escalation.state}` };
  // Never early: a task delivered before its time (a clock ahead, a re-drive) waits.
  if (escalation.at && now < escalation.at && !escalation.sendingUntil)
    return { action: 'busy', until: escalation.at };
  return planSmsSend(message, escalationSlot, now, options);
}

/** Applies the provider's answer for claim `attempt` of the nudge; see `applySmsAnswer`. */
export function applyEscalationResult(
  message: Message,
  attempt: number,
  result: SmsResult,
  finalTry: boolean,
  now: Date,
): SmsOutcome {
  return applySmsAnswer(message, escalationSlot, attempt, result, finalTry, now);
}

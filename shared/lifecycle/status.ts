import type { Message, MessageStatus } from './types.ts';

type Facts = Pick<Message, 'tracked' | 'deliveredAt' | 'readAt' | 'revocation' | 'fallback' | 'send'>;

/**
 * The status an operator sees, computed from the facts so it can never
 * disagree with them. Order matters: what reached the phone outranks what
 * the system tried.
 */
export function deriveStatus(facts: Facts): MessageStatus {
  const delivered = facts.deliveredAt !== undefined;
  const smsSent = facts.fallback.state === 'sent';
  if (!facts.tracked) return 'untracked';
  if (smsSent) return delivered ? 'duplicate' : 'sms_sent';
  if (facts.readAt) return 'read';
  if (delivered) return 'delivered';
  if (facts.fallback.state === 'pending') return 'sms_pending';
  if (facts.fallback.state === 'failed' || facts.send?.state === 'not_rcs') return 'failed';
  switch (facts.revocation.state) {
    case 'confirmed':
      return 'revoked';
    case 'failed':
      return 'failed';
    case 'requested':
    case 'not_found':
      return 'revoking';
    default:
      return 'pending';
  }
}

/** Nothing more will be done for the message (READ or a late DELIVERED may still be recorded). */
export function isSettled(message: Message): boolean {
  if (!message.tracked) return true;
  if (message.fallback.state === 'pending') return false;
  if (message.escalation?.state === 'pending') return false;
  switch (message.status) {
    case 'delivered':
    case 'read':
    case 'revoked':
    case 'sms_sent':
    case 'duplicate':
    case 'failed':
      return true;
    default:
      return false;
  }
}

/**
 * When the system should next act on the message if nothing else happens:
 * the sweep re-drives messages whose dueAt is long past (a lost task, a crash
 * between two steps). Undefined once settled.
 */
export function nextDueAt(message: Message): Date | undefined {
  if (isSettled(message)) return undefined;
  const due = stepDueAt(message);
  const hold = message.sweepHoldUntil;
  return due && hold && hold > due ? hold : due;
}

function stepDueAt(message: Message): Date | undefined {
  if (message.fallback.state === 'pending') return message.updatedAt;
  const escalation = message.escalation;
  if (escalation?.state === 'pending') {
    // Due when the nudge is, or when the lease of an attempt out runs out.
    const at = escalation.at ?? message.updatedAt;
    return escalation.sendingUntil && escalation.sendingUntil > at ? escalation.sendingUntil : at;
  }
  const revocation = message.revocation;
  if (revocation.inFlightUntil) return revocation.inFlightUntil;
  if (revocation.state === 'requested' || revocation.state === 'not_found') {
    const since = revocation.lastAt ?? message.updatedAt;
    const graceEnd = new Date(since.getTime() + (message.policy?.graceMs ?? 0));
    // A confirm put off while ingestion is behind is due when it rechecks, not at the grace end.
    const deferred = revocation.deferredUntil;
    return deferred && deferred > graceEnd ? deferred : graceEnd;
  }
  return message.deadline;
}

/** Recomputes the derived fields after a rule changed the facts. */
export function refreshDerived(message: Message): Message {
  message.status = deriveStatus(message);
  const escalation = message.escalation;
  if (escalation?.state === 'waiting' && message.deliveredAt === undefined && isSettled(message)) {
    // Ended without a delivery (revoked, SMS instead, failed): no nudge will ever be due, and a
    // DELIVERED after the end would be too late for one. Its text (maybe an OTP) is not kept.
    escalation.state = 'skipped';
    escalation.reason = 'the message ended without a DELIVERED';
    delete escalation.text;
  }
  const due = nextDueAt(message);
  if (due) message.dueAt = due;
  else delete message.dueAt;
  return message;
}

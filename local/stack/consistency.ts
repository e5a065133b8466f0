import type { MessageTruth } from '../rbm-sandbox/index.ts';

/** What the product believes about one message, as read from Firestore or the API. */
export interface Belief {
  status: string;
  deliveredAt?: unknown;
  dueAt?: unknown;
  tracked?: boolean;
  /** The fallback's `outcomeUnknown`: an attempt may have sent the SMS though the status does not say so. */
  smsOutcomeUnknown?: boolean;
  /** The escalation nudge (docs/escalation.md), when the message has one. */
  escalation?: { state: string; outcomeUnknown?: boolean } | undefined;
}

const settledStatuses = new Set(['delivered', 'read', 'revoked', 'sms_sent', 'duplicate', 'failed']);

/**
 * Problems between the product's final belief about a message and what
 * really happened (the RBM sandbox's ground truth, the SMS sandbox's count).
 * Empty when consistent. Used by the scenario tests and by `npm start -- --exit`.
 */
export function inconsistencies(belief: Belief, truth: MessageTruth | undefined, allSms: number): string[] {
  const problems: string[] = [];
  const nudged = belief.escalation?.state === 'sent';
  if (nudged && allSms === 0) problems.push('escalation sent but no SMS in the SMS sandbox');
  if (nudged && truth && truth.deliveredAt === null)
    problems.push('nudged, but the phone never got the message');
  const smsCount = fallbackSmsCount(belief, allSms);
  if (!settledStatuses.has(belief.status) || belief.dueAt !== undefined) {
    problems.push(`not in a terminal state (status ${belief.status})`);
  }
  if (truth?.status === 'delivered' && belief.deliveredAt === undefined) {
    problems.push('the phone received it but the product does not know');
  }
  if (truth?.neverDelivered && belief.deliveredAt !== undefined) {
    problems.push('the product believes it delivered but the phone never got it');
  }
  if (smsCount > 1) problems.push(`${smsCount} fallback SMS sent (at most one allowed)`);
  if (belief.status === 'sms_sent' || belief.status === 'duplicate') {
    if (smsCount !== 1) problems.push(`status ${belief.status} but ${smsCount} SMS in the SMS sandbox`);
  } else if (smsCount !== 0 && !belief.smsOutcomeUnknown) {
    // Unless the record says an attempt's outcome was never learnt, an SMS it does not show is a lie.
    problems.push(`status ${belief.status} but an SMS was sent`);
  }
  return problems;
}

/** Of the SMS the number got, those of the fallback: a nudge is an SMS to the same number too. */
export function fallbackSmsCount(belief: Pick<Belief, 'escalation'>, allSms: number): number {
  if (belief.escalation?.state === 'sent') return Math.max(0, allSms - 1);
  // A nudge whose attempt's outcome was never learnt may account for one SMS, and its record says so.
  if (belief.escalation?.outcomeUnknown && allSms > 0) return allSms - 1;
  return allSms;
}

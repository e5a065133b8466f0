import { escalationOnReceipt } from './escalation.ts';
import { changedCopy } from './message-copy.ts';
import { noRevocationYet } from './registration.ts';
import { refreshDerived } from './status.ts';
import type { Effect, Message } from './types.ts';

/**
 * A platform fact about one agent message, as the webhook parsed it. TTL_INCONCLUSIVE is a
 * TTL notice (a ServerEvent) with any status but the two documented ones: Google's send guide
 * calls every TTL status other than TTL_EXPIRATION_REVOKED inconclusive
 * (docs/rbm-platform.md#ttl-notices).
 */
export interface DeliveryFact {
  type: 'DELIVERED' | 'READ' | 'TTL_EXPIRATION_REVOKED' | 'TTL_EXPIRATION_REVOKE_FAILED' | 'TTL_INCONCLUSIVE';
  messageId: string;
  agentId: string;
  phoneNumber: string;
  /** The platform's sendTime for the event. */
  at: Date;
}

export interface Outcome {
  message: Message;
  effects: Effect[];
  /** What this fact did to the message's escalation, for its timeline (ESCALATION_SCHEDULED / _SKIPPED_READ). */
  escalation?: 'scheduled' | 'skipped';
}

/** What the system knows of a message it never registered: only what the platform told it. */
export function untrackedMessage(fact: DeliveryFact, now: Date): Message {
  return {
    messageId: fact.messageId,
    agentId: fact.agentId,
    phoneNumber: fact.phoneNumber,
    tracked: false,
    status: 'untracked',
    labels: {},
    createdAt: now,
    revocation: noRevocationYet(),
    fallback: { state: 'none', enabled: false },
    duplicateDelivery: false,
    lateDelivery: false,
    updatedAt: now,
  };
}

/**
 * Applies one platform fact. Delivery facts only move forward (law 1): times
 * keep the earliest report, READ implies delivered, nothing is ever unset.
 * Applying the same fact twice gives the same message.
 */
export function applyDeliveryFact(existing: Message | undefined, fact: DeliveryFact, now: Date): Outcome {
  const before = existing ?? untrackedMessage(fact, now);
  const message = changedCopy(before, now);
  const effects: Effect[] = [];
  let escalation: Outcome['escalation'];

  switch (fact.type) {
    case 'READ':
      message.readLearnedAt ??= now;
      message.readAt = earliest(message.readAt, fact.at);
      recordDelivery(message, fact.at, now);
      escalation = escalationOnReceipt(message, 'READ', effects);
      break;
    case 'DELIVERED':
      recordDelivery(message, fact.at, now);
      escalation = escalationOnReceipt(message, 'DELIVERED', effects);
      break;
    case 'TTL_EXPIRATION_REVOKED':
      // The platform revoked at expiry: a confirmed revocation unless delivery was already seen.
      if (message.deliveredAt === undefined && message.revocation.state !== 'confirmed') {
        message.revocation.state = 'confirmed';
        message.revocation.confirmedAt = fact.at;
        message.revocation.reason = 'revoked by the platform at TTL expiry';
        if (message.tracked && message.fallback.enabled && message.fallback.state === 'none') {
          message.fallback.state = 'pending';
          effects.push({ kind: 'schedule', step: 'fallback', sequence: 0, at: now });
        }
      }
      break;
    case 'TTL_EXPIRATION_REVOKE_FAILED':
    case 'TTL_INCONCLUSIVE':
      inconclusiveExpiry(message, effects, now);
      break;
    default:
      return unknownFactType(fact.type);
  }

  const wasWaiting = before.tracked && before.status === 'pending';
  refreshDerived(message);
  if (wasWaiting && message.status !== 'pending') {
    effects.unshift({ kind: 'cancel_revoke_task', sequence: message.revocation.taskSequence });
  }
  return { message, effects, ...(escalation ? { escalation } : {}) };
}

/**
 * Expired, but not known to be revoked. Unless a DELIVERED came (it wins), revoke now
 * through the API; and for time-critical content fall back now too, as Google advises for
 * critical messages on an inconclusive TTL notice, rather than after the revoke's rounds.
 * The revoke still runs after the SMS (planRevoke), so a late RCS copy is stopped if it can be.
 */
function inconclusiveExpiry(message: Message, effects: Effect[], now: Date): void {
  if (!message.tracked || message.deliveredAt !== undefined) return;
  if (message.revocation.state === 'none') {
    effects.push({ kind: 'schedule', step: 'expired', sequence: 0, at: now });
  }
  const settled = ['confirmed', 'lost_race', 'failed'].includes(message.revocation.state);
  const { fallback } = message;
  if (message.policy?.fallbackWhenUncertain && !settled && fallback.enabled && fallback.state === 'none') {
    fallback.state = 'pending';
    fallback.reason = 'TTL notice inconclusive (time-critical policy)';
    effects.push({ kind: 'schedule', step: 'fallback', sequence: 0, at: now });
  }
}

function recordDelivery(message: Message, at: Date, now: Date): void {
  const firstReport = message.deliveredAt === undefined;
  message.deliveredAt = earliest(message.deliveredAt, at);
  if (!firstReport) return;
  message.deliveredLearnedAt = now;
  const revoke = message.revocation;
  if (revoke.state === 'requested' || revoke.state === 'not_found' || revoke.state === 'confirmed') {
    // The revoke did not stop delivery: the platform delivered first (law 3).
    revoke.state = 'lost_race';
    revoke.reason = 'DELIVERED arrived after the revoke was requested';
    message.lateDelivery = true;
  }
  if (message.fallback.state === 'sent') {
    message.duplicateDelivery = true; // law 5
    message.lateDelivery = true;
  } else if (message.fallback.state === 'pending' && message.fallback.sendingUntil) {
    // An attempt is out (or its answer was lost): it may have sent. Leave the fallback to its
    // answer or to its retry, which learn or record the outcome (shared/lifecycle/fallback.ts).
  } else if (message.fallback.state === 'pending' || message.fallback.state === 'none') {
    // Delivery is now confirmed: no SMS, whatever the policy (law 4).
    if (message.fallback.state === 'pending' || message.fallback.enabled) {
      message.fallback.state = 'skipped';
      message.fallback.reason = 'RCS delivery confirmed';
    }
  }
}

/** Exhaustiveness guard: a receipt type added to DeliveryFact without a case here fails typecheck. */
function unknownFactType(type: never): never {
  throw new Error(`unknown delivery fact type: ${String(type)}`);
}

function earliest(current: Date | undefined, candidate: Date): Date {
  return current === undefined || candidate < current ? candidate : current;
}

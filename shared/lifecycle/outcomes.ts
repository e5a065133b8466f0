import { maskPhone } from '../log/mask.ts';
import type { Message, MessageStatus, TrafficType } from './types.ts';

/**
 * The outcomes pushed to the business (docs/outcomes.md): each is a fact a
 * message reaches at most once, so each is pushed at most once per message
 * (after de-duplication by its id). Pure: which transition reached which
 * outcome, and what the business is told about it.
 */
export const outcomeKinds = [
  'delivered',
  'read',
  'revoked',
  'sms_sent',
  'failed',
  'duplicate_delivery',
  'escalated',
] as const;

export type OutcomeKind = (typeof outcomeKinds)[number];

/** The payload's schema version: a change a receiver could trip over gets a new version. */
export const outcomePayloadVersion = 1;

/**
 * How each outcome is recognised: true of the message once the outcome is reached. An outcome is
 * reached by a transition whose `before` did not satisfy it and whose `after` does. Every test
 * here is of a fact that only moves forward (lifecycle law 1 and the one-way states of
 * revocation, fallback and duplicate delivery), so a message reaches each at most once.
 *
 * Extension point: a new outcome is one entry in `outcomeKinds`, one test here and its time in
 * `occurredAt` below (`escalated` was added so). The compiler asks for both.
 */
const reachedBy: Record<OutcomeKind, (message: Message) => boolean> = {
  delivered: (m) => m.deliveredAt !== undefined,
  read: (m) => m.readAt !== undefined,
  // confirmedAt is set when the state becomes 'confirmed' and kept when a late DELIVERED moves it on.
  revoked: (m) => m.revocation.confirmedAt !== undefined,
  sms_sent: (m) => m.fallback.state === 'sent',
  // Failed is the status (derived: shared/lifecycle/status.ts); a later DELIVERED moves the
  // status on, and a delivered message never fails again, so it is reached at most once.
  failed: (m) => m.status === 'failed',
  duplicate_delivery: (m) => m.duplicateDelivery,
  // The SMS nudge for a message delivered and not READ in time went out (docs/escalation.md); final.
  escalated: (m) => m.escalation?.state === 'sent',
};

/** The outcomes this transition newly reached, in `outcomeKinds` order; only for tracked messages. */
export function outcomesReached(before: Message | undefined, after: Message): OutcomeKind[] {
  if (!after.tracked) return [];
  // A message the webhook first heard of (untracked) then registered: what it had before
  // registration was not pushed, so it counts as not reached.
  const was = before?.tracked ? before : undefined;
  return outcomeKinds.filter((kind) => reachedBy[kind](after) && !(was && reachedBy[kind](was)));
}

/** The outbox id of an outcome, and the idempotency key (webhook-id) of every push of it. */
export function outcomeId(messageId: string, kind: OutcomeKind): string {
  return `${messageId}~${kind}`;
}

/** Version 1 of the payload: what a business needs to act on an outcome, and nothing secret. */
export interface OutcomePayload {
  /** `message.<kind>`, e.g. `message.delivered`. */
  type: `message.${OutcomeKind}`;
  /** When the outcome was recorded (ISO 8601). */
  timestamp: string;
  version: typeof outcomePayloadVersion;
  data: {
    /** The outbox id, also the webhook-id header: the key to de-duplicate by. */
    outcomeId: string;
    messageId: string;
    agentId: string;
    /** Masked ('+141••••••23'): the business has the number under its messageId; see docs/outcomes.md. */
    phoneNumberMasked: string;
    /** The message's status after this transition (it may have moved on since). */
    status: MessageStatus;
    /** When the fact happened: the platform's time of DELIVERED / READ, the SMS provider's acceptance, ... */
    occurredAt: string;
    labels: Record<string, string>;
    messageTrafficType?: TrafficType;
    policy?: string;
    deadline?: string;
    deliveredAt?: string;
    readAt?: string;
    revokedAt?: string;
    smsSentAt?: string;
    /** When the escalation's SMS nudge went out (a message delivered and not READ in time). */
    escalatedAt?: string;
    /** A DELIVERED came after a revoke was requested or the SMS was sent. */
    lateDelivery: boolean;
    duplicateDelivery: boolean;
    /** For `failed` (and a revocation or fallback that ended otherwise): why, in an operator's words. */
    reason?: string;
  };
}

const occurredAt: Record<OutcomeKind, (message: Message) => Date | undefined> = {
  delivered: (m) => m.deliveredAt,
  read: (m) => m.readAt,
  revoked: (m) => m.revocation.confirmedAt,
  sms_sent: (m) => m.fallback.sentAt,
  failed: () => undefined,
  // Known once both happened: the later of the two.
  duplicate_delivery: (m) =>
    m.deliveredAt && m.fallback.sentAt
      ? new Date(Math.max(m.deliveredAt.getTime(), m.fallback.sentAt.getTime()))
      : undefined,
  escalated: (m) => m.escalation?.sentAt,
};

export function outcomePayload(kind: OutcomeKind, message: Message): OutcomePayload {
  const iso = (date: Date | undefined) => date?.toISOString();
  const reason =
    message.fallback.reason ??
    message.revocation.reason ??
    (message.send?.state === 'not_rcs'
      ? 'not RCS-capable (the platform answered 404 to the send)'
      : undefined);
  const data: OutcomePayload['data'] = {
    outcomeId: outcomeId(message.messageId, kind),
    messageId: message.messageId,
    agentId: message.agentId,
    phoneNumberMasked: maskPhone(message.phoneNumber),
    status: message.status,
    occurredAt: (occurredAt[kind](message) ?? message.updatedAt).toISOString(),
    labels: message.labels,
    lateDelivery: message.lateDelivery,
    duplicateDelivery: message.duplicateDelivery,
  };
  const optional = {
    messageTrafficType: message.messageTrafficType,
    policy: message.policy?.name,
    deadline: iso(message.deadline),
    deliveredAt: iso(message.deliveredAt),
    readAt: iso(message.readAt),
    revokedAt: iso(message.revocation.confirmedAt),
    smsSentAt: iso(message.fallback.sentAt),
    escalatedAt: iso(message.escalation?.state === 'sent' ? message.escalation.sentAt : undefined),
    reason: kind === 'failed' || kind === 'revoked' ? reason : undefined,
  };
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) Object.assign(data, { [key]: value });
  return { type: `message.${kind}`, timestamp: message.updatedAt.toISOString(), version: 1, data };
}

/** An outbox document to write beside the message, one per outcome reached (shared/store/outbox.ts). */
export interface ReachedOutcome {
  id: string;
  kind: OutcomeKind;
  messageId: string;
  payload: OutcomePayload;
  /** The message's own callback URL; absent: the deployment's OUTCOME_CALLBACK_URL. */
  callbackUrl?: string;
}

export function reachedOutcomes(before: Message | undefined, after: Message): ReachedOutcome[] {
  return outcomesReached(before, after).map((kind) => ({
    id: outcomeId(after.messageId, kind),
    kind,
    messageId: after.messageId,
    payload: outcomePayload(kind, after),
    ...(after.callback ? { callbackUrl: after.callback.url } : {}),
  }));
}

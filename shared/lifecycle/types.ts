/**
 * The message lifecycle as plain data. Firestore adapters map these to and
 * from documents; the rules in this folder never touch a client.
 */

/**
 * The AgentMessage's `messageTrafficType` (docs/rbm-platform.md#traffic-type): what kind of
 * content a message is. Optional on the platform today, to become required for multi-use
 * agents, which have no default; MESSAGE_TRAFFIC_TYPE_UNSPECIFIED is what such an agent is
 * refused for, so it is not a value a business may choose here.
 */
export const trafficTypes = [
  'AUTHENTICATION',
  'TRANSACTION',
  'PROMOTION',
  'SERVICEREQUEST',
  'ACKNOWLEDGEMENT',
] as const;

export type TrafficType = (typeof trafficTypes)[number];

/** How a message falls back when RCS delivery is not confirmed by its deadline. */
export interface Policy {
  name: 'otp' | 'promo' | 'custom';
  /**
   * Time-critical content (OTP, fraud alert): send the SMS as soon as the
   * revoke is requested, even though a DELIVERED may still follow (Google's
   * advice; a duplicate is the accepted cost). Otherwise SMS goes only after
   * the revocation is confirmed.
   */
  fallbackWhenUncertain: boolean;
  /** How long to wait for a DELIVERED after a revoke answer before believing it. */
  graceMs: number;
  /** Revoke rounds allowed (the first, plus re-revokes after a 404 with no DELIVERED; Google: revoke again, then fall back). */
  maxRevokeAttempts: number;
  /**
   * A message delivered but not READ this long after its DELIVERED gets one SMS nudge
   * (docs/escalation.md). Absent: no escalation unless the message asks for one.
   */
  escalateUnreadAfterMs?: number;
}

/** Top-level string the console filters on; derived from the facts, never set by hand. */
export type MessageStatus =
  | 'pending' // registered, waiting for DELIVERED, deadline not yet handled
  | 'delivered' // platform confirmed delivery (READ may still follow)
  | 'read'
  | 'revoking' // a revoke was answered; waiting out the grace period
  | 'revoked' // revocation confirmed (grace passed with no DELIVERED, or platform TTL revoke)
  | 'sms_pending' // the fallback SMS is due and about to go out
  | 'sms_sent' // fallback SMS sent, RCS not delivered
  | 'duplicate' // fallback SMS sent AND RCS delivered: both reached the phone
  | 'failed' // could neither confirm delivery nor revoke nor fall back
  | 'untracked'; // events for a message this system never registered

export type RevocationState =
  | 'none'
  | 'requested' // last revoke answered 200: revoked unless a DELIVERED follows
  | 'not_found' // last revoke answered 404: probably delivered, waiting for DELIVERED
  | 'confirmed' // grace passed without DELIVERED, or TTL_EXPIRATION_REVOKED
  | 'lost_race' // a DELIVERED arrived after a revoke was requested
  | 'failed'; // retry budget spent or RBM refused our credentials

export type FallbackState = 'none' | 'pending' | 'sent' | 'failed' | 'skipped';

export interface Revocation {
  state: RevocationState;
  /** DELETE calls made, retries included. */
  attempts: number;
  /** Revoke rounds started: 1 at the deadline, one more for each re-revoke after a 404. */
  round: number;
  /** Highest round whose DELETE got a definite answer (200 or 404); later calls for it are skipped. */
  answeredRound: number;
  /** Sequence number of the scheduled deadline task (it grows when a far deadline is re-armed). */
  taskSequence: number;
  /** Set while a DELETE is in flight, so a duplicate task delivery does not call twice. */
  inFlightUntil?: Date;
  lastStatus?: number;
  lastAt?: Date;
  requestedAt?: Date;
  confirmedAt?: Date;
  /**
   * Confirm steps put off because webhook ingestion was behind (a DELIVERED may be queued):
   * how many, since when (the cap counts from here, across rounds), and until when the
   * current one waits (once the step decides, when its last deferral ended).
   */
  deferrals?: number;
  deferredSince?: Date;
  deferredUntil?: Date;
  /** Why the revocation ended as it did, in words an operator can act on. */
  reason?: string;
}

export interface Fallback extends SmsSendRecord {
  state: FallbackState;
  /** Whether the business gave SMS text for this message at all. */
  enabled: boolean;
  /** The SMS text; removed once the fallback is final (sent, skipped, failed), so it is kept no longer than needed. */
  text?: string;
  /** Provider calls made. */
  attempts?: number;
  /**
   * The lease of the last provider call: in the future while a call is in flight (a duplicate task
   * waits); left in the past when that call's outcome is unknown, so only a provider that
   * deduplicates by key may try again (shared/lifecycle/fallback.ts).
   */
  sendingUntil?: Date;
  sentAt?: Date;
  /**
   * An attempt's outcome was never learnt (its answer lost, then the fallback closed): the SMS
   * may have reached the phone although the state is not `sent`.
   */
  outcomeUnknown?: boolean;
  /** Which provider was asked ('http', 'twilio'; set when an attempt is claimed) and its id for the SMS. */
  provider?: string;
  providerId?: string;
  reason?: string;
}

/**
 * The record of one at-most-once SMS (the fallback's, an escalation's): what shared/lifecycle/sms-send.ts
 * reads and writes. `pending` is due; a claim adds an attempt and a lease in `sendingUntil`.
 */
export interface SmsSendRecord {
  state: string;
  text?: string;
  /** Provider calls made. */
  attempts?: number;
  /**
   * The lease of the last provider call: in the future while a call is in flight (a duplicate task
   * waits); left in the past when that call's outcome is unknown, so only a provider that
   * deduplicates by key may try again (shared/lifecycle/sms-send.ts).
   */
  sendingUntil?: Date;
  sentAt?: Date;
  /**
   * An attempt's outcome was never learnt (its answer lost, then the send closed): the SMS
   * may have reached the phone although the state is not `sent`.
   */
  outcomeUnknown?: boolean;
  /**
   * Set by a claim that resends over an attempt whose outcome is unknown (same key): until a
   * `sent` answer or a final state, that earlier attempt may have sent, whatever this one answers.
   */
  earlierMayHaveSent?: boolean;
  /** Which provider was asked ('http', 'twilio'; set when an attempt is claimed) and its id for the SMS. */
  provider?: string;
  providerId?: string;
  reason?: string;
}

/**
 * waiting: on, until DELIVERED (skipped once the message ends undelivered);
 * pending: delivered, the nudge is due at `at`; sent / failed; skipped: READ came first (or the
 * nudge no longer makes sense, `reason` says why).
 */
export type EscalationState = 'waiting' | 'pending' | 'sent' | 'failed' | 'skipped';

/** An SMS nudge for a message delivered and not READ in time (docs/escalation.md). */
export interface Escalation extends SmsSendRecord {
  state: EscalationState;
  /** How long after the DELIVERED's time an unread message is nudged. */
  unreadAfterMs: number;
  /** The nudge's text (its own, or the fallback's); removed once the escalation is final. */
  text?: string;
  /** When the nudge is due: the DELIVERED's time plus `unreadAfterMs`; set by the DELIVERED. */
  at?: Date;
  /**
   * Set when a READ is stored after the nudge was sent: true when the READ's own time is at or
   * after the nudge, false when the user had read before it (the receipt came late).
   */
  readAfterNudge?: boolean;
}

/** How the message reached the platform. */
export interface Send {
  /**
   * sending: the id is claimed and the send is under way (a crash here is retried by the caller);
   * sent: through this system; external: the business sent it and registered it;
   * not_rcs: the platform answered 404 (no RCS), to the send or to the capability check before it.
   */
  state: 'sending' | 'sent' | 'external' | 'not_rcs';
  /** Set when `not_rcs` came from the capability check: nothing was sent. */
  from?: 'capability_check';
  at: Date;
  httpStatus?: number;
  latencyMs?: number;
}

/**
 * The capability check made before the send (docs/messages-api.md#capability-check):
 * `reachable` is null when the check failed and the message was sent regardless.
 */
export interface CapabilityCheck {
  outcome: 'reachable' | 'unreachable' | 'failed';
  reachable: boolean | null;
  /** The RBM region whose host was asked. */
  region: 'us' | 'europe' | 'asia';
  at: Date;
  /** HTTP status of the answer; 0 when none came. */
  httpStatus: number;
  latencyMs: number;
}

export interface Message {
  messageId: string;
  agentId: string;
  phoneNumber: string;
  /** False for a message the system only heard about from the webhook. */
  tracked: boolean;
  send?: Send;
  /** Present when the send was preceded by a capability check. */
  capabilityCheck?: CapabilityCheck;
  /** Hash of the registering request: the same request again is idempotent, a different one conflicts. */
  requestHash?: string;
  status: MessageStatus;
  policy?: Policy;
  /**
   * The platform's traffic type: the one sent (the business's, or its policy's default), or
   * for a registered message the policy's default. Absent on untracked messages.
   */
  messageTrafficType?: TrafficType;
  labels: Record<string, string>;
  /** Where this message's outcomes are pushed, instead of the deployment's OUTCOME_CALLBACK_URL (docs/outcomes.md). */
  callback?: { url: string };
  createdAt: Date;
  deadline?: Date;
  deliveredAt?: Date;
  readAt?: Date;
  /**
   * When the system stored the first report of delivery (a DELIVERED, or a READ, which implies
   * it) and of the READ: against deliveredAt / readAt, the platform's times, the webhook lag.
   */
  deliveredLearnedAt?: Date;
  readLearnedAt?: Date;
  revocation: Revocation;
  fallback: Fallback;
  /** The SMS nudge when the message is delivered and not READ in time; absent when off. */
  escalation?: Escalation;
  /** RCS delivery and SMS both reached the phone (lifecycle law 5). */
  duplicateDelivery: boolean;
  /** A DELIVERED came in after a revoke was requested or the SMS was sent. */
  lateDelivery: boolean;
  updatedAt: Date;
  /**
   * When the system next expects to act on the message (deadline, end of a
   * grace period, a pending fallback); absent once settled. The sweep looks
   * for messages whose dueAt is well past.
   */
  dueAt?: Date;
  /** Times the sweep re-drove this message (each re-drive gets fresh task names). */
  redrives?: number;
  /** When the sweep last re-drove it: dueAt stays at least this late, so the bound counts afresh from the re-drive. */
  sweepHoldUntil?: Date;
}

/**
 * A step carried by a Cloud Tasks task. Revoke steps: `revoke` at the
 * deadline, `expired` when the platform's own TTL revoke failed, `again` after
 * a 404 and no DELIVERED, `manual` when the business asks. Then `confirm` one
 * grace period after a revoke answer, and `fallback` to send the SMS; `escalate` sends the
 * nudge for a message delivered and not READ in time.
 */
export type RevokeStep = 'revoke' | 'expired' | 'again' | 'manual';
export type Step = RevokeStep | 'confirm' | 'fallback' | 'escalate';

/** Side effects a rule asks for; the caller carries them out after the state is stored. */
export type Effect =
  | { kind: 'cancel_revoke_task'; sequence: number }
  /** Best effort: the escalation's handler re-checks READ before it sends. */
  | { kind: 'cancel_escalation_task' }
  /**
   * `redrive` makes a fresh task name for a step whose first task was lost (the sweep);
   * `deferral` one for a confirm step put off while ingestion is behind.
   */
  | { kind: 'schedule'; step: Step; sequence: number; at: Date; redrive?: number; deferral?: number };

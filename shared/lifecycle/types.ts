/**
 * The message lifecycle as plain data. Firestore adapters map these to and
 * from documents; the rules in this folder never touch a client.
 */

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
  /** Revoke calls allowed before giving up (Google: after a 404, revoke again, then fall back). */
  maxRevokeAttempts: number;
}

/** Top-level string the console filters on; derived from the facts, never set by hand. */
export type MessageStatus =
  | 'pending' // registered, waiting for DELIVERED, deadline not yet handled
  | 'delivered' // platform confirmed delivery (READ may still follow)
  | 'read'
  | 'revoking' // a revoke was answered; waiting out the grace period
  | 'revoked' // revocation confirmed (grace passed with no DELIVERED, or platform TTL revoke)
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
  attempts: number;
  lastStatus?: number;
  lastAt?: Date;
  requestedAt?: Date;
  confirmedAt?: Date;
  /** Why the revocation ended as it did, in words an operator can act on. */
  reason?: string;
  /** The Cloud Tasks task that will revoke at the deadline, while one is scheduled. */
  taskName?: string;
}

export interface Fallback {
  state: FallbackState;
  /** Whether the business gave SMS text for this message at all. */
  enabled: boolean;
  sentAt?: Date;
  providerId?: string;
  reason?: string;
}

export interface Message {
  messageId: string;
  agentId: string;
  phoneNumber: string;
  /** False for a message the system only heard about from the webhook. */
  tracked: boolean;
  status: MessageStatus;
  policy?: Policy;
  labels: Record<string, string>;
  createdAt: Date;
  deadline?: Date;
  deliveredAt?: Date;
  readAt?: Date;
  revocation: Revocation;
  fallback: Fallback;
  /** RCS delivery and SMS both reached the phone (lifecycle law 5). */
  duplicateDelivery: boolean;
  /** A DELIVERED came in after a revoke was requested or the SMS was sent. */
  lateDelivery: boolean;
  updatedAt: Date;
}

/** Side effects a rule asks for; the caller carries them out after the state is stored. */
export type Effect =
  | { kind: 'cancel_revoke_task' }
  | { kind: 'revoke_now' }
  | { kind: 'schedule_confirm'; at: Date }
  | { kind: 'schedule_fallback' };

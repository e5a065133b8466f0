/**
 * What really happened, as opposed to what the platform told the agent. Tests
 * compare the product's beliefs with this. Times are clock milliseconds.
 */

export type MessageStatus = 'queued' | 'in-flight' | 'delivered' | 'revoked' | 'expired';

export type RevokeOutcome =
  /** Removed from the phone's queue: the phone never gets it. */
  | 'revoked'
  /** Landed mid-delivery: answered 200 or 404, the phone got (or will get) the message anyway. */
  | 'lost-race'
  | 'already-delivered'
  | 'already-gone';

export interface MessageTruth {
  messageId: string;
  agentId: string;
  phoneNumber: string;
  text: string | null;
  /** The AgentMessage's messageTrafficType as sent, null when it set none. */
  messageTrafficType: string | null;
  acceptedAt: number;
  expireAt: number | null;
  status: MessageStatus;
  deliveredAt: number | null;
  /** When the user opened it, whether or not a READ told the agent (see `readReported`). */
  readAt: number | null;
  /** Whether a READ was posted for it: false for a user who turned read receipts off. */
  readReported: boolean;
  revokedAt: number | null;
  /** True once the message can no longer reach the phone (revoked, or expired and revoked by the platform). */
  neverDelivered: boolean;
  revokeAttempts: Array<{ at: number; answer: 200 | 404; outcome: RevokeOutcome }>;
  /**
   * What the platform's own TTL revocation did, if the message expired undelivered, and
   * whether it told the agent (a server event), false for a number with `silentTtl`.
   */
  ttl: { at: number; outcome: 'revoked' | 'revoke-failed'; notified: boolean } | null;
  /** Later sends that reused this id and were ignored, as the platform does. */
  ignoredResends: number;
}

export type UserAction =
  | { type: 'text'; text: string }
  | { type: 'suggestion'; postbackData: string; text: string }
  | { type: 'typing' }
  | { type: 'unsubscribe' }
  | { type: 'subscribe' };

export interface PhoneTruth {
  phoneNumber: string;
  rcs: boolean;
  online: boolean;
  offlineWindows: Array<{ from: number; to: number }>;
  received: Array<{ messageId: string; at: number }>;
  userActivity: Array<{ at: number; messageId: string | null } & UserAction>;
  /** Agent events (READ of a user message, IS_TYPING) the agent sent to this phone. */
  agentEvents: Array<{ at: number; eventId: string; eventType: string; messageId: string | null }>;
  unsubscribedAt: number | null;
  conversationId: string;
}

export interface WebhookDeliveryTruth {
  pubsubMessageId: string;
  /** The payload's eventId (user, server and launch events); null for user messages and receipt batches. */
  eventId: string | null;
  kind: 'user-event' | 'server-event' | 'user-message' | 'agent-launch-event' | 'receipt-batch';
  /** eventType for events, receipt types for a batch. */
  label: string;
  /** The agent message or user message the payload is about, when there is one. */
  messageIds: string[];
  phoneNumber: string | null;
  createdAt: number;
  attempts: Array<{ at: number; status: number | null; error?: string }>;
  ackedAt: number | null;
  /** A redelivery of an already acknowledged payload (at-least-once). */
  duplicate: boolean;
  /** Held back so later payloads overtake it. */
  reordered: boolean;
  droppedAt: number | null;
}

/**
 * One request to the platform API, whatever it answered: which method, which host it was
 * addressed to ('global', or the region of a regional host: `/r/{region}/v1/...` locally),
 * the number in its path (null for users.batchGet, which carries `userCount` numbers).
 */
export interface ApiCallTruth {
  at: number;
  endpoint: 'send' | 'revoke' | 'agentEvent' | 'capabilities' | 'batchGet';
  host: 'global' | 'us' | 'europe' | 'asia';
  phoneNumber: string | null;
  userCount: number | null;
  /** The status answered; 0 when the connection was dropped. */
  status: number;
}

export interface TruthSnapshot {
  now: number;
  messages: MessageTruth[];
  phones: PhoneTruth[];
  webhook: WebhookDeliveryTruth[];
  apiCalls: ApiCallTruth[];
}

export class Truth {
  readonly messages = new Map<string, MessageTruth>();
  readonly phones = new Map<string, PhoneTruth>();
  readonly webhook: WebhookDeliveryTruth[] = [];
  readonly apiCalls: ApiCallTruth[] = [];
  /** Set by the phone network: brings live fields (online, offline windows) up to date before a read. */
  refresh: () => void = () => {};

  message(messageId: string): MessageTruth | undefined {
    return this.messages.get(messageId);
  }

  phone(phoneNumber: string): PhoneTruth | undefined {
    this.refresh();
    return this.phones.get(phoneNumber);
  }

  /** Messages, optionally only those to one number. */
  messagesTo(phoneNumber?: string): MessageTruth[] {
    const all = [...this.messages.values()];
    return phoneNumber ? all.filter((m) => m.phoneNumber === phoneNumber) : all;
  }

  /** Webhook payloads about one message (DELIVERED, READ, TTL_*, batched receipts). */
  webhookFor(messageId: string): WebhookDeliveryTruth[] {
    return this.webhook.filter((d) => d.messageIds.includes(messageId));
  }

  /** API requests, optionally only those with one number in their path (batches carry none). */
  callsTo(phoneNumber?: string): ApiCallTruth[] {
    return phoneNumber ? this.apiCalls.filter((c) => c.phoneNumber === phoneNumber) : [...this.apiCalls];
  }

  snapshot(now: number): TruthSnapshot {
    this.refresh();
    return structuredClone({
      now,
      messages: [...this.messages.values()],
      phones: [...this.phones.values()],
      webhook: this.webhook,
      apiCalls: this.apiCalls,
    });
  }
}

import type { Prng } from '../../common/random.ts';
import type { Timers } from '../core/timers.ts';
import type { WebhookDeliveryTruth } from '../truth.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import { payloadBytes } from './envelope.ts';
import {
  type AgentLaunchEvent,
  receiptBatch,
  rfc3339,
  type ServerEventType,
  serverEvent,
  type UserEventType,
  type UserMessageContent,
  userEvent,
  userMessage,
} from './payloads.ts';

export interface BatchBehaviour {
  /** Collect DELIVERED/READ receipts per conversation for this long, then post them as one payload. */
  windowMs: number;
  maxReceipts: number;
}

interface OpenBatch {
  agentId: string;
  phoneNumber: string;
  receipts: Array<{ messageId: string; receiptType: 'DELIVERED' | 'READ' }>;
  cancel: () => void;
}

/**
 * Turns what happened on a phone into webhook payloads: picks the platform's
 * ids, writes the ground-truth record and hands the bytes to the delivery
 * queue. With receipt batching on, DELIVERED and READ go out grouped in the
 * Business Messages receipts shape instead of one event each.
 */
export class Publisher {
  readonly #timers: Timers;
  readonly #ids: Prng;
  readonly #queue: DeliveryQueue;
  readonly #batching: () => BatchBehaviour | null;
  readonly #conversationId: (phoneNumber: string) => string;
  readonly #batches = new Map<string, OpenBatch>();
  #pubsubSeq = 0;

  constructor(deps: {
    timers: Timers;
    ids: Prng;
    queue: DeliveryQueue;
    batching: () => BatchBehaviour | null;
    conversationId: (phoneNumber: string) => string;
  }) {
    this.#timers = deps.timers;
    this.#ids = deps.ids;
    this.#queue = deps.queue;
    this.#batching = deps.batching;
    this.#conversationId = deps.conversationId;
  }

  /** A platform-assigned id (eventId, user messageId), reproducible from the seed. */
  newId(): string {
    return this.#ids.uuid();
  }

  userEvent(agentId: string, phoneNumber: string, eventType: UserEventType, messageId?: string): void {
    const batching = this.#batching();
    if (batching && messageId && (eventType === 'DELIVERED' || eventType === 'READ')) {
      this.#addToBatch(batching, agentId, phoneNumber, { messageId, receiptType: eventType });
      return;
    }
    const at = this.#timers.now();
    const payload = userEvent({
      phoneNumber,
      eventType,
      eventId: this.newId(),
      at,
      agentId,
      ...(messageId && { messageId }),
    });
    this.#publish(payload, {}, 'user-event', eventType, messageId ? [messageId] : [], phoneNumber);
  }

  serverEvent(agentId: string, phoneNumber: string, eventType: ServerEventType, messageId: string): void {
    const at = this.#timers.now();
    const payload = serverEvent({ phoneNumber, eventType, eventId: this.newId(), messageId, at, agentId });
    this.#publish(payload, {}, 'server-event', eventType, [messageId], phoneNumber);
  }

  /** A message from the user; returns its platform messageId. */
  userMessage(agentId: string, phoneNumber: string, content: UserMessageContent): string {
    const messageId = this.newId();
    const payload = userMessage({ phoneNumber, messageId, at: this.#timers.now(), agentId, content });
    const label = 'text' in content ? 'TEXT' : 'SUGGESTION_RESPONSE';
    this.#publish(payload, {}, 'user-message', label, [messageId], phoneNumber);
    return messageId;
  }

  agentLaunchEvent(fields: Omit<AgentLaunchEvent, 'eventId' | 'sendTime'>): string {
    const eventId = this.newId();
    const payload: AgentLaunchEvent = { eventId, ...fields, sendTime: rfc3339(this.#timers.now()) };
    // Launch events are told apart by attributes.type (docs/rbm-platform.md#payloads); the other
    // attributes mirror the example on
    // https://developers.google.com/business-communications/rcs-business-messaging/guides/build/events
    const attributes = {
      business_id: `${fields.agentId}@rbm.goog`,
      event_type: fields.newLaunchState,
      product: 'RBM',
      project_number: '0',
      type: 'agent_launch_event',
    };
    this.#publish(payload, attributes, 'agent-launch-event', fields.newLaunchState, [], null);
    return eventId;
  }

  /** Posts one multi-receipt payload now. */
  receiptBatch(
    agentId: string,
    phoneNumber: string,
    receipts: Array<{ messageId: string; receiptType: 'DELIVERED' | 'READ' }>,
  ): void {
    const payload = receiptBatch({
      agentId,
      conversationId: this.#conversationId(phoneNumber),
      at: this.#timers.now(),
      receipts,
    });
    const label = [...new Set(receipts.map((r) => r.receiptType))].join('+');
    this.#publish(
      payload,
      {},
      'receipt-batch',
      label,
      receipts.map((r) => r.messageId),
      phoneNumber,
    );
  }

  /** Posts every open batch now (when batching is turned off). */
  flushBatches(): void {
    for (const key of [...this.#batches.keys()]) this.#flush(key);
  }

  #addToBatch(
    batching: BatchBehaviour,
    agentId: string,
    phoneNumber: string,
    receipt: { messageId: string; receiptType: 'DELIVERED' | 'READ' },
  ): void {
    const key = `${agentId}\u0000${phoneNumber}`;
    let batch = this.#batches.get(key);
    if (!batch) {
      batch = {
        agentId,
        phoneNumber,
        receipts: [],
        cancel: this.#timers.after(batching.windowMs, () => this.#flush(key)),
      };
      this.#batches.set(key, batch);
    }
    batch.receipts.push(receipt);
    if (batch.receipts.length >= batching.maxReceipts) this.#flush(key);
  }

  #flush(key: string): void {
    const batch = this.#batches.get(key);
    if (!batch) return;
    this.#batches.delete(key);
    batch.cancel();
    this.receiptBatch(batch.agentId, batch.phoneNumber, batch.receipts);
  }

  #publish(
    payload: unknown,
    attributes: Record<string, string>,
    kind: WebhookDeliveryTruth['kind'],
    label: string,
    messageIds: string[],
    phoneNumber: string | null,
  ): void {
    this.#pubsubSeq += 1;
    // Pub/Sub message ids are decimal strings.
    const pubsubMessageId = String(10_000_000_000_000 + this.#pubsubSeq);
    const eventId = (payload as { eventId?: unknown }).eventId;
    const record: WebhookDeliveryTruth = {
      pubsubMessageId,
      eventId: typeof eventId === 'string' ? eventId : null,
      kind,
      label,
      messageIds,
      phoneNumber,
      createdAt: this.#timers.now(),
      attempts: [],
      ackedAt: null,
      duplicate: false,
      reordered: false,
      droppedAt: null,
    };
    this.#queue.publish(payloadBytes(payload), attributes, pubsubMessageId, record);
  }
}

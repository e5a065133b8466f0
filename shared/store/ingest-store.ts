import type { DocumentReference, Firestore } from '@google-cloud/firestore';
import { grpcCode, hasGrpcCode } from '../grpc/codes.ts';
import { applyDeliveryEvents, type DeliveryResult } from '../lifecycle/delivery-batch.ts';
import type { Message } from '../lifecycle/types.ts';
import type { DeliveryEvent, Payload, Raw } from '../rbm/payloads.ts';
import { collections } from './documents.ts';
import { messageFromDoc, messageToDoc } from './message-doc.ts';
import { writeReachedOutcomes } from './outbox.ts';
import { valueProblem } from './storable.ts';

export interface IngestContext {
  now: Date;
  retentionMs: number;
  /** OUTCOME_PUSH: outcomes the events reach are written to the outbox in the same transaction. */
  outcomePush?: boolean;
  pubsubMessageId?: string;
}

export type { DeliveryResult } from '../lifecycle/delivery-batch.ts';

/**
 * Stores delivery events and advances their messages in ONE transaction:
 * one read round trip for every message and event document involved, one
 * commit. A batch of N receipts costs the same two round trips as one event,
 * and lands atomically as a unit. The rule itself (duplicates change nothing,
 * law 7) is lifecycle/delivery-batch.ts; this reads its inputs and writes its outcome.
 */
export async function recordDeliveryEvents(
  db: Firestore,
  events: DeliveryEvent[],
  raw: Raw,
  context: IngestContext,
): Promise<DeliveryResult[]> {
  const messages = db.collection(collections.messages);
  const messageIds = [...new Set(events.map((e) => e.fact.messageId))];
  const messageRefs = messageIds.map((id) => messages.doc(id));
  const eventRefs = events.map((e) =>
    messages.doc(e.fact.messageId).collection(collections.events).doc(e.eventId),
  );

  return db.runTransaction(async (tx) => {
    const snapshots = await tx.getAll(...messageRefs, ...eventRefs);
    const current = new Map<string, Message | undefined>();
    messageIds.forEach((id, i) => {
      const data = snapshots[i]!.data();
      current.set(id, data ? messageFromDoc(data) : undefined);
    });
    const alreadyStored = events.map((_, i) => snapshots[messageIds.length + i]!.exists);

    const outcome = applyDeliveryEvents(current, events, alreadyStored, context.now);
    for (const i of outcome.newEvents) {
      tx.create(eventRefs[i]!, platformEventDoc(events[i]!, raw, events.length > 1, context));
    }
    for (const [id, message] of outcome.changed) {
      tx.set(messages.doc(id), messageToDoc(message, context.retentionMs));
      writeReachedOutcomes(db, tx, current.get(id), message, context);
    }
    for (const result of outcome.results) {
      const entry = result.escalation && escalationEntry(result.escalation, result.message, context);
      if (!entry) continue;
      tx.set(messages.doc(result.messageId).collection(collections.events).doc(entry.id), entry.doc);
    }
    return outcome.results;
  });
}

/** The system's timeline entry for what a receipt did to the escalation (deterministic id: a retry overwrites it). */
function escalationEntry(
  what: 'scheduled' | 'skipped',
  message: Message | undefined,
  context: IngestContext,
): { id: string; doc: object } | undefined {
  const escalation = message?.escalation;
  if (!escalation) return undefined;
  const base = {
    source: 'system',
    at: context.now,
    expireAt: new Date(context.now.getTime() + context.retentionMs),
  };
  if (what === 'scheduled') {
    return {
      id: 'escalation-scheduled',
      doc: {
        ...base,
        type: 'ESCALATION_SCHEDULED',
        nudgeAt: escalation.at,
        unreadAfterMs: escalation.unreadAfterMs,
      },
    };
  }
  return {
    id: 'escalation-skipped',
    doc: {
      ...base,
      type: message?.readAt ? 'ESCALATION_SKIPPED_READ' : 'ESCALATION_SKIPPED',
      reason: escalation.reason,
    },
  };
}

function platformEventDoc(event: DeliveryEvent, raw: Raw, batched: boolean, context: IngestContext) {
  return {
    eventId: event.eventId,
    type: event.fact.type,
    source: 'platform',
    // The platform's own time for the event: every timeline entry sorts by `at`.
    at: event.fact.at,
    sendTime: event.fact.at,
    receivedAt: context.now,
    batched,
    payload: raw,
    pubsubMessageId: context.pubsubMessageId,
    expireAt: new Date(context.now.getTime() + context.retentionMs),
  };
}

/**
 * Stores a payload that is not about an agent message's delivery: a user
 * message, a user event, an agent launch event, or an unknown kind kept raw.
 * Returns false when it was already stored (a platform retry).
 */
export async function recordOtherPayload(
  db: Firestore,
  payload: Exclude<Payload, { kind: 'delivery' }>,
  context: IngestContext,
): Promise<{ duplicate: boolean }> {
  const expireAt = new Date(context.now.getTime() + context.retentionMs);
  const base = { receivedAt: context.now, pubsubMessageId: context.pubsubMessageId, expireAt };
  switch (payload.kind) {
    case 'user_message':
      return createOnce(db.collection(collections.userMessages).doc(payload.messageId), {
        ...base,
        messageId: payload.messageId,
        phoneNumber: payload.phoneNumber,
        agentId: payload.agentId,
        sendTime: payload.at,
        payload: payload.raw,
      });
    case 'user_event':
      if (payload.eventType === 'IS_TYPING') {
        return createOnce(
          db.collection(collections.userEvents).doc(payload.eventId),
          userEventDoc(payload, base),
        );
      }
      return recordSubscriptionChange(db, payload, userEventDoc(payload, base));
    case 'agent_launch':
      return createOnce(db.collection(collections.agentEvents).doc(payload.eventId), {
        ...base,
        eventId: payload.eventId,
        agentId: payload.agentId,
        payload: payload.raw,
      });
    case 'unknown':
      return createOnce(db.collection(collections.unknownEvents).doc(payload.id), {
        ...base,
        payload: payload.raw,
      });
  }
}

type UserEventPayload = Extract<Payload, { kind: 'user_event' }>;

function userEventDoc(payload: UserEventPayload, base: object) {
  return {
    ...base,
    eventId: payload.eventId,
    eventType: payload.eventType,
    phoneNumber: payload.phoneNumber,
    agentId: payload.agentId,
    sendTime: payload.at,
    payload: payload.raw,
  };
}

/**
 * UNSUBSCRIBE / SUBSCRIBE set the phone's opt-out state. Events can arrive out
 * of order, so the latest sendTime wins, not the latest arrival.
 */
async function recordSubscriptionChange(
  db: Firestore,
  payload: UserEventPayload,
  eventDoc: object,
): Promise<{ duplicate: boolean }> {
  const eventRef = db.collection(collections.userEvents).doc(payload.eventId);
  const optOutRef = db.collection(collections.optOuts).doc(payload.phoneNumber);
  return db.runTransaction(async (tx) => {
    const [event, optOut] = await tx.getAll(eventRef, optOutRef);
    if (event!.exists) return { duplicate: true };
    tx.create(eventRef, eventDoc);
    const changedAt = optOut!.get('changedAt')?.toDate() as Date | undefined;
    if (!changedAt || payload.at > changedAt) {
      tx.set(optOutRef, {
        phoneNumber: payload.phoneNumber,
        optedOut: payload.eventType === 'UNSUBSCRIBE',
        changedAt: payload.at,
        agentId: payload.agentId,
        eventId: payload.eventId,
      });
    }
    return { duplicate: false };
  });
}

/** A verified payload that could not be parsed: kept with the reason, so nothing is lost. */
export async function recordDeadLetter(
  db: Firestore,
  id: string,
  letter: { reason: string; data: Buffer; attributes: Record<string, string> },
  context: IngestContext,
): Promise<{ duplicate: boolean }> {
  return createOnce(db.collection(collections.deadLetters).doc(id), {
    reason: letter.reason,
    data: letter.data.toString('utf8'),
    // Attributes are not covered by the signature: names Firestore refuses are kept as JSON text.
    ...(valueProblem(letter.attributes)
      ? { attributesJson: JSON.stringify(letter.attributes) }
      : { attributes: letter.attributes }),
    receivedAt: context.now,
    pubsubMessageId: context.pubsubMessageId,
    expireAt: new Date(context.now.getTime() + context.retentionMs),
  });
}

async function createOnce(ref: DocumentReference, data: object): Promise<{ duplicate: boolean }> {
  try {
    await ref.create(data);
    return { duplicate: false };
  } catch (error) {
    if (hasGrpcCode(error, grpcCode.ALREADY_EXISTS)) return { duplicate: true };
    throw error;
  }
}

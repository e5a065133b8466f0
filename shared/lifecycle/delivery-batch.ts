import { applyDeliveryFact, type DeliveryFact } from './receipts.ts';
import type { Effect, Message } from './types.ts';

/** One platform event: its id and the fact it reports. */
export interface ReceiptEvent {
  eventId: string;
  fact: DeliveryFact;
}

export interface DeliveryResult {
  eventId: string;
  messageId: string;
  duplicate: boolean;
  message?: Message;
  effects: Effect[];
  /** What the event did to the message's escalation, for its timeline. */
  escalation?: 'scheduled' | 'skipped';
}

export interface DeliveryBatchOutcome {
  /** One result per event, in the events' order. */
  results: DeliveryResult[];
  /** Indices of the events that are new and must be stored, in order. */
  newEvents: number[];
  /** Each message one or more new events advanced, as it ends the batch, in order of first change. */
  changed: Map<string, Message>;
}

/**
 * Applies a batch of platform events to the messages they are about. An event
 * already stored, or repeated within the batch, is a retry and changes
 * nothing (law 7); the others apply in order, each on the message as the
 * previous events left it. Pure: the store reads `current` and `alreadyStored`
 * and writes what this returns.
 */
export function applyDeliveryEvents(
  current: ReadonlyMap<string, Message | undefined>,
  events: readonly ReceiptEvent[],
  alreadyStored: readonly boolean[],
  now: Date,
): DeliveryBatchOutcome {
  const messages = new Map(current);
  const results: DeliveryResult[] = [];
  const newEvents: number[] = [];
  const changedIds = new Set<string>();
  const seen = new Set<string>();
  events.forEach((event, i) => {
    const key = `${event.fact.messageId}/${event.eventId}`;
    if (alreadyStored[i] || seen.has(key)) {
      results.push({ eventId: event.eventId, messageId: event.fact.messageId, duplicate: true, effects: [] });
      return;
    }
    seen.add(key);
    const outcome = applyDeliveryFact(messages.get(event.fact.messageId), event.fact, now);
    messages.set(event.fact.messageId, outcome.message);
    changedIds.add(event.fact.messageId);
    newEvents.push(i);
    results.push({
      eventId: event.eventId,
      messageId: event.fact.messageId,
      duplicate: false,
      message: outcome.message,
      effects: outcome.effects,
      ...(outcome.escalation ? { escalation: outcome.escalation } : {}),
    });
  });
  const changed = new Map<string, Message>();
  for (const id of changedIds) changed.set(id, messages.get(id)!);
  return { results, newEvents, changed };
}

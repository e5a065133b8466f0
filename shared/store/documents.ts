import { Timestamp } from '@google-cloud/firestore';

/**
 * Domain objects use Date; Firestore returns Timestamp. Dates are written as
 * they are (the client stores them as timestamps, which the console shows as
 * dates), and read back through `fromFirestore`.
 */
export function fromFirestore<T>(value: unknown): T {
  return convert(value) as T;
}

function convert(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate();
  if (Array.isArray(value)) return value.map(convert);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
  }
  return value;
}

/** Collections, in one place: the Firestore layout is the product's UI (docs/console.md). */
export const collections = {
  messages: 'messages',
  /** Subcollection of a message: its timeline. */
  events: 'events',
  userMessages: 'userMessages',
  userEvents: 'userEvents',
  optOuts: 'optOuts',
  agentEvents: 'agentEvents',
  unknownEvents: 'unknownEvents',
  deadLetters: 'deadLetters',
  /** The outcomes outbox: one document per outcome pushed to the business (docs/outcomes.md). */
  outcomes: 'outcomes',
  /** One document per webhook instance: how far it has stored the platform's events. */
  ingestion: 'ingestion',
} as const;

import type { Firestore, Transaction } from '@google-cloud/firestore';
import { type ReachedOutcome, reachedOutcomes } from '../lifecycle/outcomes.ts';
import type { Message } from '../lifecycle/types.ts';
import { collections } from './documents.ts';

/**
 * What a step's transaction needs to know beyond its message: how long documents are kept, and
 * whether outcomes are pushed (OUTCOME_PUSH). Functions pass their deps (built from the runtime,
 * shared/runtime.ts), which carry both.
 */
export interface StoreSettings {
  retentionMs: number;
  /** Absent or false: no outbox writes, and a step costs what it did before outcome push. */
  outcomePush?: boolean;
}

/** An outbox document, as the console shows it (docs/console.md#outcomes). */
export interface OutboxDoc {
  kind: ReachedOutcome['kind'];
  messageId: string;
  payload: ReachedOutcome['payload'];
  callbackUrl?: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  /** Created or last attempted: the sweep re-drives a pending push untouched for OUTCOME_REDRIVE_SECONDS. */
  touchedAt: Date;
  lastAttemptAt?: Date;
  lastStatus?: number;
  lastError?: string;
  deliveredAt?: Date;
  /** Published to OUTCOME_PUBSUB_TOPIC (once), and Pub/Sub's id for it. */
  publishedAt?: Date;
  pubsubMessageId?: string;
  reason?: string;
  expireAt: Date;
}

/**
 * Writes, inside the step's own transaction, one outbox document per outcome the transition
 * `before` -> `after` reached. The id is deterministic (`{messageId}~{kind}`), so a transaction
 * Firestore retries writes the same document again, never a second one. Writes only: it adds
 * no read, so it fits after the transaction's reads.
 */
export function writeReachedOutcomes(
  db: Firestore,
  tx: Transaction,
  before: Message | undefined,
  after: Message,
  settings: StoreSettings,
): number {
  if (!settings.outcomePush) return 0;
  const reached = reachedOutcomes(before, after);
  const outbox = db.collection(collections.outcomes);
  for (const outcome of reached) {
    const createdAt = after.updatedAt;
    const doc: OutboxDoc = {
      kind: outcome.kind,
      messageId: outcome.messageId,
      payload: outcome.payload,
      ...(outcome.callbackUrl ? { callbackUrl: outcome.callbackUrl } : {}),
      state: 'pending',
      attempts: 0,
      createdAt,
      updatedAt: createdAt,
      touchedAt: createdAt,
      expireAt: new Date(createdAt.getTime() + settings.retentionMs),
    };
    tx.set(outbox.doc(outcome.id), doc);
  }
  return reached.length;
}

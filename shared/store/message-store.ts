import type { Firestore } from '@google-cloud/firestore';
import type { Message } from '../lifecycle/types.ts';
import { collections } from './documents.ts';
import { messageFromDoc, messageToDoc } from './message-doc.ts';
import { type StoreSettings, writeReachedOutcomes } from './outbox.ts';

/** One entry of a message's timeline written by the system (platform events are written by the webhook). */
export interface TimelineEntry {
  /** Deterministic, so a retried step overwrites its own entry instead of adding one. */
  id: string;
  type: string;
  at: Date;
  [field: string]: unknown;
}

export interface Decision<T> {
  /** The message to store, when the step changed it. */
  message?: Message;
  timeline?: TimelineEntry[];
  result: T;
}

/**
 * Read-modify-write of one message in a transaction: `decide` sees the
 * message as stored (undefined if absent) and returns what to write. It may
 * run more than once (Firestore retries contended transactions), so it must
 * be pure: side effects happen after this resolves. `store` is the retention and whether outcomes
 * are pushed (shared/store/outbox.ts; callers pass their deps' `storeConfig`): with push on, every
 * outcome the step reached is written to the outbox in this same transaction. Taking the settings
 * as one object, never a bare retention, keeps a new caller from silently writing no outcomes.
 */
export async function updateMessage<T>(
  db: Firestore,
  messageId: string,
  store: StoreSettings,
  decide: (message: Message | undefined) => Decision<T>,
): Promise<T> {
  const ref = db.collection(collections.messages).doc(messageId);
  const { retentionMs } = store;
  return db.runTransaction(async (tx) => {
    const snapshot = await tx.get(ref);
    const data = snapshot.data();
    const decision = decide(data ? messageFromDoc(data) : undefined);
    // Read afresh, so a decide that changed its argument in place still shows what was stored.
    const before = data && store.outcomePush ? messageFromDoc(data) : undefined;
    if (decision.message) {
      tx.set(ref, messageToDoc(decision.message, retentionMs));
      writeReachedOutcomes(db, tx, before, decision.message, store);
    }
    for (const { id, ...entry } of decision.timeline ?? []) {
      tx.set(ref.collection(collections.events).doc(id), {
        ...entry,
        source: 'system',
        expireAt: new Date(entry.at.getTime() + retentionMs),
      });
    }
    return decision.result;
  });
}

export async function readMessage(db: Firestore, messageId: string): Promise<Message | undefined> {
  const data = (await db.collection(collections.messages).doc(messageId).get()).data();
  return data ? messageFromDoc(data) : undefined;
}

import { FieldPath, type Firestore, type Timestamp } from '@google-cloud/firestore';
import { grpcCode, hasGrpcCode } from '../grpc/codes.ts';
import type { Message } from '../lifecycle/types.ts';
import { collections, fromFirestore } from './documents.ts';
import { messageFromDoc, messageToDoc } from './message-doc.ts';
import { readMessage } from './message-store.ts';

/** What a create request needs to know first: each message as stored, and whether its phone opted out. */
export interface CreateLookup {
  existing: Array<Message | undefined>;
  optedOut: boolean[];
}

/**
 * Every message id and every phone's opt-out of a request, in ONE read
 * round trip (a single getAll), in the items' order.
 */
export async function readMessagesAndOptOuts(
  db: Firestore,
  items: ReadonlyArray<{ messageId: string; phoneNumber: string }>,
): Promise<CreateLookup> {
  const messageRefs = items.map((m) => db.collection(collections.messages).doc(m.messageId));
  const optOutRefs = items.map((m) => db.collection(collections.optOuts).doc(m.phoneNumber));
  const snapshots = await db.getAll(...messageRefs, ...optOutRefs);
  return {
    existing: items.map((_, i) => {
      const data = snapshots[i]!.data();
      return data ? messageFromDoc(data) : undefined;
    }),
    optedOut: items.map((_, i) => snapshots[items.length + i]!.get('optedOut') === true),
  };
}

export interface IdClaim {
  /** Deletes the claim document, only if nothing wrote to it since (a DELIVERED recorded meanwhile keeps it). */
  release(): Promise<void>;
}

/**
 * Creates the message document if absent (one create, no read). Undefined
 * when the id already exists: someone else's document, for the caller to read.
 */
export async function claimMessageId(
  db: Firestore,
  message: Message,
  retentionMs: number,
): Promise<IdClaim | undefined> {
  const ref = db.collection(collections.messages).doc(message.messageId);
  try {
    const written = await ref.create(messageToDoc(message, retentionMs));
    return {
      release: async () => {
        await ref.delete({ lastUpdateTime: written.writeTime as Timestamp }).catch(() => {});
      },
    };
  } catch (error) {
    if (!hasGrpcCode(error, grpcCode.ALREADY_EXISTS)) throw error;
    return undefined;
  }
}

/** A timeline document of a message: its id and its fields, timestamps as Dates. */
export interface TimelineDoc {
  id: string;
  data: Record<string, unknown>;
}

/** A message and all its timeline documents, read in parallel (one document read, one query). */
export async function readMessageWithTimeline(
  db: Firestore,
  messageId: string,
): Promise<{ message: Message | undefined; timeline: TimelineDoc[] }> {
  const [message, events] = await Promise.all([
    readMessage(db, messageId),
    db.collection(collections.messages).doc(messageId).collection(collections.events).get(),
  ]);
  return {
    message,
    timeline: events.docs.map((doc) => ({
      id: doc.id,
      data: fromFirestore<Record<string, unknown>>(doc.data()),
    })),
  };
}

/**
 * Ids of messages whose dueAt is at or before `cutoff`, oldest first, at
 * most `limit`, after the message `after` (a cursor from the previous page):
 * one indexed query (settled messages have no dueAt).
 */
export async function overdueMessageIds(
  db: Firestore,
  cutoff: Date,
  limit: number,
  after?: { dueAt: Date; messageId: string },
): Promise<Array<{ messageId: string; dueAt: Date }>> {
  let query = db
    .collection(collections.messages)
    .where('dueAt', '<=', cutoff)
    .orderBy('dueAt')
    .orderBy(FieldPath.documentId());
  if (after) query = query.startAfter(after.dueAt, after.messageId);
  const overdue = await query.limit(limit).get();
  return overdue.docs.map((doc) => ({ messageId: doc.id, dueAt: (doc.get('dueAt') as Timestamp).toDate() }));
}

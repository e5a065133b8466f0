import { createHash } from 'node:crypto';
import type { Firestore, Timestamp } from '@google-cloud/firestore';
import type { RbmSandbox } from '../rbm-sandbox/index.ts';
import type { SmsSandbox } from '../sms-sandbox/index.ts';
import type { TasksEmulator } from '../tasks-emulator/index.ts';

/*
 * The billable units a set of messages cost, counted where they happen (the
 * same counting for the cost test and for `npm run bench:cost`):
 *   - Firestore documents, from the embedded emulator's call counter: a batched
 *     get reads each document it names, a commit writes each of its writes, a
 *     query reads the documents it returns and at least one;
 *   - Firestore TTL deletes: every document of the message that carries
 *     `expireAt` (the message and its timeline entries; terraform/firestore.tf
 *     puts a TTL policy on both collections) is deleted by TTL once, later;
 *   - Cloud Tasks billable operations: each CreateTask and DeleteTask call and
 *     each push delivery attempt, from the Tasks emulator's records;
 *   - Cloud Run requests per function: the one API call that sent the message,
 *     each webhook POST the RBM sandbox made about it (retries included), and
 *     each task delivery to revoke and fallback;
 *   - RBM calls and SMS, which are listed apart (not priced here).
 * Counts are for the whole set; divide by `messages` for one message.
 */

export type BilledFunction = 'messages' | 'webhook' | 'revoke' | 'fallback' | 'sweep';

export interface CountedUnits {
  /** How many messages the counts cover. */
  messages: number;
  firestore: {
    reads: number;
    writes: number;
    /** Documents that carry expireAt: one TTL delete each, RETENTION_DAYS later. */
    ttlDeletes: number;
    /** Their kinds: `message`, or the timeline entry's `type` (DELIVERED, REVOKE_ATTEMPT, ...). */
    ttlKinds: Record<string, number>;
    /** RPCs by name, as the emulator received them (for the record; not billed as such). */
    rpcs: Record<string, number>;
  };
  tasks: { created: number; deleted: number; attempts: number };
  requests: Record<BilledFunction, number>;
  rbm: { send: number; revoke: number };
  sms: number;
  /**
   * Clock milliseconds from each message's creation to its last update (when it
   * reached its final state), summed: how long the messages stood open, which is
   * what a sweep that polls every open message pays for.
   */
  openMs: number;
}

export interface CountingStack {
  db: Firestore;
  tasks: TasksEmulator;
  rbm: RbmSandbox;
  sms: SmsSandbox;
}

/** Firestore reads and writes from the emulator's counts (`FirestoreEmulator.calls`). */
export function firestoreDocuments(calls: Record<string, number>): { reads: number; writes: number } {
  return {
    reads: (calls.documentsRead ?? 0) + (calls.queryReads ?? 0),
    writes: calls.documentsWritten ?? 0,
  };
}

/** The task-name prefix of a message (shared/tasks/names.ts: the first 32 hex digits of its sha256). */
function taskPrefix(messageId: string): string {
  return `/tasks/${createHash('sha256').update(messageId).digest('hex').slice(0, 32)}-`;
}

/**
 * Counts what `messageIds` cost since the emulator's counts were last reset.
 * `calls` is the emulator's count taken BEFORE this function reads anything
 * (it reads the messages' documents to find the TTL ones, which the emulator
 * would count too). `phones` are the numbers the messages went to, each used
 * by one message only, so a number's SMS are its message's.
 */
export async function countUnits(
  stack: CountingStack,
  calls: Record<string, number>,
  sent: Array<{ messageId: string; phoneNumber: string }>,
): Promise<CountedUnits> {
  const prefixes = sent.map((m) => taskPrefix(m.messageId));
  const ours = (name: string) => prefixes.some((p) => name.includes(p));
  const finished = stack.tasks.finished().filter((t) => ours(t.name));
  const pending = stack.tasks.tasks().filter((t) => ours(t.name));
  const all = [...finished, ...pending];
  const attemptsOn = (queue: string) =>
    all.filter((t) => t.name.includes(`/queues/${queue}/`)).reduce((n, t) => n + t.dispatchCount, 0);
  const queueOf = (kind: 'revoke' | 'fallback') => {
    const names = new Set(all.map((t) => /\/queues\/([^/]+)\//.exec(t.name)?.[1] ?? ''));
    return [...names].filter((q) => q.includes(kind));
  };
  const revokeAttempts = queueOf('revoke').reduce((n, q) => n + attemptsOn(q), 0);
  const fallbackAttempts = queueOf('fallback').reduce((n, q) => n + attemptsOn(q), 0);

  let webhookPosts = 0;
  let rbmSend = 0;
  let rbmRevoke = 0;
  let sms = 0;
  let ttlDeletes = 0;
  const ttlKinds: Record<string, number> = {};
  let openMs = 0;
  for (const { messageId, phoneNumber } of sent) {
    for (const delivery of stack.rbm.truth.webhookFor(messageId)) webhookPosts += delivery.attempts.length;
    const truth = stack.rbm.truth.message(messageId);
    const ref = stack.db.collection('messages').doc(messageId);
    const [message, events] = await Promise.all([ref.get(), ref.collection('events').get()]);
    // A number that is not RCS-capable answers the send 404: one call, which the sandbox's
    // truth does not record (the platform never accepted the message).
    const notRcs = !truth && message.get('send.state') === 'not_rcs';
    rbmSend += truth ? 1 + truth.ignoredResends : notRcs ? 1 : 0;
    rbmRevoke += truth?.revokeAttempts.length ?? 0;
    sms += stack.sms.sent(phoneNumber).length;
    for (const doc of [message, ...events.docs]) {
      if (doc.get('expireAt') === undefined) continue;
      ttlDeletes += 1;
      const kind = doc === message ? 'message' : String(doc.get('type') ?? 'event');
      ttlKinds[kind] = (ttlKinds[kind] ?? 0) + 1;
    }
    const createdAt = message.get('createdAt') as Timestamp | undefined;
    const updatedAt = message.get('updatedAt') as Timestamp | undefined;
    if (createdAt && updatedAt) openMs += updatedAt.toMillis() - createdAt.toMillis();
  }

  const { rpcs, ...counts } = { rpcs: calls, ...firestoreDocuments(calls) };
  return {
    messages: sent.length,
    firestore: { ...counts, ttlDeletes, ttlKinds, rpcs: { ...rpcs } },
    tasks: {
      created: all.length,
      deleted: finished.filter((t) => t.outcome === 'deleted').length,
      attempts: all.reduce((n, t) => n + t.dispatchCount, 0),
    },
    requests: {
      messages: sent.length,
      webhook: webhookPosts,
      revoke: revokeAttempts,
      fallback: fallbackAttempts,
      sweep: 0,
    },
    rbm: { send: rbmSend, revoke: rbmRevoke },
    sms,
    openMs,
  };
}

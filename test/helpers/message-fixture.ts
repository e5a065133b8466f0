import type { Firestore } from '@google-cloud/firestore';
import { policies } from '../../shared/lifecycle/policy.ts';
import { refreshDerived } from '../../shared/lifecycle/status.ts';
import type { Fallback, Message, Revocation } from '../../shared/lifecycle/types.ts';
import { messageToDoc } from '../../shared/store/message-doc.ts';
import { readMessage } from '../../shared/store/message-store.ts';

/**
 * Messages in a given lifecycle state, written as the product writes them
 * (`messageToDoc`), so a function under test reads exactly what the other
 * functions would have left. Times are explicit: pass the test clock's now.
 */

export interface MessageSpec {
  messageId: string;
  phoneNumber: string;
  now: Date;
  policy?: Message['policy'];
  revocation?: Partial<Revocation>;
  fallback?: Partial<Fallback>;
  overrides?: Partial<Message>;
}

/** Past its deadline, revocation confirmed, SMS fallback pending: what `revoke` hands to `fallback`. */
export function fallbackDueMessage(spec: MessageSpec): Message {
  const now = spec.now.getTime();
  const createdAt = new Date(now - 15 * 60_000);
  return refreshDerived({
    messageId: spec.messageId,
    agentId: 'test-agent',
    phoneNumber: spec.phoneNumber,
    tracked: true,
    status: 'pending',
    policy: spec.policy ?? policies.promo,
    labels: { campaign: 'fallback-test' },
    createdAt,
    deadline: new Date(now - 5 * 60_000),
    revocation: {
      state: 'confirmed',
      attempts: 1,
      round: 1,
      answeredRound: 1,
      taskSequence: 0,
      lastStatus: 200,
      lastAt: new Date(now - 4 * 60_000),
      requestedAt: new Date(now - 4 * 60_000),
      confirmedAt: new Date(now - 60_000),
      ...spec.revocation,
    },
    fallback: {
      state: 'pending',
      enabled: true,
      text: 'Your code is 482913',
      reason: 'revocation confirmed',
      ...spec.fallback,
    },
    duplicateDelivery: false,
    lateDelivery: false,
    updatedAt: new Date(now - 60_000),
    ...spec.overrides,
  });
}

/** Writes the message as the product does. Undefined fields are left out (the test client does not ignore them). */
export async function seedMessage(db: Firestore, message: Message, retentionMs = 90 * 86_400_000) {
  await db
    .collection('messages')
    .doc(message.messageId)
    .set(withoutUndefined(messageToDoc(message, retentionMs)));
}

export async function storedMessage(db: Firestore, messageId: string): Promise<Message> {
  const message = await readMessage(db, messageId);
  if (!message) throw new Error(`messages/${messageId} not found`);
  return message;
}

/** The message's timeline (system and platform events), by id. */
export async function timeline(
  db: Firestore,
  messageId: string,
): Promise<Record<string, Record<string, unknown>>> {
  const snapshot = await db.collection('messages').doc(messageId).collection('events').get();
  return Object.fromEntries(snapshot.docs.map((doc) => [doc.id, doc.data()]));
}

function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, withoutUndefined(v)]),
    ) as T;
  }
  return value;
}

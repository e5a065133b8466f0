import type { DocumentData } from '@google-cloud/firestore';
import type { Message } from '../lifecycle/types.ts';
import { fromFirestore } from './documents.ts';

/**
 * A message as its Firestore document: the domain fields as they are (flat,
 * legible in the console), plus `expireAt` for Firestore TTL retention.
 */
export function messageToDoc(message: Message, retentionMs: number): DocumentData {
  // Kept for the retention period after creation, and never deleted before its deadline has passed.
  const from = Math.max(message.createdAt.getTime(), message.deadline?.getTime() ?? 0);
  return { ...message, expireAt: new Date(from + retentionMs) };
}

export function messageFromDoc(data: DocumentData): Message {
  const { expireAt: _retention, ...message } = fromFirestore<Message & { expireAt?: Date }>(data);
  return message;
}

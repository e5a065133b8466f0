import type { DocumentData } from '@google-cloud/firestore';
import type { Message } from '../lifecycle/types.ts';
import { fromFirestore } from './documents.ts';

/**
 * A message as its Firestore document: the domain fields as they are (flat,
 * legible in the console), plus `expireAt` for Firestore TTL retention.
 */
export function messageToDoc(message: Message, retentionMs: number): DocumentData {
  return { ...message, expireAt: new Date(message.createdAt.getTime() + retentionMs) };
}

export function messageFromDoc(data: DocumentData): Message {
  const { expireAt: _retention, ...message } = fromFirestore<Message & { expireAt?: Date }>(data);
  return message;
}

import type { Message } from './types.ts';

/**
 * The copy a rule changes: the nested facts are copied too, so a rule never
 * mutates the message it was given (a Firestore transaction may run it again
 * on the same input). `updatedAt` is the time of the change.
 */
export function changedCopy(message: Message, now: Date): Message {
  return { ...copyOf(message), updatedAt: now };
}

/** Like changedCopy, without marking a change of the facts (the sweep's bookkeeping). */
export function copyOf(message: Message): Message {
  const copy = { ...message, revocation: { ...message.revocation }, fallback: { ...message.fallback } };
  if (message.escalation) copy.escalation = { ...message.escalation };
  return copy;
}

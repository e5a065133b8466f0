import type { Firestore } from '@google-cloud/firestore';
import type { Message } from '../lifecycle/types.ts';
import { readMessageWithTimeline } from '../store/message-queries.ts';

export type PublicMessage = Omit<Message, 'requestHash'>;

export interface MessageView {
  message: PublicMessage;
  timeline: Array<Record<string, unknown>>;
}

/** The message as the API shows it: no request hash, and no SMS text (it may be a one-time password). */
export function publicMessage(message: Message): PublicMessage {
  const { requestHash: _hash, ...shown } = message;
  const { text: _text, ...fallback } = shown.fallback;
  if (!shown.escalation) return { ...shown, fallback };
  const { text: _nudge, ...escalation } = shown.escalation;
  return { ...shown, fallback, escalation };
}

/** A message and its timeline (platform events and the system's own steps), oldest first. */
export async function readMessageView(db: Firestore, messageId: string): Promise<MessageView | undefined> {
  const { message, timeline: docs } = await readMessageWithTimeline(db, messageId);
  if (!message) return undefined;
  const timeline = docs
    .map(({ id, data }) => {
      const { expireAt: _retention, ...entry } = data;
      return { id, ...entry, ...learnedAfter(entry) };
    })
    .sort((a, b) => timeOf(a) - timeOf(b));
  return { message: publicMessage(message), timeline };
}

/**
 * For a platform event, how long after the platform's time (`at`) the system learned of it
 * (`receivedAt`, when the webhook stored it): the webhook lag this event saw.
 */
function learnedAfter(entry: Record<string, unknown>): { learnedAfterMs?: number } {
  const { source, at, receivedAt } = entry;
  if (source !== 'platform' || !(at instanceof Date) || !(receivedAt instanceof Date)) return {};
  return { learnedAfterMs: receivedAt.getTime() - at.getTime() };
}

function timeOf(entry: Record<string, unknown>): number {
  const at = entry.at ?? entry.receivedAt;
  return at instanceof Date ? at.getTime() : 0;
}

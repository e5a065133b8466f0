import { type OutcomeKind, outcomesReached } from '../../shared/lifecycle/outcomes.ts';
import { messageFromDoc } from '../../shared/store/message-doc.ts';
import type { Stack } from './start.ts';

export interface OutcomePushSummary {
  /** POSTs the business's receiver got, retries included. */
  requests: number;
  /** Distinct pushes it accepted (de-duplicated by webhook-id), by kind. */
  byKind: Partial<Record<OutcomeKind, number>>;
  accepted: number;
  /** Requests whose signature did not verify (should be none). */
  badSignatures: number;
  /** Per message, outcomes its final record shows that the business did not hear of, or heard of but it does not show. */
  problems: Array<{ messageId: string; missing: OutcomeKind[]; unexpected: OutcomeKind[] }>;
}

/**
 * What the business heard, judged against what the product recorded: each outcome a message's
 * final record shows (delivered, read, revoked, SMS sent, duplicate delivery) was pushed once,
 * and nothing else was. `failed` is left out of the comparison: a late DELIVERED may follow it,
 * and the push was true when it was made.
 */
export async function outcomePushSummary(
  stack: Stack,
  messageIds: string[],
): Promise<OutcomePushSummary | undefined> {
  const outcomes = stack.outcomes;
  if (!outcomes) return undefined;
  const { receiver } = outcomes;
  const accepted = receiver.accepted();
  const byKind: OutcomePushSummary['byKind'] = {};
  const heard = new Map<string, Set<OutcomeKind>>();
  for (const push of accepted) {
    const [messageId, kind] = push.id.split('~') as [string, OutcomeKind];
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    if (!heard.has(messageId)) heard.set(messageId, new Set());
    heard.get(messageId)!.add(kind);
  }
  const refs = messageIds.map((id) => stack.db.collection('messages').doc(id));
  const snapshots = refs.length > 0 ? await stack.db.getAll(...refs) : [];
  const problems: OutcomePushSummary['problems'] = [];
  snapshots.forEach((snapshot, i) => {
    const data = snapshot.data();
    if (!data) return;
    const shown = outcomesReached(undefined, messageFromDoc(data)).filter((k) => k !== 'failed');
    const got = [...(heard.get(messageIds[i]!) ?? [])].filter((k) => k !== 'failed');
    const missing = shown.filter((k) => !got.includes(k));
    const unexpected = got.filter((k) => !shown.includes(k));
    if (missing.length > 0 || unexpected.length > 0)
      problems.push({ messageId: messageIds[i]!, missing, unexpected });
  });
  return {
    requests: receiver.received.length,
    byKind,
    accepted: accepted.length,
    badSignatures: receiver.received.filter((p) => !p.verification.ok).length,
    problems,
  };
}

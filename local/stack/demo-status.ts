import { fallbackSmsCount, inconsistencies } from './consistency.ts';
import { type DemoMessage, isAccepted, onlinePaths } from './demo.ts';
import type { Stack } from './start.ts';

export interface DemoStatus {
  byStatus: Record<string, number>;
  /** Messages that reached a terminal state, or were rightly refused (opted out) or wrongly answered. */
  settled: number;
  total: number;
  /** Per message, what disagrees with the ground truth (only settled messages are judged). */
  problems: Array<{ messageId: string; path: string; problems: string[] }>;
  smsSent: number;
  /**
   * Messages to a phone that was online (`onlinePaths`) that reached it as RCS and as a fallback
   * SMS, by the sandboxes' ground truth (so one the record missed, an SMS whose answer was lost, counts).
   */
  onlineDuplicates: number;
}

/** Reads what the product recorded for the demo's messages and judges it against the sandboxes. */
export async function demoStatus(stack: Stack, messages: DemoMessage[]): Promise<DemoStatus> {
  const accepted = messages.filter(isAccepted);
  const refs = accepted.map((m) => stack.db.collection('messages').doc(m.messageId));
  const snapshots = refs.length > 0 ? await stack.db.getAll(...refs) : [];
  const byStatus: Record<string, number> = {};
  const problems: DemoStatus['problems'] = [];
  let settled = messages.length - accepted.length;
  let smsSent = 0;
  let onlineDuplicates = 0;
  // One pass over the SMS sandbox's records, not one per message.
  const smsTo = new Map<string, number>();
  for (const sms of stack.sms.sent()) smsTo.set(sms.to, (smsTo.get(sms.to) ?? 0) + 1);
  accepted.forEach((message, i) => {
    const data = snapshots[i]!.data();
    const status = data?.status ?? 'missing';
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const smsCount = smsTo.get(message.phoneNumber) ?? 0;
    smsSent += smsCount;
    const truth = stack.rbm.truth.message(message.messageId);
    if (
      onlinePaths.has(message.path) &&
      truth?.deliveredAt != null &&
      fallbackSmsCount({ escalation: data?.escalation }, smsCount) > 0
    )
      onlineDuplicates += 1;
    if (!data || data.dueAt !== undefined) return;
    settled += 1;
    const found = inconsistencies(
      {
        status,
        deliveredAt: data.deliveredAt,
        dueAt: data.dueAt,
        smsOutcomeUnknown: data.fallback?.outcomeUnknown === true,
        escalation: data.escalation,
      },
      truth,
      smsCount,
    );
    if (found.length > 0)
      problems.push({ messageId: message.messageId, path: message.path, problems: found });
  });
  // A refusal is right only for an opted-out number (422), and then nothing may be sent; any other
  // answer that is not 200/201 is a failure of the product, not a settled message.
  let refused = 0;
  for (const message of messages) {
    if (isAccepted(message)) {
      if (message.optedOut) {
        problems.push({
          messageId: message.messageId,
          path: message.path,
          problems: ['opted out, yet accepted'],
        });
      }
      continue;
    }
    if (message.optedOut && message.accepted === 422) {
      refused += 1;
      const sent = stack.rbm.truth.message(message.messageId) !== undefined;
      if (sent)
        problems.push({ messageId: message.messageId, path: message.path, problems: ['refused, yet sent'] });
      continue;
    }
    problems.push({
      messageId: message.messageId,
      path: message.path,
      problems: [`the send answered ${message.accepted ?? 'nothing'}`],
    });
  }
  if (refused > 0) byStatus.refused = refused;
  return { byStatus, settled, total: messages.length, problems, smsSent, onlineDuplicates };
}

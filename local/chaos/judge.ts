import type { Firestore } from '@google-cloud/firestore';
import { collections } from '../../shared/store/documents.ts';
import { type DemoMessage, isAccepted } from '../stack/demo.ts';
import type { DemoStatus } from '../stack/demo-status.ts';
import { readAll } from '../stack/read-all.ts';
import type { SettleTracker } from '../stack/settle-tracker.ts';
import type { Stack } from '../stack/start.ts';

/*
 * The verdict of a chaos run against the sandboxes' ground truth: each
 * message consistent (demo-status), at most one SMS per phone, terminal, and
 * terminal by its deadline plus the allowed lateness; every platform event
 * the webhook acknowledged stored where the product keeps it.
 */

/** Every message whose record disagrees with the ground truth, or whose phone got two SMS. */
export function inconsistentMessages(stack: Stack, sent: DemoMessage[], status: DemoStatus): string[] {
  const found = status.problems.map((p) => `${p.messageId} (${p.path}): ${p.problems.join('; ')}`);
  for (const message of sent) {
    const sms = stack.sms.sent(message.phoneNumber).length;
    if (sms > 1) found.push(`${message.messageId} (${message.path}): ${sms} SMS`);
  }
  return found;
}

/** Each accepted message that never reached a terminal state, with where it stopped. */
export async function unsettledMessages(stack: Stack, sent: DemoMessage[]): Promise<string[]> {
  const accepted = sent.filter(isAccepted);
  const snapshots = await readAll(
    stack.db,
    accepted.map((m) => `messages/${m.messageId}`),
  );
  const found: string[] = [];
  accepted.forEach((message, i) => {
    const data = snapshots[i]!.data();
    if (data && data.dueAt === undefined) return;
    const where = data
      ? `status ${data.status}, revocation ${data.revocation?.state} round ${data.revocation?.round}, fallback ${data.fallback?.state}, due ${data.dueAt?.toDate?.().toISOString()}, redrives ${data.redrives ?? 0}`
      : 'no document';
    found.push(`${message.messageId} (${message.path}): never settled: ${where}`);
  });
  return found;
}

export interface Lateness {
  /** Clock seconds from deadline to first seen terminal, over messages with a deadline. */
  p50: number;
  p99: number;
  max: number;
  /** Messages later than the bound allows them, with their lateness and bound. */
  late: string[];
}

/**
 * The faults one message met that its bound pays for: each re-drive by the sweep, and each
 * call a dying process left unanswered (claimed, its answer never stored), which the task's
 * retry may repeat only once the claim's lease has run out.
 */
export interface MessageFaults {
  redrives: number;
  unansweredRevokeCalls: number;
  /** Fallback and escalation sends. */
  unansweredSmsCalls: number;
}

/** The bound of one message, in clock seconds, given the faults it met. */
export type LatenessBound = (faults: MessageFaults) => number;

/**
 * How long after its deadline each message was first seen terminal, against its bound. The
 * bound is first taken with the re-drives alone (the tracker has them); only a message past
 * that has its calls counted (its record and timeline read), so the judgement reads little.
 */
export async function lateness(
  db: Firestore,
  tracker: SettleTracker,
  sent: DemoMessage[],
  bound: LatenessBound,
): Promise<Lateness> {
  const seconds: number[] = [];
  const late: string[] = [];
  for (const message of sent) {
    const settled = tracker.settled.get(message.messageId);
    if (!settled || settled.deadline === null) continue;
    const s = (settled.settledAt - settled.deadline) / 1000;
    seconds.push(s);
    if (s <= bound({ redrives: settled.redrives, unansweredRevokeCalls: 0, unansweredSmsCalls: 0 })) continue;
    const faults = { redrives: settled.redrives, ...(await unansweredCalls(db, message.messageId)) };
    const allowed = bound(faults);
    if (s > allowed)
      late.push(
        `${message.messageId} (${message.path}): terminal ${Math.round(s)} s after its deadline, bound ${Math.round(allowed)} s with ${faults.redrives} re-drives, ${faults.unansweredRevokeCalls} revoke and ${faults.unansweredSmsCalls} SMS calls unanswered`,
      );
  }
  seconds.sort((a, b) => a - b);
  const at = (q: number) =>
    seconds.length === 0
      ? 0
      : Math.round(seconds[Math.min(seconds.length - 1, Math.floor(q * seconds.length))]!);
  return { p50: at(0.5), p99: at(0.99), max: Math.round(seconds.at(-1) ?? 0), late };
}

/**
 * What a process killed mid-call left behind. A revoke call's timeline entry is written with
 * its answer, so the unanswered ones are the record's claims (`revocation.attempts`) less the
 * entries; an SMS attempt's entry is written as "sending" by its claim and overwritten with
 * the answer, so the unanswered ones still say "sending".
 */
export async function unansweredCalls(
  db: Firestore,
  messageId: string,
): Promise<Omit<MessageFaults, 'redrives'>> {
  const ref = db.collection(collections.messages).doc(messageId);
  const [record, timeline] = await Promise.all([
    ref.get(),
    ref.collection(collections.events).select('outcome').get(),
  ]);
  const claimed = record.get('revocation.attempts');
  const answeredRevokes = timeline.docs.filter((d) => /^revoke-attempt-\d+$/.test(d.id)).length;
  const sending = timeline.docs.filter(
    (d) => /^(fallback|escalation)-attempt-\d+$/.test(d.id) && d.get('outcome') === 'sending',
  ).length;
  return {
    unansweredRevokeCalls: Math.max(0, (typeof claimed === 'number' ? claimed : 0) - answeredRevokes),
    unansweredSmsCalls: sending,
  };
}

/**
 * Each platform event the webhook acknowledged (user and server events about a
 * message, user messages, events about no message) and the document the
 * product should have stored it under; the ones missing. An event id is the
 * document's id, so one stored is stored once.
 */
export async function eventsNotStored(stack: Stack): Promise<{ expected: number; missing: string[] }> {
  const expected = new Map<string, string>();
  for (const delivery of stack.rbm.truth.webhook) {
    if (delivery.ackedAt === null) continue;
    if (delivery.kind === 'user-message') {
      for (const id of delivery.messageIds) expected.set(`userMessages/${id}`, delivery.label);
    } else if (delivery.kind === 'agent-launch-event' && delivery.eventId) {
      expected.set(`agentEvents/${delivery.eventId}`, delivery.label);
    } else if ((delivery.kind === 'user-event' || delivery.kind === 'server-event') && delivery.eventId) {
      const [messageId] = delivery.messageIds;
      const path = messageId
        ? `messages/${messageId}/events/${delivery.eventId}`
        : `userEvents/${delivery.eventId}`;
      expected.set(path, delivery.label);
    }
  }
  const paths = [...expected.keys()];
  const snapshots = await readAll(stack.db, paths);
  const missing = paths
    .filter((_, i) => !snapshots[i]!.exists)
    .map((path) => `${expected.get(path)} not stored at ${path}`);
  return { expected: paths.length, missing };
}

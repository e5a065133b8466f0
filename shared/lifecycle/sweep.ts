import { copyOf } from './message-copy.ts';
import { refreshDerived } from './status.ts';
import type { Effect, Message, Step } from './types.ts';

/**
 * Law 6: every registered message reaches a terminal state by its deadline
 * plus a bound, even if a task is lost or a function dies between two steps.
 * The sweep finds messages whose dueAt is more than the bound in the past and
 * re-drives the step they are stuck at, under a fresh task name (a finished
 * task's name stays taken for a while). The step's own rules decide again
 * from the stored state, so a re-drive of something that did progress is a no-op.
 */
export function stuckStep(message: Message): { step: Step; sequence: number } | undefined {
  if (!message.tracked || message.dueAt === undefined) return undefined;
  const { revocation, fallback } = message;
  if (fallback.state === 'pending') return { step: 'fallback', sequence: 0 };
  if (message.escalation?.state === 'pending') return { step: 'escalate', sequence: 0 };
  if (revocation.state === 'requested' || revocation.state === 'not_found') {
    // The answer is in: the confirm step (or the re-revoke it would schedule) went missing.
    if (revocation.answeredRound >= revocation.round) {
      // After a 404 with rounds left, confirm would only schedule the re-revoke, under that
      // round's own task name, which a lost re-revoke task still holds (a finished name stays
      // taken for about an hour): re-drive the re-revoke itself, under a fresh name.
      const roundsLeft = revocation.round < (message.policy?.maxRevokeAttempts ?? 1);
      if (revocation.state === 'not_found' && roundsLeft)
        return { step: 'again', sequence: revocation.round };
      return { step: 'confirm', sequence: revocation.round };
    }
  }
  if (revocation.round >= 2) return { step: 'again', sequence: revocation.round - 1 };
  if (revocation.state === 'none') return { step: 'revoke', sequence: revocation.taskSequence };
  return undefined;
}

export interface Redrive {
  message: Message;
  effects: Effect[];
}

/**
 * Marks the message re-driven and returns the task to schedule. Its dueAt
 * becomes the re-drive's time, so the bound counts afresh from now: a sweep
 * within the next bound leaves it alone (no pile of tasks), and if this
 * re-drive is lost too (its task lost, the sweep killed before creating it)
 * the next one comes a bound and a sweep interval later, the documented cost
 * of one fault. A hold of now + bound made that cost two bounds.
 */
export function redrive(message: Message, now: Date, boundMs: number): Redrive | undefined {
  const stuck = stuckStep(message);
  if (!stuck || !message.dueAt || message.dueAt.getTime() > now.getTime() - boundMs) return undefined;
  const redrives = (message.redrives ?? 0) + 1;
  const next = refreshDerived({
    ...copyOf(message),
    redrives,
    sweepHoldUntil: now,
  });
  return { message: next, effects: [{ kind: 'schedule', ...stuck, at: now, redrive: redrives }] };
}

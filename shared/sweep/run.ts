import type { Firestore } from '@google-cloud/firestore';
import { mapLimit } from '../concurrency/map-limit.ts';
import { type Redrive, redrive } from '../lifecycle/sweep.ts';
import type { Logger } from '../log/index.ts';
import { overdueMessageIds } from '../store/message-queries.ts';
import { type Decision, updateMessage } from '../store/message-store.ts';
import { runEffects } from '../tasks/run-effects.ts';
import type { TaskScheduler } from '../tasks/scheduler.ts';

export interface SweepDeps {
  db(): Firestore;
  scheduler(): TaskScheduler;
  log: Logger;
  now(): Date;
  retentionMs: number;
}

export interface SweepResult {
  overdue: number;
  redriven: number;
  failed: number;
}

/**
 * One sweep: a single indexed query for messages whose dueAt is more than
 * `boundMs` past (settled messages have no dueAt, so they are not in the
 * index at all), then a transactional re-drive of each. With nothing overdue
 * it costs one query that returns no document.
 */
export async function sweepOverdue(
  deps: SweepDeps,
  settings: { boundMs: number; limit: number },
): Promise<SweepResult> {
  const now = deps.now();
  const db = deps.db();
  const cutoff = new Date(now.getTime() - settings.boundMs);
  const overdue = await overdueMessageIds(db, cutoff, settings.limit);

  const outcomes = await mapLimit(overdue, 8, async (messageId) => {
    try {
      const done = await updateMessage(
        db,
        messageId,
        deps.retentionMs,
        (message): Decision<Redrive | undefined> => {
          const planned = message && redrive(message, now, settings.boundMs);
          if (!planned) return { result: undefined };
          const [effect] = planned.effects;
          const entry = {
            id: `sweep-${planned.message.redrives}`,
            type: 'SWEEP_REDRIVE',
            at: now,
            ...(effect?.kind === 'schedule' ? { step: effect.step, sequence: effect.sequence } : {}),
          };
          return { message: planned.message, timeline: [entry], result: planned };
        },
      );
      if (!done) return 'skipped';
      const failures = await runEffects(messageId, done.effects, deps.scheduler(), now);
      if (failures.length > 0) throw failures[0]!.error;
      deps.log.warn({ event: 'sweep.redriven', messageId, status: done.message.status }, 'message re-driven');
      return 'redriven';
    } catch (error) {
      deps.log.error({ event: 'sweep.redrive_failed', messageId, error }, 'could not re-drive message');
      return 'failed';
    }
  });
  const result = {
    overdue: overdue.length,
    redriven: outcomes.filter((o) => o === 'redriven').length,
    failed: outcomes.filter((o) => o === 'failed').length,
  };
  deps.log.info(
    { event: 'sweep.finished', ...result },
    `sweep: ${result.redriven} of ${result.overdue} overdue re-driven`,
  );
  return result;
}

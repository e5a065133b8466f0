import type { Firestore } from '@google-cloud/firestore';
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
  /** Retention and OUTCOME_PUSH for the step's transaction (shared/store/outbox.ts). */
  storeConfig: { retentionMs: number; outcomePush?: boolean };
}

export interface SweepResult {
  overdue: number;
  redriven: number;
  failed: number;
}

/**
 * Re-drives in flight at once, across pages. The messages a sweep finds are often those whose
 * process died inside a transaction, and Firestore holds such a transaction's documents until it
 * times out (60 s idle): a re-drive of one waits that long. So the run reads the next page while
 * earlier re-drives are still out, and one held message takes one slot, not the run.
 */
export const sweepConcurrency = 32;

/** A sweep run stops starting new pages after this much real time, well inside Scheduler's attempt deadline. */
export const sweepRunBudgetMs = 40_000;

/**
 * One sweep: indexed queries for messages whose dueAt is more than `boundMs`
 * past (settled messages have no dueAt, so they are not in the index at
 * all), a page of `limit` at a time, oldest first, and a transactional
 * re-drive of each; page after page until one comes back short or the run's
 * time budget is spent, so a backlog of overdue messages (many tasks lost at
 * once) is cleared in one run instead of `limit` a minute. With nothing
 * overdue it costs one query that returns no document.
 */
export async function sweepOverdue(
  deps: SweepDeps,
  settings: { boundMs: number; limit: number; budgetMs?: number },
): Promise<SweepResult> {
  const now = deps.now();
  const db = deps.db();
  const cutoff = new Date(now.getTime() - settings.boundMs);
  const stopStartingAt = performance.now() + (settings.budgetMs ?? sweepRunBudgetMs);
  const outcomes: Array<'redriven' | 'skipped' | 'failed'> = [];
  const inFlight = new Set<Promise<void>>();
  const start = (messageId: string) => {
    const redriving: Promise<void> = redriveOne(deps, db, messageId, now, settings).then((outcome) => {
      outcomes.push(outcome);
      inFlight.delete(redriving);
    });
    inFlight.add(redriving);
  };
  let overdueCount = 0;
  let after: { dueAt: Date; messageId: string } | undefined;
  for (;;) {
    // A re-driven message's dueAt moves to now, past the cutoff: no later page holds it again.
    const page = await overdueMessageIds(db, cutoff, settings.limit, after);
    overdueCount += page.length;
    for (const { messageId } of page) {
      while (inFlight.size >= sweepConcurrency) await Promise.race(inFlight);
      start(messageId);
    }
    if (page.length < settings.limit || performance.now() >= stopStartingAt) break;
    after = page.at(-1);
  }
  await Promise.all(inFlight);
  const result = {
    overdue: overdueCount,
    redriven: outcomes.filter((o) => o === 'redriven').length,
    failed: outcomes.filter((o) => o === 'failed').length,
  };
  deps.log.info(
    { event: 'sweep.finished', ...result },
    `sweep: ${result.redriven} of ${result.overdue} overdue re-driven`,
  );
  return result;
}

async function redriveOne(
  deps: SweepDeps,
  db: Firestore,
  messageId: string,
  now: Date,
  settings: { boundMs: number },
): Promise<'redriven' | 'skipped' | 'failed'> {
  try {
    const done = await updateMessage(
      db,
      messageId,
      deps.storeConfig,
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
}

import { writeFile } from 'node:fs/promises';
import { fallbackLeaseMs } from '../../shared/lifecycle/fallback.ts';
import { revokeLeaseMs } from '../../shared/lifecycle/revocation.ts';
import { taskId } from '../../shared/tasks/names.ts';
import { SystemClock } from '../common/clock.ts';
import { Prng } from '../common/random.ts';
import type { PushConcurrency } from '../rbm-sandbox/index.ts';
import { isAccepted, runDemoWorkload } from '../stack/demo.ts';
import { demoStatus } from '../stack/demo-status.ts';
import type { FunctionName } from '../stack/functions-server.ts';
import { functionNames } from '../stack/functions-server.ts';
import { SettleTracker } from '../stack/settle-tracker.ts';
import { type Stack, startStack } from '../stack/start.ts';
import { faultDescription, type RunningFaults, startFaults } from './faults.ts';
import {
  eventsNotStored,
  inconsistentMessages,
  type Lateness,
  type LatenessBound,
  lateness,
  unsettledMessages,
} from './judge.ts';
import { Killer, type KillMoment } from './killer.ts';

/*
 * A chaos run on the local stack in process mode: the demo's mix of phones
 * (every lifecycle path) is sent while every fault of faults.ts is on, and
 * stays on until the last deadlines have come due and been retried. Then the
 * faults stop and every message must end consistent with the sandboxes'
 * ground truth: terminal, and by its deadline plus the allowed lateness;
 * delivery known exactly when the phone got it; at most one SMS, and one
 * only where the status says one went out; every platform event the
 * webhook acknowledged stored. Seeded: the same seed makes the same draws
 * (process timing still varies).
 */

export interface ChaosOptions {
  messages: number;
  seed: number;
  /** Clock speed vs real time; leases of 60 clock seconds make scale 1 slow. */
  timeScale: number;
  /** Mean real time between two random kills, ms. */
  killEveryMs?: number;
  /** Instances of each function but the sweep (default 2); the sweep runs one, as Terraform caps it. */
  instances?: number;
  /** How the platform posts to the webhook (default adaptive, as Pub/Sub push does). */
  webhookConcurrency?: PushConcurrency;
  /** Mean real time between two Firestore stalls, ms (default 20 s), and how long each lasts (default 3 s). */
  stallEveryMs?: number;
  stallMs?: number;
  progress?: (line: string) => void;
  /** Writes each violating message's record and timeline here, as JSON, to find out why. */
  evidenceFile?: string;
  /** Of the functions (kept in the evidence) and the sandboxes (printed); default error. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface ChaosReport {
  messages: number;
  settled: number;
  byStatus: Record<string, number>;
  smsSent: number;
  kills: Record<KillMoment, Partial<Record<FunctionName, number>>>;
  restarts: number;
  /**
   * The faults' real duration; per function, the real seconds its instances were down, summed
   * (killed, not yet listening again), and the seconds it had no instance up (unreachable).
   */
  downtime: {
    faultSeconds: number;
    instances: Record<FunctionName, number>;
    downSeconds: Partial<Record<FunctionName, number>>;
    unreachableSeconds: Partial<Record<FunctionName, number>>;
  };
  lostDispatches: number;
  rbmBursts: number;
  firestoreStalls: { count: number; realSeconds: number };
  eventsStored: number;
  lateness: Omit<Lateness, 'late'>;
  faults: typeof faultDescription;
  wallSeconds: number;
  violations: string[];
}

/**
 * The clock speed a run of `messages` gets unless told: the functions must do a
 * clock minute's work in a sixtieth of the real time at x60, which two cores manage for a
 * few hundred messages but not for thousands (1,000 at x60 ended late; 5,000 at x2 kept
 * up), so the product of the two stays near 10,000.
 */
export function defaultTimeScale(messages: number): number {
  return Math.min(60, Math.max(1, Math.round(10_000 / messages)));
}

/** The stack's sweep: every minute, re-driving what is 120 s overdue (SWEEP_BOUND_SECONDS). */
const sweep = { everyMs: 60_000, boundSeconds: 120 };

/**
 * The documented bound (docs/scenarios.md#bounds-law-6) for the demo's policies,
 * in clock seconds: three revoke rounds of the longest grace (120 s), a retry
 * budget of backoff (10 tries, 1 s doubling to 60 s: 243 s) for the revoke and
 * for the SMS, and one sweep period for each fault the sweep recovered (each
 * re-drive) and one more, as the lifecycle properties count it; the claim's
 * lease for each call a killed process left unanswered (the retry waits it
 * out); plus, once, the confirm step's longest wait while the webhook is behind
 * (INGESTION_MAX_DEFER_SECONDS, default 300); plus the time Firestore was stalled.
 */
function latenessBound(stalledClockSeconds: number): LatenessBound {
  const sweepPeriod = sweep.boundSeconds + sweep.everyMs / 1000;
  const smsLeaseSeconds = fallbackLeaseMs(smsTimeoutMs) / 1000;
  return ({ redrives, unansweredRevokeCalls, unansweredSmsCalls }) =>
    3 * 120 +
    2 * 243 +
    (redrives + 1) * sweepPeriod +
    unansweredRevokeCalls * (revokeLeaseMs / 1000) +
    unansweredSmsCalls * smsLeaseSeconds +
    maxConfirmDeferSeconds +
    stalledClockSeconds;
}

/** SMS_TIMEOUT_MS's default, which the stack's functions run with. */
const smsTimeoutMs = 10_000;

/** INGESTION_MAX_DEFER_SECONDS's default, which the stack's functions run with. */
const maxConfirmDeferSeconds = 300;

/** The last deadline (10 clock minutes) plus its grace rounds and retries, while the faults stay on. */
const faultsAfterLastSendMs = 20 * 60_000;

/** Webhook retry backoff after the faults (up to 600 s a try) is long; this much clock time is plenty. */
const settleWithinClockMs = 120 * 60_000;

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const say = options.progress ?? (() => {});
  const draws = new Prng(options.seed).fork('chaos');
  const clock = new SystemClock({ scale: options.timeScale });
  const stack = await startStack({
    clock,
    seed: options.seed,
    functions: 'processes',
    functionInstances: instancesOf(options.instances ?? 2),
    webhook: { concurrency: options.webhookConcurrency ?? 'adaptive' },
    sweepEveryMs: sweep.everyMs,
    sweepBoundSeconds: sweep.boundSeconds,
    // Firestore lets a dead client's transaction go after 60 s idle; the same on this run's clock.
    firestore: { transactionIdleTimeoutMs: Math.max(250, 60_000 / options.timeScale) },
    // stdout carries the report; the sandboxes' retry warnings would bury it.
    logLevel: options.logLevel ?? 'error',
  });
  const killer = new Killer(
    stack.processes!,
    functionNames,
    draws.fork('instances'),
    () => 50 + 300 * draws.next(),
  );
  // About five clock seconds of resolution, but no poll more often than once a real second.
  const tracker = new SettleTracker(stack.db, clock, Math.max(1_000, 5_000 / options.timeScale), (error) =>
    say(`chaos: a poll of the messages failed (the next one tries again): ${String(error)}`),
  );
  try {
    say(`chaos: sending ${options.messages} messages (time x${options.timeScale}) with every fault on`);
    let faults: RunningFaults | undefined;
    // A business backend tries a send again while it gets no answer (a killed process) or a 5xx,
    // for about two minutes of real time: a transaction left by a killed process holds its
    // documents for 60 s.
    const sent = await runDemoWorkload(stack, options.messages, options.seed, {
      sendAttempts: 70,
      concurrency: 64,
      // The numbers opted out before the faults start: an opt-out still queued behind a failed
      // webhook post is one the product cannot know yet.
      beforeSends: () => {
        faults = startFaults(stack, killer, draws, {
          timeScale: options.timeScale,
          killEveryMs: options.killEveryMs ?? 5_000,
          stallEveryMs: options.stallEveryMs ?? 20_000,
          stallMs: options.stallMs ?? 3_000,
        });
      },
      onAnswered: (message) => {
        if (isAccepted(message)) tracker.watch([message.messageId]);
      },
    });
    if (!faults) throw new Error('the faults never started');
    say(`chaos: sent; faults stay on for ${faultsAfterLastSendMs / 60_000} clock minutes`);
    const faultsUntil = clock.now() + faultsAfterLastSendMs;
    while (clock.now() < faultsUntil) await sleep(500);
    await faults.stop();
    say(`chaos: faults off after ${killer.total()} kills; waiting for every message to end`);

    const settleUntil = clock.now() + settleWithinClockMs;
    // The tracker re-reads only the messages not yet ended; refused sends have nothing to end.
    const unanswerable = sent.filter((m) => !isAccepted(m)).length;
    const ended = () => unanswerable + tracker.settled.size;
    // Judge only once the platform has delivered every event it holds: a DELIVERED still queued
    // behind a failed post is not yet something the product could know.
    let toldAt = Date.now();
    while ((ended() < sent.length || stack.rbm.webhookBacklog > 0) && clock.now() < settleUntil) {
      await sleep(500);
      if (Date.now() - toldAt >= 30_000) {
        toldAt = Date.now();
        say(
          `chaos: ${ended()}/${sent.length} messages ended, ${stack.rbm.webhookBacklog} webhook deliveries waiting`,
        );
      }
    }
    await tracker.stop();
    const status = await demoStatus(stack, sent);
    const stalledClockSeconds = (faults.stalledMs / 1000) * options.timeScale;
    const late = await lateness(stack.db, tracker, sent, latenessBound(stalledClockSeconds));
    const events = await eventsNotStored(stack);
    const { late: lateMessages, ...latenessFigures } = late;
    const violations = [
      ...inconsistentMessages(stack, sent, status),
      ...(await unsettledMessages(stack, sent)),
      ...lateMessages,
      ...events.missing,
    ];
    if (options.evidenceFile) await writeEvidence(stack, violations, tracker, options.evidenceFile);
    return {
      messages: sent.length,
      settled: status.settled,
      byStatus: status.byStatus,
      smsSent: status.smsSent,
      kills: Object.fromEntries(killer.counts) as ChaosReport['kills'],
      restarts: stack.processes!.starts - totalInstances(stack.processes!.instances),
      downtime: {
        faultSeconds: Math.round(faults.realMs / 1000),
        instances: stack.processes!.instances,
        downSeconds: seconds(killer.downMs),
        unreachableSeconds: seconds(killer.unreachableMs),
      },
      lostDispatches: faults.lostDispatches,
      rbmBursts: faults.rbmBursts,
      firestoreStalls: { count: faults.stalls, realSeconds: faults.stalledMs / 1000 },
      eventsStored: events.expected - events.missing.length,
      lateness: latenessFigures,
      faults: faultDescription,
      wallSeconds: Math.round((Date.now() - started) / 1000),
      violations,
    };
  } finally {
    await tracker.stop().catch(() => {});
    await stack.stop();
  }
}

/** Each violating message's record, its timeline, the ground truth and when it was seen settled; what the functions printed. */
async function writeEvidence(stack: Stack, violations: string[], tracker: SettleTracker, file: string) {
  const ids = new Set(violations.map((v) => v.split(' ')[0]!).filter((id) => /^[0-9a-f-]{36}$/.test(id)));
  // The latest to end, violating or not: where the time goes when nothing broke a rule.
  const latest = [...tracker.settled]
    .filter(([, s]) => s.deadline !== null)
    .sort(([, a], [, b]) => b.settledAt - b.deadline! - (a.settledAt - a.deadline!))
    .slice(0, latestInEvidence);
  for (const [id] of latest) ids.add(id);
  const attempts = stack.tasks.history();
  const evidence = [];
  for (const id of ids) {
    const ref = stack.db.collection('messages').doc(id);
    const events = await ref.collection('events').get();
    evidence.push({
      messageId: id,
      record: (await ref.get()).data(),
      timeline: events.docs.map((d) => ({ id: d.id, ...d.data() })),
      truth: stack.rbm.truth.message(id),
      webhook: stack.rbm.truth.webhookFor(id),
      settled: tracker.settled.get(id),
      taskAttempts: attempts
        .filter((a) => a.taskId.startsWith(taskIdPrefix(id)))
        .map((a) => ({
          ...a,
          scheduleTime: iso(a.scheduleTime),
          dispatchTime: iso(a.dispatchTime),
          responseTime: a.responseTime && iso(a.responseTime),
        })),
    });
  }
  const functionOutput = stack.processes?.output ?? [];
  const lateness = [...tracker.settled].map(([id, s]) => ({
    messageId: id,
    lateSeconds: s.deadline === null ? null : Math.round((s.settledAt - s.deadline) / 1000),
    redrives: s.redrives,
  }));
  await writeFile(file, JSON.stringify({ messages: evidence, lateness, functionOutput }, null, 2));
}

/** How many of the latest-ending messages the evidence keeps besides the violating ones. */
const latestInEvidence = 40;

/** Every task of a message starts with the hash of its id (shared/tasks/names.ts). */
function taskIdPrefix(messageId: string): string {
  return taskId(messageId, 'revoke').split('-')[0]!;
}

/**
 * Cloud Run runs as many instances as the load needs and routes around a crashed one; two
 * instances is the least that shows it. The sweep is capped at one instance (terraform/main.tf).
 * The outcomes function idles here (the run has outcome push off): one instance.
 */
function instancesOf(count: number): Record<FunctionName, number> {
  const single = (name: FunctionName) => name === 'sweep' || name === 'outcomes';
  return Object.fromEntries(functionNames.map((name) => [name, single(name) ? 1 : count])) as Record<
    FunctionName,
    number
  >;
}

function totalInstances(instances: Record<FunctionName, number>): number {
  return Object.values(instances).reduce((sum, n) => sum + n, 0);
}

function seconds(ms: ReadonlyMap<FunctionName, number>): Partial<Record<FunctionName, number>> {
  return Object.fromEntries([...ms].map(([name, value]) => [name, Math.round(value / 1000)]));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Firestore } from '@google-cloud/firestore';
import { mapLimit } from '../../shared/concurrency/map-limit.ts';
import { SystemClock } from '../common/clock.ts';
import { postWithRetries } from '../common/post-with-retries.ts';
import { inconsistencies } from '../stack/consistency.ts';
import type { InstanceCounts } from '../stack/function-processes.ts';
import { type FunctionName, functionNames } from '../stack/functions-server.ts';
import { type QueueRateLimits, type Stack, startStack, terraformQueueRateLimits } from '../stack/start.ts';
import { cpuSeconds, machineBusySeconds } from './cpu.ts';

/*
 * Issue 11, "10,000 deadlines in the same seconds" (docs/BENCHMARKS.md): N
 * messages to offline phones, sent first through the real messages API, with
 * deadlines spread over one window of a few seconds that begins after the
 * last send has returned. Then the deadlines come due together: every revoke
 * task at once, each a DELETE at the RBM sandbox, and (the OTP policy) an SMS
 * right after the revoke is requested, the confirmation one grace period
 * (30 s) later. The local stack runs each function in its own process, as
 * Cloud Run does. Figures: the lateness of each message's first DELETE after
 * its deadline, read from the RBM sandbox's ground truth; DELETEs per second
 * during the burst; peak memory and CPU seconds per process; SMS sent;
 * messages lost (not ended consistent with the ground truth: revoked at the
 * platform, one SMS) and phones with two SMS; how busy the machine was. A
 * run stops by itself.
 */

export interface DeadlineBenchOptions {
  messages: number;
  /** Clock ms over which the deadlines are spread (default 5,000). */
  windowMs?: number;
  /** Clock speed vs real time (default 1). */
  timeScale?: number;
  queueShards?: number;
  functionInstances?: InstanceCounts;
  /** Totals over the shards, as Terraform's queue_rate_limits; default Terraform's defaults. */
  queueRateLimits?: Partial<Record<'revoke' | 'fallback', QueueRateLimits>>;
  /** Requests in flight at once, as a backend's worker pool (default 32). */
  sendConcurrency?: number;
  /** Messages per POST /messages:batch (1 to 500); 0 or unset: one POST /messages each. */
  sendBatch?: number;
  /** Real seconds from the end of the pilot to the first deadline; default from the pilot's send rate. */
  leadSeconds?: number;
  /** Real seconds to wait for every message to settle after the last deadline (default 1,800). */
  settleTimeoutSeconds?: number;
  seed?: number;
  progress?: (line: string) => void;
}

export interface Percentiles {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export interface ProcessFigures {
  pid: number;
  /** Peak resident set (VmHWM), MiB. */
  peakRssMiB: number | null;
  /** CPU seconds while sending, during the burst (first to last DELETE), and from the first deadline to the end. */
  cpuSeconds: { send: number | null; burst: number | null; afterDeadline: number | null };
  /** burst CPU seconds / burst real seconds: 1 is one core kept busy. */
  burstCoreShare: number | null;
}

export interface DeadlineBenchReport {
  options: {
    messages: number;
    windowMs: number;
    timeScale: number;
    policy: 'otp';
    queueShards: number;
    functionInstances: Record<FunctionName, number>;
    queueRateLimits: Record<'revoke' | 'fallback', QueueRateLimits>;
    sendConcurrency: number;
    sendBatch: number;
  };
  machine: { nproc: number; cpu: string; node: string; loadAverageAtStart: number[] };
  send: {
    pilotMessages: number;
    pilotPerSecond: number;
    seconds: number;
    perSecond: number;
    answered201: number;
    otherAnswers: Record<string, number>;
    /** Real seconds between the last send's answer and the first deadline (negative: the run is not clean). */
    slackBeforeFirstDeadlineSeconds: number;
  };
  /** First DELETE of each message after its deadline, clock ms; and in real ms (clock ms / time scale). */
  revokeLatenessMs: Percentiles;
  revokeLatenessRealMs: Percentiles;
  /** The SMS (accepted by the SMS sandbox) after the message's deadline, clock ms and real ms. */
  smsLatenessMs: Percentiles;
  smsLatenessRealMs: Percentiles;
  burst: {
    deletes: number;
    /** Real seconds from the first to the last first-DELETE. */
    seconds: number;
    deletesPerSecond: number;
  };
  smsSent: number;
  phonesWithTwoSms: number;
  lost: number;
  byStatus: Record<string, number>;
  /**
   * `revocation.state` of the messages as Firestore holds them: `confirmed` unless a revoke's
   * answer could not be taken as proof (a 404 for a message revoked by an earlier try), and why.
   */
  revocationStates: Record<string, number>;
  unconfirmedReasons: Record<string, number>;
  redrives: number;
  /** From the first deadline to the end: Firestore RPCs per message, by method, at the emulator. */
  firestoreRpcsPerMessage: Record<string, number>;
  /** Task attempts dispatched from the first deadline on, by target and outcome (`http-503`, `succeeded`, ...). */
  taskAttempts: Record<string, number>;
  processes: Record<string, ProcessFigures>;
  /** Share of all cores busy (any process) during each phase, and the part of it not ours. */
  machineBusy: {
    burst: number | null;
    afterDeadline: number | null;
    otherProcessesBurst: number | null;
    otherProcessesAfterDeadline: number | null;
  };
  wallSeconds: number;
  /** What breaks the product's promises: a message lost, an SMS twice, a send refused, no settling. */
  problems: string[];
  /** What makes the figures less clean: sends still under way at the first deadline, other work on the machine. */
  warnings: string[];
}

const otpText = 'Your code is 482913';
const dayMs = 86_400_000;

export async function runDeadlineBench(options: DeadlineBenchOptions): Promise<DeadlineBenchReport> {
  const started = Date.now();
  const say = options.progress ?? (() => {});
  const count = options.messages;
  const windowMs = options.windowMs ?? 5_000;
  const timeScale = options.timeScale ?? 1;
  const queueShards = options.queueShards ?? 1;
  const sendConcurrency = options.sendConcurrency ?? 32;
  const sendBatch = options.sendBatch ?? 0;
  const queueRateLimits = {
    revoke: options.queueRateLimits?.revoke ?? terraformQueueRateLimits.revoke,
    fallback: options.queueRateLimits?.fallback ?? terraformQueueRateLimits.fallback,
  };
  const loadAverageAtStart = os.loadavg().map((n) => Math.round(n * 100) / 100);
  const clock = new SystemClock({ scale: timeScale });
  const stack = await startStack({
    clock,
    seed: options.seed ?? 1,
    functions: 'processes',
    ...(options.functionInstances ? { functionInstances: options.functionInstances } : {}),
    queueShards,
    queueRateLimits,
    logLevel: 'error',
  });
  const problems: string[] = [];
  const warnings: string[] = [];
  try {
    const instances = stack.processes!.instances;
    const pids = processIds(stack);
    const sample = () => ({
      machine: machineBusySeconds(),
      at: performance.now(),
      cpu: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)])),
    });

    // Phones: offline for a day (the whole run), and online ones for the pilot.
    const phones = Array.from({ length: count }, (_, i) => `+1556${String(i).padStart(7, '0')}`);
    for (const phone of phones)
      stack.rbm.setPhone(phone, {
        rcs: true,
        offline: [{ forMs: dayMs }],
        racesRevoke: false,
        neverReads: true,
      });

    // A pilot measures how fast this machine sends, to place the window after the last send.
    // At least four batches, so the rate is not one batch's.
    const pilotCount = Math.max(Math.min(300, Math.max(40, Math.round(count / 20))), 4 * sendBatch);
    const pilotPhones = Array.from({ length: pilotCount }, (_, i) => `+1557${String(i).padStart(7, '0')}`);
    for (const phone of pilotPhones)
      stack.rbm.setPhone(phone, { rcs: true, offline: [], racesRevoke: false, neverReads: true });
    const pilotStart = performance.now();
    const answeredAt: number[] = [];
    const pilotAnswers = await sendAll(
      stack,
      pilotPhones.map((phoneNumber) => ({ messageId: randomUUID(), phoneNumber, revokeAfter: '2d' })),
      { concurrency: sendConcurrency, batch: sendBatch },
      () => answeredAt.push(performance.now()),
    );
    // The rate over the pilot's second half (the first sends pay for cold processes and connections),
    // unless that half took under a second (batches answered together): then over the whole pilot.
    const half = Math.floor(pilotCount / 2);
    const secondHalfMs = answeredAt.at(-1)! - answeredAt[half - 1]!;
    const pilotPerSecond =
      secondHalfMs >= 1_000
        ? (pilotCount - half) / (secondHalfMs / 1000)
        : pilotCount / ((answeredAt.at(-1)! - pilotStart) / 1000);
    if (pilotAnswers.some((status) => status !== 201)) problems.push('a pilot send was not answered 201');
    const leadSeconds = options.leadSeconds ?? (count / pilotPerSecond) * 1.5 + 5;
    const firstDeadline = clock.now() + leadSeconds * 1000 * timeScale;
    say(
      `deadlines: pilot sent ${pilotCount} at ${pilotPerSecond.toFixed(0)}/s; ${count} deadlines from ` +
        `${leadSeconds.toFixed(1)} s from now, over ${windowMs / 1000} clock s (time x${timeScale})`,
    );

    const messages = phones.map((phoneNumber, i) => ({
      messageId: randomUUID(),
      phoneNumber,
      deadline: firstDeadline + Math.floor((i * windowMs) / count),
    }));
    const beforeSend = sample();
    const answers = await sendAll(
      stack,
      messages.map((m) => ({ ...m, deadline: new Date(m.deadline).toISOString() })),
      { concurrency: sendConcurrency, batch: sendBatch },
    );
    const afterSend = sample();
    const sendSeconds = (afterSend.at - beforeSend.at) / 1000;
    const slack = (firstDeadline - clock.now()) / timeScale / 1000;
    const otherAnswers: Record<string, number> = {};
    for (const status of answers)
      if (status !== 201) otherAnswers[String(status)] = (otherAnswers[String(status)] ?? 0) + 1;
    say(
      `deadlines: sent ${count} in ${sendSeconds.toFixed(1)} s (${(count / sendSeconds).toFixed(0)}/s); ` +
        `${slack.toFixed(1)} s before the first deadline`,
    );
    if (slack < 0)
      warnings.push(
        `the last send returned ${(-slack).toFixed(1)} s after the first deadline: the first deadlines met a send still under way (--lead)`,
      );
    if (Object.keys(otherAnswers).length > 0)
      problems.push(`sends not answered 201: ${JSON.stringify(otherAnswers)}`);

    // The burst: wait for the first deadline, then for a DELETE of every message.
    await sleep(Math.max(0, (firstDeadline - clock.now()) / timeScale));
    const atDeadline = sample();
    const rpcsAtDeadline = stack.firestoreEmulator?.calls(stack.projectId) ?? {};
    const lastDeadline = messages.at(-1)!.deadline;
    const truthOf = (messageId: string) => stack.rbm.truth.message(messageId);
    const settleBy = performance.now() + (options.settleTimeoutSeconds ?? 1_800) * 1000;
    let afterBurst = atDeadline;
    for (let reported = 0; ; ) {
      const revoked = messages.filter((m) => (truthOf(m.messageId)?.revokeAttempts.length ?? 0) > 0).length;
      if (revoked === count) {
        afterBurst = sample();
        break;
      }
      if (performance.now() > settleBy) {
        afterBurst = sample();
        problems.push(`${count - revoked} messages got no DELETE within the time-out`);
        break;
      }
      if (performance.now() - reported > 5_000) {
        reported = performance.now();
        say(`deadlines: ${revoked}/${count} DELETEs`);
      }
      await sleep(200);
    }

    // Then the SMS and the confirmations (one grace period after each revoke).
    const ours = new Set(phones);
    for (let reported = 0; ; ) {
      const sms = stack.sms.records.sms.filter((s) => ours.has(s.to)).length;
      // Listing the pending tasks costs this process CPU: only once every SMS is out.
      const due =
        sms < count
          ? Number.NaN
          : stack.tasks.tasks().filter((t) => t.scheduleTime < lastDeadline + dayMs).length;
      if (sms >= count && due === 0 && stack.tasks.inFlight === 0) break;
      if (performance.now() > settleBy) {
        problems.push(`not settled within the time-out: ${sms} of ${count} SMS sent, tasks still due`);
        break;
      }
      if (performance.now() - reported > 5_000) {
        reported = performance.now();
        say(`deadlines: ${sms}/${count} SMS${Number.isNaN(due) ? '' : `, ${due} tasks pending`}`);
      }
      await sleep(500);
    }
    const atEnd = sample();
    const rpcsAtEnd = stack.firestoreEmulator?.calls(stack.projectId) ?? {};
    const firestoreRpcsPerMessage: Record<string, number> = {};
    for (const [method, n] of Object.entries(rpcsAtEnd)) {
      const perMessage = round2((n - (rpcsAtDeadline[method] ?? 0)) / count);
      if (perMessage > 0) firestoreRpcsPerMessage[method] = perMessage;
    }
    const taskAttempts: Record<string, number> = {};
    for (const attempt of stack.tasks.history()) {
      if (attempt.dispatchTime < firstDeadline) continue;
      const target = attempt.queue.includes('fallback') ? 'fallback' : 'revoke';
      const outcome = attempt.outcome === 'http-error' ? `http-${attempt.status}` : attempt.outcome;
      taskAttempts[`${target} ${outcome}`] = (taskAttempts[`${target} ${outcome}`] ?? 0) + 1;
    }

    // What the product recorded, checked against what really happened.
    const docs = await readMessages(
      stack.db,
      messages.map((m) => m.messageId),
    );
    const smsByPhone = new Map<string, number[]>();
    for (const s of stack.sms.records.sms) {
      if (!ours.has(s.to)) continue;
      const times = smsByPhone.get(s.to) ?? [];
      times.push(s.acceptedAt);
      smsByPhone.set(s.to, times);
    }
    const byStatus: Record<string, number> = {};
    const revokeLateness: number[] = [];
    const smsLateness: number[] = [];
    let lost = 0;
    const revocationStates: Record<string, number> = {};
    const unconfirmedReasons: Record<string, number> = {};
    let redrives = 0;
    const deleteTimes: number[] = [];
    for (const m of messages) {
      const doc = docs.get(m.messageId);
      const status = String(doc?.status ?? 'missing');
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      redrives += Number(doc?.redrives ?? 0);
      const truth = truthOf(m.messageId);
      const firstDelete = truth?.revokeAttempts[0]?.at;
      if (firstDelete !== undefined) {
        revokeLateness.push(firstDelete - m.deadline);
        deleteTimes.push(firstDelete);
      }
      const sms = smsByPhone.get(m.phoneNumber) ?? [];
      if (sms[0] !== undefined) smsLateness.push(sms[0] - m.deadline);
      const revocation = doc?.revocation as { state?: string; reason?: string } | undefined;
      const state = revocation?.state ?? 'none';
      revocationStates[state] = (revocationStates[state] ?? 0) + 1;
      if (state !== 'confirmed') {
        const reason = `${state}: ${revocation?.reason ?? 'no reason recorded'}`;
        unconfirmedReasons[reason] = (unconfirmedReasons[reason] ?? 0) + 1;
      }
      // Lost: not terminal and consistent with the ground truth (local/stack/consistency.ts), not
      // revoked at the platform, or not exactly one SMS.
      const belief = {
        status,
        ...(doc?.deliveredAt === undefined ? {} : { deliveredAt: doc.deliveredAt }),
        ...(doc?.dueAt === undefined ? {} : { dueAt: doc.dueAt }),
      };
      const ended =
        doc !== undefined &&
        inconsistencies(belief, truth, sms.length).length === 0 &&
        status === 'sms_sent' &&
        truth?.status === 'revoked' &&
        truth.neverDelivered &&
        sms.length === 1;
      if (!ended) lost += 1;
    }
    const phonesWithTwoSms = [...smsByPhone.values()].filter((times) => times.length > 1).length;
    const smsSent = [...smsByPhone.values()].reduce((n, times) => n + times.length, 0);
    if (lost > 0)
      problems.push(`${lost} messages not ended consistent with the ground truth: revoked, and one SMS`);
    if (phonesWithTwoSms > 0) problems.push(`${phonesWithTwoSms} phones got two SMS or more`);
    deleteTimes.sort((a, b) => a - b);
    const burstSeconds =
      deleteTimes.length > 1 ? (deleteTimes.at(-1)! - deleteTimes[0]!) / timeScale / 1000 : 0;
    // The phase runs from the first deadline to the last DELETE; CPU is sampled at both ends.
    const burstPhaseSeconds = (afterBurst.at - atDeadline.at) / 1000;
    const afterDeadlineSeconds = (atEnd.at - atDeadline.at) / 1000;

    const peak = peakRss(pids);
    const processes: Record<string, ProcessFigures> = {};
    for (const [name, pid] of Object.entries(pids)) {
      const delta = (a: typeof atEnd, b: typeof atEnd) => {
        const [x, y] = [a.cpu[name], b.cpu[name]];
        return x === undefined || y === undefined ? null : round2(y - x);
      };
      const burst = delta(atDeadline, afterBurst);
      processes[name] = {
        pid,
        peakRssMiB: peak[name] ?? null,
        cpuSeconds: { send: delta(beforeSend, afterSend), burst, afterDeadline: delta(atDeadline, atEnd) },
        burstCoreShare: burst === null || burstPhaseSeconds <= 0 ? null : round2(burst / burstPhaseSeconds),
      };
    }
    const busy = (a: typeof atEnd, b: typeof atEnd, seconds: number) => {
      if (a.machine === undefined || b.machine === undefined || seconds <= 0)
        return { all: null, other: null };
      const all = b.machine - a.machine;
      const ours = Object.keys(pids).reduce((n, name) => n + ((b.cpu[name] ?? 0) - (a.cpu[name] ?? 0)), 0);
      const cores = os.availableParallelism() * seconds;
      return { all: round2(all / cores), other: round2(Math.max(0, all - ours) / cores) };
    };
    const burstBusy = busy(atDeadline, afterBurst, burstPhaseSeconds);
    const tailBusy = busy(atDeadline, atEnd, afterDeadlineSeconds);
    if ((burstBusy.other ?? 0) > 0.1)
      warnings.push(
        `other processes kept ${Math.round((burstBusy.other ?? 0) * 100)}% of the machine busy during the burst: its figures are not clean`,
      );

    return {
      options: {
        messages: count,
        windowMs,
        timeScale,
        policy: 'otp',
        queueShards,
        functionInstances: { ...instances },
        queueRateLimits,
        sendConcurrency,
        sendBatch,
      },
      machine: {
        nproc: os.availableParallelism(),
        cpu: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadAverageAtStart,
      },
      send: {
        pilotMessages: pilotCount,
        pilotPerSecond: Math.round(pilotPerSecond),
        seconds: round2(sendSeconds),
        perSecond: Math.round(count / sendSeconds),
        answered201: answers.filter((status) => status === 201).length,
        otherAnswers,
        slackBeforeFirstDeadlineSeconds: round2(slack),
      },
      revokeLatenessMs: percentiles(revokeLateness),
      revokeLatenessRealMs: percentiles(revokeLateness.map((ms) => ms / timeScale)),
      smsLatenessMs: percentiles(smsLateness),
      smsLatenessRealMs: percentiles(smsLateness.map((ms) => ms / timeScale)),
      burst: {
        deletes: deleteTimes.length,
        seconds: round2(burstSeconds),
        deletesPerSecond: burstSeconds > 0 ? Math.round(deleteTimes.length / burstSeconds) : 0,
      },
      smsSent,
      phonesWithTwoSms,
      lost,
      byStatus,
      revocationStates,
      unconfirmedReasons,
      redrives,
      firestoreRpcsPerMessage,
      taskAttempts,
      processes,
      machineBusy: {
        burst: burstBusy.all,
        afterDeadline: tailBusy.all,
        otherProcessesBurst: burstBusy.other,
        otherProcessesAfterDeadline: tailBusy.other,
      },
      wallSeconds: Math.round((Date.now() - started) / 1000),
      problems,
      warnings,
    };
  } finally {
    await stack.stop();
  }
}

interface SendItem {
  messageId: string;
  phoneNumber: string;
  deadline?: string;
  revokeAfter?: string;
}

/** POST /messages for each, `concurrency` at a time; a 5xx, 429 or no answer is tried again (same body). */
/**
 * Sends every item through the messages API, `concurrency` requests at a time: one POST
 * /messages each, or POST /messages:batch of `batch` items. A 5xx, 429 or no answer is tried
 * again with the same body (the API answers 200 for a repeat).
 */
async function sendAll(
  stack: Stack,
  items: SendItem[],
  pool: { concurrency: number; batch: number },
  onAnswered: () => void = () => {},
): Promise<Array<number | undefined>> {
  const url = stack.functions.urls.messages;
  if (pool.batch <= 0) {
    return mapLimit(items, pool.concurrency, async (item) => {
      const status = await sendOne(url, item);
      onAnswered();
      return status;
    });
  }
  const chunks: SendItem[][] = [];
  for (let i = 0; i < items.length; i += pool.batch) chunks.push(items.slice(i, i + pool.batch));
  const answers = await mapLimit(chunks, pool.concurrency, async (chunk) => {
    let statuses: Array<number | undefined> = chunk.map(() => undefined);
    try {
      const response = await fetch(`${url}:batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: chunk.map(requestOf) }),
      });
      const body = (await response.json()) as { results?: Array<{ index: number; status: number }> };
      for (const result of body.results ?? []) statuses[result.index] = result.status;
    } catch {
      statuses = chunk.map(() => undefined);
    }
    // What the batch could not do now goes again, one by one.
    return Promise.all(
      chunk.map(async (item, i) => {
        const first = statuses[i];
        const status =
          first === undefined || first >= 500 || first === 429 ? await sendOne(url, item) : first;
        onAnswered();
        return status;
      }),
    );
  });
  return answers.flat();
}

function requestOf(item: SendItem) {
  return {
    ...item,
    content: { contentMessage: { text: otpText } },
    policy: 'otp',
    sms: { text: otpText },
    labels: { kind: 'otp', campaign: 'deadline-burst' },
  };
}

function sendOne(url: string, item: SendItem): Promise<number | undefined> {
  return postWithRetries(url, JSON.stringify(requestOf(item)), 5, (attempt) => 200 * attempt);
}

/** The message documents, 300 ids per read. */
async function readMessages(db: Firestore, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  const docs = new Map<string, Record<string, unknown>>();
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 300) chunks.push(ids.slice(i, i + 300));
  await mapLimit(chunks, 4, async (chunk) => {
    const snapshots = await db.getAll(...chunk.map((id) => db.collection('messages').doc(id)));
    for (const snapshot of snapshots) {
      const data = snapshot.data();
      if (data) docs.set(snapshot.id, data);
    }
  });
  return docs;
}

/** Each function instance's process id (`revoke#0`), and this process's (`stack`: emulators, sandboxes, the sender). */
function processIds(stack: Stack): Record<string, number> {
  const pids: Record<string, number> = { stack: process.pid };
  for (const name of functionNames) {
    for (let instance = 0; instance < stack.processes!.instances[name]; instance++) {
      const pid = stack.processes!.pid(name, instance);
      if (pid !== undefined) pids[`${name}#${instance}`] = pid;
    }
  }
  return pids;
}

/** VmHWM of each process, MiB (Linux; elsewhere none). */
function peakRss(pids: Record<string, number>): Record<string, number> {
  const peaks: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    try {
      const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peaks[name] = Math.round(Number(match[1]) / 1024);
    } catch {
      // not Linux, or the process is gone
    }
  }
  return peaks;
}

/** Nearest rank, as the report computes its percentiles: always an observed value. */
export function percentiles(values: number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) =>
    sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!) : null;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

import type { BilledFunction, CountedUnits } from './cost-count.ts';

/*
 * Money, from counted units: what one message costs per lifecycle path, times
 * a million, at Google's list prices; and the same for a naive design built
 * from the same measured primitives (docs/BENCHMARKS.md, "Cost per 1,000,000
 * messages"). Pure arithmetic, no I/O: test/unit/cost-model.test.ts checks it.
 */

export interface ListPrices {
  /** When the prices were read from the pages below. */
  readOn: string;
  firestore: {
    edition: string;
    location: string;
    /** USD per million documents. */
    readPerMillion: number;
    writePerMillion: number;
    deletePerMillion: number;
    url: string;
    freeTier: string;
  };
  tasks: { perMillionOperations: number; url: string; freeTier: string };
  run: {
    billing: string;
    tier: string;
    vcpuSecond: number;
    gibSecond: number;
    perMillionRequests: number;
    url: string;
    freeTier: string;
  };
}

export const listPrices: ListPrices = {
  readOn: '2026-12-03',
  firestore: {
    edition: 'Standard',
    location: 'us-central1 (regional)',
    readPerMillion: 0.3,
    writePerMillion: 0.9,
    deletePerMillion: 0.1,
    url: 'https://firebase.google.com/docs/firestore/standard-edition',
    freeTier:
      '50,000 reads, 20,000 writes, 20,000 deletes a day, (default) database only; TTL deletes have no free usage (https://cloud.google.com/firestore/pricing)',
  },
  tasks: {
    perMillionOperations: 0.4,
    url: 'https://cloud.google.com/tasks/pricing',
    freeTier: 'first 1 million billable operations a month',
  },
  run: {
    billing: 'request-based (CPU only allocated during request processing)',
    tier: 'Tier 1 regions',
    vcpuSecond: 0.000024,
    gibSecond: 0.0000025,
    perMillionRequests: 0.4,
    url: 'https://cloud.google.com/run/pricing',
    freeTier: '180,000 vCPU-seconds, 360,000 GiB-seconds and 2 million requests a month, per billing account',
  },
};

/** What one message costs in billable units. */
export interface UnitsPerMessage {
  reads: number;
  writes: number;
  deletes: number;
  taskOperations: number;
  requests: number;
  vcpuSeconds: number;
  gibSeconds: number;
}

/**
 * Per message, from the counts of `units.messages` messages and the CPU the
 * functions spent on them (CPU-seconds per function, for the same messages).
 * vCPU-seconds are the CPU measured: an instance kept busy bills about the CPU
 * it uses; GiB-seconds follow from the memory allocated per vCPU
 * (terraform/main.tf: 512Mi with 1 vCPU = 0.5 GiB per vCPU-second).
 */
export function perMessage(
  units: CountedUnits,
  cpuSeconds: Partial<Record<BilledFunction, number>>,
  gibPerVcpu: number,
): UnitsPerMessage {
  const n = units.messages;
  if (!(n > 0)) throw new RangeError(`units must cover at least one message, got ${n}`);
  const cpu = Object.values(cpuSeconds).reduce((a, b) => a + (b ?? 0), 0);
  const requests = Object.values(units.requests).reduce((a, b) => a + b, 0);
  return {
    reads: units.firestore.reads / n,
    writes: units.firestore.writes / n,
    deletes: units.firestore.ttlDeletes / n,
    taskOperations: (units.tasks.created + units.tasks.deleted + units.tasks.attempts) / n,
    requests: requests / n,
    vcpuSeconds: cpu / n,
    gibSeconds: (cpu / n) * gibPerVcpu,
  };
}

export interface Cost {
  firestore: number;
  tasks: number;
  run: number;
  total: number;
}

/** USD for `count` messages (default one million) at `prices`, no free tier. */
export function costOf(u: UnitsPerMessage, prices: ListPrices = listPrices, count = 1_000_000): Cost {
  const m = count / 1_000_000;
  const firestore =
    m *
    (u.reads * prices.firestore.readPerMillion +
      u.writes * prices.firestore.writePerMillion +
      u.deletes * prices.firestore.deletePerMillion);
  const tasks = m * u.taskOperations * prices.tasks.perMillionOperations;
  const run =
    m * u.requests * prices.run.perMillionRequests +
    count * (u.vcpuSeconds * prices.run.vcpuSecond + u.gibSeconds * prices.run.gibSecond);
  return { firestore, tasks, run, total: firestore + tasks + run };
}

/** What one revoke task costs when it runs for a message already delivered (measured). */
export interface RevokeSkip {
  reads: number;
  writes: number;
  deletes: number;
  vcpuSeconds: number;
}

export interface NaiveAssumptions {
  /** How often the naive sweep polls every open message (ms); the real sweep's schedule is the same. */
  sweepEveryMs: number;
  gibPerVcpu: number;
}

/**
 * The naive design, built from the same counted units and measured primitives:
 *  - a transaction per webhook event, even for duplicates and unknown messages:
 *    what this design does too for a payload of one event (a read of the message
 *    and the event id, a commit), so no difference for these paths, where every
 *    payload carries one event; a batched payload of N receipts costs the same
 *    documents either way (Firestore bills documents, not round trips);
 *  - no task cancellation: each revoke task this design deletes on DELIVERED
 *    (`units.tasks.deleted`) is dispatched instead: its DeleteTask call becomes
 *    a push delivery attempt (the same one billable operation), plus one
 *    request to the revoke function and what that function spends to find the
 *    message delivered (`skip`, measured); the webhook's CPU for the cancel
 *    call is left in, which flatters the naive design slightly;
 *  - a polling sweep: every `sweepEveryMs`, a query returning every open
 *    message instead of the indexed `dueAt` query that returns only overdue
 *    ones. Each open message is read once per run while it stands open, so
 *    `openMs / sweepEveryMs` reads per message. The run's own minimum of one
 *    read and its request are the same in both designs (a fixed cost per
 *    minute, not per message) and are left out of both.
 */
export function naivePerMessage(
  ours: UnitsPerMessage,
  units: CountedUnits,
  skip: RevokeSkip,
  assumptions: NaiveAssumptions,
): UnitsPerMessage {
  const n = units.messages;
  const dispatchedInstead = units.tasks.deleted / n;
  const pollReads = units.openMs / n / assumptions.sweepEveryMs;
  const vcpuSeconds = ours.vcpuSeconds + dispatchedInstead * skip.vcpuSeconds;
  return {
    reads: ours.reads + dispatchedInstead * skip.reads + pollReads,
    writes: ours.writes + dispatchedInstead * skip.writes,
    deletes: ours.deletes + dispatchedInstead * skip.deletes,
    taskOperations: ours.taskOperations,
    requests: ours.requests + dispatchedInstead,
    vcpuSeconds,
    gibSeconds: vcpuSeconds * assumptions.gibPerVcpu,
  };
}

/** The sweep's fixed cost for a month of runs every `everyMs`, from one run's measured units. */
export function sweepPerMonth(
  run: { reads: number; vcpuSeconds: number },
  everyMs: number,
  gibPerVcpu: number,
  prices: ListPrices = listPrices,
): { runs: number; cost: Cost } {
  const runs = Math.round((30 * 24 * 3_600_000) / everyMs);
  const units: UnitsPerMessage = {
    reads: run.reads,
    writes: 0,
    deletes: 0,
    taskOperations: 0,
    requests: 1,
    vcpuSeconds: run.vcpuSeconds,
    gibSeconds: run.vcpuSeconds * gibPerVcpu,
  };
  return { runs, cost: costOf(units, prices, runs) };
}

/**
 * Cloud Run's other bound. Request-based billing charges an instance's time
 * while it handles at least one request, rounded up to 100 ms
 * (https://cloud.google.com/run/pricing). `costOf` bills the CPU a request
 * uses, which is what a busy instance (many concurrent requests) comes to;
 * at low volume each request has an instance to itself and bills at least
 * 100 ms of 1 vCPU and its memory, waits included. USD per `count` messages.
 */
export function runAloneCost(
  requestsPerMessage: number,
  gibPerVcpu: number,
  prices: ListPrices = listPrices,
  count = 1_000_000,
): number {
  const seconds = 0.1;
  return (
    count *
    requestsPerMessage *
    (prices.run.perMillionRequests / 1_000_000 +
      seconds * (prices.run.vcpuSecond + gibPerVcpu * prices.run.gibSecond))
  );
}

import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseCommandLine, usageError } from '../common/cli.ts';
import { SystemClock } from '../common/clock.ts';
import type { PhoneRules } from '../rbm-sandbox/index.ts';
import type { FunctionName } from '../stack/functions-server.ts';
import { type Stack, startStack } from '../stack/start.ts';
import { type BilledFunction, type CountedUnits, countUnits, firestoreDocuments } from './cost-count.ts';
import {
  type Cost,
  costOf,
  listPrices,
  naivePerMessage,
  perMessage,
  type RevokeSkip,
  runAloneCost,
  sweepPerMonth,
  type UnitsPerMessage,
} from './cost-model.ts';
import { cpuSeconds, machineBusySeconds } from './cpu.ts';

/*
 * Cost per 1,000,000 messages for each lifecycle path, from counted units and
 * measured CPU, beside a naive design computed from the same primitives
 * (issue 11, "Money"; results in docs/BENCHMARKS.md):
 *
 *   npm run bench:cost -- [--messages 20] [--warmup 3] [--time-scale 20] [--json]
 *
 * The whole local stack with each function in its own process, as Cloud Run
 * runs it (local/stack, process mode), on a clock running --time-scale times
 * faster; the sweep is off (its cost is per minute: measured apart). For each
 * path, N one-time passwords (10-minute deadline) to N numbers set up for that
 * path; once every task of theirs has finished, the units they cost are
 * counted (local/bench/cost-count.ts) and the CPU each function process used
 * meanwhile is read from /proc, less what the process uses idle. Then two
 * primitives: a revoke task delivered for a message already delivered (what
 * not cancelling costs) and a sweep run with nothing overdue. A warm-up round
 * of every path and of the sweep runs first and is not counted. CPU time comes
 * in ticks of 10 ms: use enough messages that a path spends many ticks.
 */

process.env.METADATA_SERVER_DETECTION = 'none';

const program = 'bench:cost';
const usage = `Usage: npm run bench:cost -- [options]
       node local/bench/cost.ts [options]

Cost per 1,000,000 messages per lifecycle path, ours and a naive design's (docs/BENCHMARKS.md).

Options:
  --messages N     messages per path (default 20)
  --warmup N       messages per path in the uncounted warm-up round (default 3; 0: none)
  --time-scale X   how much faster than real time the stack's clock runs (default 20: the OTP's
                   30 s grace period is 1.5 s real, room enough on a busy machine)
  --json           print only the JSON object (by default: the tables, then the same as one JSON line)
  -h, --help       show this help
`;

const { values } = parseCommandLine(program, usage, {
  options: {
    messages: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    'time-scale': { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
});

function integer(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    usageError(program, `--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}
const messagesPerPath = integer('messages', values.messages, 1);
const warmupPerPath = integer('warmup', values.warmup, 0);
const timeScale = Number(values['time-scale']);
if (!(timeScale >= 1 && timeScale <= 600))
  usageError(program, `--time-scale must be from 1 to 600, got "${values['time-scale']}"`);

if (cpuSeconds(process.pid) === undefined) usageError(program, 'needs Linux /proc to read CPU time');

// --- the paths ------------------------------------------------------------------------

const offlineAllDay = [{ forMs: 24 * 3_600_000 }];
interface PathSpec {
  key: string;
  label: string;
  phone: PhoneRules;
}
const paths: PathSpec[] = [
  { key: 'delivered', label: 'OTP delivered', phone: { rcs: true, offline: [], neverReads: true } },
  {
    key: 'revokedSms',
    label: 'OTP revoked, SMS',
    phone: { rcs: true, offline: offlineAllDay, neverReads: true },
  },
  {
    key: 'lostRace',
    label: 'OTP lost race (404, then DELIVERED)',
    phone: {
      rcs: true,
      offline: offlineAllDay,
      neverReads: true,
      racesRevoke: { answer: 404, deliveredAfterMs: 1_000, times: 1 },
    },
  },
  { key: 'notRcs', label: 'not RCS-capable: SMS', phone: { rcs: false } },
];

const billed: BilledFunction[] = ['messages', 'webhook', 'revoke', 'fallback', 'sweep'];
// Terraform's defaults for every function (terraform/main.tf, function_defaults): 512Mi, 1 vCPU.
const gibPerVcpu = 0.5;
const sweepEveryMs = 60_000;

let phoneSeq = 0;
function nextPhone(): string {
  phoneSeq += 1;
  return `+1415${String(5_000_000 + phoneSeq).padStart(7, '0')}`;
}

function otp(phoneNumber: string) {
  return {
    messageId: randomUUID(),
    phoneNumber,
    content: { contentMessage: { text: 'Your code is 482913' } },
    revokeAfter: '10m',
    policy: 'otp',
    sms: { text: 'Your code is 482913' },
    labels: { kind: 'otp' },
  };
}

// --- measuring ----------------------------------------------------------------------------

type CpuByFunction = Record<BilledFunction, number>;

function cpuNow(stack: Stack): CpuByFunction {
  const out = {} as CpuByFunction;
  for (const name of billed) out[name] = cpuSeconds(stack.processes!.pid(name as FunctionName)) ?? Number.NaN;
  return out;
}

function minus(a: CpuByFunction, b: CpuByFunction): CpuByFunction {
  return Object.fromEntries(billed.map((n) => [n, a[n] - b[n]])) as CpuByFunction;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every message has a task and none of its tasks is pending, then for quiet. */
async function untilFinished(stack: Stack, ids: string[], timeoutMs: number): Promise<void> {
  const prefixes = ids.map((id) => `/tasks/${createHash('sha256').update(id).digest('hex').slice(0, 32)}-`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await stack.settle();
    const pending = stack.tasks.tasks().filter((t) => prefixes.some((p) => t.name.includes(p)));
    const finished = stack.tasks.finished();
    const allHaveTasks = prefixes.every((p) => finished.some((t) => t.name.includes(p)));
    if (pending.length === 0 && allHaveTasks) {
      await sleep(200);
      await stack.settle();
      return;
    }
    if (Date.now() > deadline) {
      const without = ids.filter((_, i) => !finished.some((t) => t.name.includes(prefixes[i]!)));
      const states = await Promise.all(
        without.slice(0, 5).map(async (id) => {
          const doc = await stack.db.collection('messages').doc(id).get();
          return `${id}: ${doc.exists ? `status ${doc.get('status')}, send ${doc.get('send.state')}` : 'no document'}`;
        }),
      );
      const complaints = (stack.processes?.output ?? []).filter((l) =>
        /"severity":"(WARNING|ERROR)"/.test(l),
      );
      throw new Error(
        `after ${timeoutMs} ms: ${pending.length} tasks pending, ${without.length} messages with no finished task\n` +
          `${states.join('\n')}\n${complaints.slice(-5).join('\n')}`,
      );
    }
    await sleep(100);
  }
}

interface Measured {
  units: CountedUnits;
  /** CPU-seconds per function process for the whole set, idle use subtracted. */
  cpu: CpuByFunction;
  wallSeconds: number;
  /** CPU-seconds other processes on the machine used meanwhile (neither this process nor the functions). */
  otherCpu: number | undefined;
}

interface Baseline {
  /** Idle CPU-seconds per second of each function process. */
  idle: CpuByFunction;
}

async function measure(
  stack: Stack,
  baseline: Baseline,
  run: () => Promise<Array<{ messageId: string; phoneNumber: string }>>,
): Promise<Measured> {
  const emulator = stack.firestoreEmulator!;
  emulator.resetCalls(stack.projectId);
  const cpu0 = cpuNow(stack);
  const self0 = cpuSeconds(process.pid)!;
  const machine0 = machineBusySeconds();
  const t0 = performance.now();
  const sent = await run();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuNow(stack);
  const self1 = cpuSeconds(process.pid)!;
  const machine1 = machineBusySeconds();
  const calls = emulator.calls(stack.projectId);
  const units = await countUnits(stack, calls, sent);
  const used = minus(cpu1, cpu0);
  const cpu = Object.fromEntries(
    billed.map((n) => [n, Math.max(0, used[n] - baseline.idle[n] * wallSeconds)]),
  ) as CpuByFunction;
  const functionsTotal = billed.reduce((s, n) => s + used[n], 0);
  const otherCpu =
    machine0 === undefined || machine1 === undefined
      ? undefined
      : Math.max(0, machine1 - machine0 - functionsTotal - (self1 - self0));
  return { units, cpu, wallSeconds, otherCpu };
}

async function sendAll(stack: Stack, spec: PathSpec, count: number) {
  const sent: Array<{ messageId: string; phoneNumber: string }> = [];
  for (let i = 0; i < count; i++) {
    const phone = nextPhone();
    stack.rbm.setPhone(phone, spec.phone);
    sent.push(otp(phone));
  }
  // Five at a time: the business's backend sending, not a load test.
  for (let i = 0; i < sent.length; i += 5) {
    await Promise.all(
      sent.slice(i, i + 5).map(async (request) => {
        const response = await fetch(stack.functions.urls.messages, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request),
        });
        // 201 created; 200 is the API's answer to a repeat of the same request (counted once).
        if (response.status !== 201 && response.status !== 200)
          throw new Error(`send answered ${response.status}: ${await response.text()}`);
      }),
    );
  }
  // The deadline (10 clock minutes) and the grace period (30 s), in real time, with room.
  await untilFinished(
    stack,
    sent.map((m) => m.messageId),
    ((10 * 60_000 + 60_000) / timeScale) * 3 + 30_000,
  );
  return sent;
}

// --- the run ----------------------------------------------------------------------------------

const stack = await startStack({
  clock: new SystemClock({ scale: timeScale }),
  functions: 'processes',
  sweepEveryMs: null,
  logLevel: 'warn',
  // As production logs (terraform/variables.tf, log_level): the functions' CPU includes it.
  functionsLogLevel: 'info',
  projectId: 'bench-cost',
});
const stopAndExit = async (code: number) => {
  await stack.stop();
  process.exit(code);
};
process.once('SIGINT', () => void stopAndExit(130));

try {
  // Warm-up: every path once, so the measured rounds do not include first-request work.
  if (warmupPerPath > 0) {
    await Promise.all(paths.map((spec) => sendAll(stack, spec, warmupPerPath)));
    for (let i = 0; i < warmupPerPath; i++)
      await (await fetch(stack.functions.urls.sweep, { method: 'POST' })).json();
  }

  // Until the warm-up's last effects have landed (a webhook event posted after its tasks
  // finished): 2 s in a row with no Firestore call, at most 60 s.
  for (let waited = 0; waited < 60_000; waited += 2_000) {
    stack.firestoreEmulator!.resetCalls(stack.projectId);
    await sleep(2_000);
    await stack.settle();
    if (Object.keys(stack.firestoreEmulator!.calls(stack.projectId)).length === 0) break;
  }

  // Idle use of each function process (timers, the scaled clock), over 3 s.
  const idle0 = cpuNow(stack);
  const tIdle = performance.now();
  await sleep(3_000);
  const idleSeconds = (performance.now() - tIdle) / 1000;
  const idle = Object.fromEntries(
    billed.map((n) => [n, (cpuNow(stack)[n] - idle0[n]) / idleSeconds]),
  ) as CpuByFunction;
  const baseline = { idle };

  const results: Record<string, Measured> = {};
  const deliveredIds: string[] = [];
  for (const spec of paths) {
    results[spec.key] = await measure(stack, baseline, async () => {
      const sent = await sendAll(stack, spec, messagesPerPath);
      if (spec.key === 'delivered') deliveredIds.push(...sent.map((m) => m.messageId));
      return sent;
    });
  }

  // Primitive 1: a revoke task delivered for a message already delivered (the naive design's
  // undeleted task), N times, one after the other.
  const skipMeasured = await measure(stack, baseline, async () => {
    for (const messageId of deliveredIds) {
      const response = await fetch(stack.functions.urls.revoke, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ step: 'revoke', messageId, sequence: 0 }),
      });
      if (response.status !== 200) throw new Error(`revoke skip answered ${response.status}`);
    }
    return [];
  });
  const skipCalls = firestoreDocuments(skipMeasured.units.firestore.rpcs);
  const n = deliveredIds.length;
  const skip: RevokeSkip = {
    reads: skipCalls.reads / n,
    writes: skipCalls.writes / n,
    // Each skip adds one timeline entry (REVOKE_SKIPPED), which carries expireAt.
    deletes: skipCalls.writes / n,
    vcpuSeconds: skipMeasured.cpu.revoke / n,
  };

  // Primitive 2: a sweep run with nothing overdue, N times.
  const sweepMeasured = await measure(stack, baseline, async () => {
    for (let i = 0; i < messagesPerPath; i++) {
      const response = await fetch(stack.functions.urls.sweep, { method: 'POST' });
      if (response.status !== 200) throw new Error(`sweep answered ${response.status}`);
      await response.json();
    }
    return [];
  });
  const sweepCalls = firestoreDocuments(sweepMeasured.units.firestore.rpcs);
  const sweepRun = {
    reads: sweepCalls.reads / messagesPerPath,
    vcpuSeconds: sweepMeasured.cpu.sweep / messagesPerPath,
  };

  // --- the model --------------------------------------------------------------------------------
  const rows = paths.map((spec) => {
    const m = results[spec.key]!;
    const ours = perMessage(m.units, m.cpu, gibPerVcpu);
    const naive = naivePerMessage(ours, m.units, skip, { sweepEveryMs, gibPerVcpu });
    const oursCost = costOf(ours);
    const naiveCost = costOf(naive);
    return {
      path: spec.key,
      label: spec.label,
      messages: m.units.messages,
      counted: m.units,
      cpuMsPerMessage: Object.fromEntries(billed.map((f) => [f, (m.cpu[f] / m.units.messages) * 1000])),
      wallSeconds: m.wallSeconds,
      otherCpuSeconds: m.otherCpu,
      ours,
      naive,
      costPerMillion: { ours: oursCost, naive: naiveCost, naiveOverOurs: naiveCost.total / oursCost.total },
      // Cloud Run if every request had an instance to itself (low volume): 100 ms minimum each.
      runAlonePerMillion: {
        ours: runAloneCost(ours.requests, gibPerVcpu),
        naive: runAloneCost(naive.requests, gibPerVcpu),
      },
      apart: {
        rbmCallsPerMessage: (m.units.rbm.send + m.units.rbm.revoke) / m.units.messages,
        smsPerMessage: m.units.sms / m.units.messages,
      },
    };
  });
  const sweep = sweepPerMonth(sweepRun, sweepEveryMs, gibPerVcpu);
  const report = {
    prices: listPrices,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
    },
    settings: { messagesPerPath, warmupPerPath, timeScale, gibPerVcpu, sweepEveryMs },
    idleCpuPerSecond: idle,
    paths: rows,
    primitives: {
      revokeSkip: { ...skip, cpuMs: skip.vcpuSeconds * 1000, measuredOver: n },
      sweepRunNothingDue: { ...sweepRun, cpuMs: sweepRun.vcpuSeconds * 1000, measuredOver: messagesPerPath },
    },
    sweepPerMonth: sweep,
  };

  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    printTables(report.paths, sweep, skip, sweepRun);
    // And the same figures as one JSON line, for the record.
    process.stdout.write(`\n${JSON.stringify(report)}\n`);
  }
  await stopAndExit(0);
} catch (error) {
  process.stderr.write(
    `${program}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  await stopAndExit(1);
}

function printTables(
  rows: Array<{
    label: string;
    messages: number;
    ours: UnitsPerMessage;
    naive: UnitsPerMessage;
    cpuMsPerMessage: Record<string, number>;
    costPerMillion: { ours: Cost; naive: Cost; naiveOverOurs: number };
    runAlonePerMillion: { ours: number; naive: number };
    apart: { rbmCallsPerMessage: number; smsPerMessage: number };
    otherCpuSeconds: number | undefined;
  }>,
  sweep: { runs: number; cost: Cost },
  skip: RevokeSkip,
  sweepRun: { reads: number; vcpuSeconds: number },
) {
  const usd = (x: number) => `$${x.toFixed(2)}`;
  const f = (x: number, d = 2) => x.toFixed(d);
  const lines: string[] = [];
  lines.push(
    `Prices read ${listPrices.readOn}: Firestore ${listPrices.firestore.edition} ${listPrices.firestore.location}, Cloud Tasks, Cloud Run ${listPrices.run.tier} ${listPrices.run.billing}; no free tier.`,
    '',
    'Units per message (ours | naive):',
    '| path | messages | doc reads | doc writes | TTL deletes | task ops | requests | CPU ms (messages/webhook/revoke/fallback) | other CPU s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  );
  for (const r of rows) {
    const c = r.cpuMsPerMessage;
    lines.push(
      `| ${r.label} | ${r.messages} | ${f(r.ours.reads)} / ${f(r.naive.reads)} | ${f(r.ours.writes)} / ${f(r.naive.writes)} | ${f(r.ours.deletes)} / ${f(r.naive.deletes)} | ${f(r.ours.taskOperations)} / ${f(r.naive.taskOperations)} | ${f(r.ours.requests)} / ${f(r.naive.requests)} | ${f(c.messages!)} / ${f(c.webhook!)} / ${f(c.revoke!)} / ${f(c.fallback!)} | ${r.otherCpuSeconds === undefined ? '-' : f(r.otherCpuSeconds, 1)} |`,
    );
  }
  lines.push(
    '',
    'USD per 1,000,000 messages (Firestore + Cloud Tasks + Cloud Run = total):',
    '| path | ours | naive | naive / ours | Cloud Run if each request ran alone (ours / naive) | RBM calls, SMS per message (not priced) |',
    '| --- | --- | --- | ---: | --- | --- |',
  );
  for (const r of rows) {
    const o = r.costPerMillion.ours;
    const nv = r.costPerMillion.naive;
    lines.push(
      `| ${r.label} | ${usd(o.firestore)} + ${usd(o.tasks)} + ${usd(o.run)} = ${usd(o.total)} | ${usd(nv.firestore)} + ${usd(nv.tasks)} + ${usd(nv.run)} = ${usd(nv.total)} | ${f(r.costPerMillion.naiveOverOurs)} | ${usd(r.runAlonePerMillion.ours)} / ${usd(r.runAlonePerMillion.naive)} | ${f(r.apart.rbmCallsPerMessage)}, ${f(r.apart.smsPerMessage)} |`,
    );
  }
  lines.push(
    '',
    `Revoke task for a delivered message (naive, instead of a cancel): ${f(skip.reads)} reads, ${f(skip.writes)} writes, ${f(skip.vcpuSeconds * 1000)} CPU ms.`,
    `Sweep run with nothing overdue: ${f(sweepRun.reads)} reads, ${f(sweepRun.vcpuSeconds * 1000)} CPU ms; ${sweep.runs} runs a month = ${usd(sweep.cost.total)} (both designs).`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

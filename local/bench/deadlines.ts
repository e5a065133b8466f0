import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCommandLine, usageError } from '../common/cli.ts';
import type { InstanceCounts } from '../stack/function-processes.ts';
import { type FunctionName, functionNames } from '../stack/functions-server.ts';
import { terraformQueueRateLimits } from '../stack/start.ts';
import { type DeadlineBenchReport, runDeadlineBench } from './deadlines-run.ts';

/*
 * `npm run bench:deadlines`: N deadlines in the same few seconds on the local
 * stack in process mode (local/bench/deadlines-run.ts; figures in
 * docs/BENCHMARKS.md). Prints progress on stderr, a table and then one JSON
 * line on stdout; exits 1 if a message was lost or re-sent twice, a send refused, or the run did not settle.
 */

// No Google account here: keep the clients from probing the metadata server.
process.env.METADATA_SERVER_DETECTION ??= 'none';

const program = 'bench:deadlines';
const t = terraformQueueRateLimits;
const usage = `Usage: npm run bench:deadlines -- [options]

N messages to offline phones, their deadlines in the same few seconds: revoke
lateness, DELETEs/s, memory and CPU per process (docs/BENCHMARKS.md).

Options:
  --messages N              messages (default 10000)
  --window S                clock seconds the deadlines are spread over (default 5)
  --time-scale X            clock speed vs real time (default 1)
  --shards N                queues per kind of task, QUEUE_SHARDS (default 1)
  --instances LIST          instances per function, e.g. revoke=2,fallback=2 (default 1 each)
  --revoke-rate R           revoke dispatches/s, total over the shards (default ${t.revoke.maxDispatchesPerSecond}, Terraform's)
  --revoke-concurrency C    revoke concurrent dispatches, total (default ${t.revoke.maxConcurrentDispatches})
  --fallback-rate R         fallback dispatches/s, total (default ${t.fallback.maxDispatchesPerSecond})
  --fallback-concurrency C  fallback concurrent dispatches, total (default ${t.fallback.maxConcurrentDispatches})
  --send-concurrency N      send requests in flight at once (default 32)
  --send-batch N            messages per POST /messages:batch, 1 to 500 (default: one POST /messages each)
  --lead S                  real seconds from the pilot to the first deadline (default: from the pilot's rate)
  --cpu-prof DIR            write a V8 CPU profile of each function process to DIR (node --cpu-prof)
  -h, --help                show this help
`;

const { values } = parseCommandLine(program, usage, {
  options: {
    messages: { type: 'string', default: '10000' },
    window: { type: 'string', default: '5' },
    'time-scale': { type: 'string', default: '1' },
    shards: { type: 'string', default: '1' },
    instances: { type: 'string' },
    'revoke-rate': { type: 'string', default: String(t.revoke.maxDispatchesPerSecond) },
    'revoke-concurrency': { type: 'string', default: String(t.revoke.maxConcurrentDispatches) },
    'fallback-rate': { type: 'string', default: String(t.fallback.maxDispatchesPerSecond) },
    'fallback-concurrency': { type: 'string', default: String(t.fallback.maxConcurrentDispatches) },
    'send-concurrency': { type: 'string', default: '32' },
    'send-batch': { type: 'string', default: '0' },
    lead: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});

function number(name: string, value: string, min: number, max: number, integer = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
    usageError(
      program,
      `--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${value}"`,
    );
  return n;
}

function instanceCounts(list: string | undefined): InstanceCounts {
  const counts: InstanceCounts = {};
  for (const item of (list ?? '').split(',').filter(Boolean)) {
    const [name, value] = item.split('=');
    if (!functionNames.includes(name as FunctionName) || value === undefined)
      usageError(
        program,
        `--instances takes name=N,... with names ${functionNames.join(', ')}, got "${item}"`,
      );
    counts[name as FunctionName] = number('instances', value, 1, 16, true);
  }
  return counts;
}

const options = {
  messages: number('messages', values.messages, 1, 50_000, true),
  windowMs: number('window', values.window, 0.1, 3_600) * 1000,
  timeScale: number('time-scale', values['time-scale'], 0.1, 100),
  queueShards: number('shards', values.shards, 1, 64, true),
  functionInstances: instanceCounts(values.instances),
  queueRateLimits: {
    revoke: {
      maxDispatchesPerSecond: number('revoke-rate', values['revoke-rate'], 0.1, 500 * 64),
      maxConcurrentDispatches: number('revoke-concurrency', values['revoke-concurrency'], 1, 5000 * 64, true),
    },
    fallback: {
      maxDispatchesPerSecond: number('fallback-rate', values['fallback-rate'], 0.1, 500 * 64),
      maxConcurrentDispatches: number(
        'fallback-concurrency',
        values['fallback-concurrency'],
        1,
        5000 * 64,
        true,
      ),
    },
  },
  sendConcurrency: number('send-concurrency', values['send-concurrency'], 1, 1_000, true),
  sendBatch: number('send-batch', values['send-batch'], 0, 500, true),
  ...(values.lead === undefined ? {} : { leadSeconds: number('lead', values.lead, 0, 3_600) }),
  progress: (line: string) => process.stderr.write(`${line}\n`),
};

if (values['cpu-prof'] !== undefined) {
  // The function processes inherit NODE_OPTIONS; each writes its profile when it exits.
  const dir = resolve(values['cpu-prof']);
  mkdirSync(dir, { recursive: true });
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${dir}`.trim();
}

const report = await runDeadlineBench(options);
printTable(report);
process.stdout.write(`${JSON.stringify(report)}\n`);
for (const warning of report.warnings) process.stderr.write(`${program}: warning: ${warning}\n`);
for (const problem of report.problems) process.stderr.write(`${program}: ${problem}\n`);
process.exit(report.problems.length === 0 ? 0 : 1);

function printTable(r: DeadlineBenchReport): void {
  const o = r.options;
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const ms = (n: number | null) => (n === null ? '-' : String(n));
  const instances = Object.entries(o.functionInstances)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  out(
    `${r.machine.nproc} CPUs (${r.machine.cpu}), Node ${r.machine.node}, load average ${r.machine.loadAverageAtStart.join(' ')} at start`,
  );
  out(
    `${o.messages} OTP messages, deadlines over ${o.windowMs / 1000} s, time x${o.timeScale}; ${o.queueShards} shard(s); ` +
      `revoke ${o.queueRateLimits.revoke.maxDispatchesPerSecond}/s ${o.queueRateLimits.revoke.maxConcurrentDispatches} concurrent, ` +
      `fallback ${o.queueRateLimits.fallback.maxDispatchesPerSecond}/s ${o.queueRateLimits.fallback.maxConcurrentDispatches} concurrent; instances: ${instances}`,
  );
  out(
    `sent in ${r.send.seconds} s (${r.send.perSecond}/s, ${o.sendConcurrency} requests at once${o.sendBatch > 0 ? ` of ${o.sendBatch} messages` : ''}), ${r.send.slackBeforeFirstDeadlineSeconds} s before the first deadline`,
  );
  out();
  out(`${'figure'.padEnd(40)}${'value'.padStart(12)}`);
  const row = (name: string, value: string | number) =>
    out(`${name.padEnd(40)}${String(value).padStart(12)}`);
  const both = (clock: number | null, real: number | null) =>
    o.timeScale === 1 ? ms(clock) : `${ms(clock)} / ${ms(real)}`;
  const unit = o.timeScale === 1 ? 'ms' : 'ms clock / real';
  const [rc, rr, sc, sr] = [r.revokeLatenessMs, r.revokeLatenessRealMs, r.smsLatenessMs, r.smsLatenessRealMs];
  row(`revoke lateness p50 ${unit}`, both(rc.p50, rr.p50));
  row(`revoke lateness p99 ${unit}`, both(rc.p99, rr.p99));
  row(`revoke lateness max ${unit}`, both(rc.max, rr.max));
  row(`SMS after deadline p50 ${unit}`, both(sc.p50, sr.p50));
  row(`SMS after deadline p99 ${unit}`, both(sc.p99, sr.p99));
  row('DELETEs during the burst', r.burst.deletes);
  row('burst seconds (first to last)', r.burst.seconds);
  row('DELETEs per second', r.burst.deletesPerSecond);
  row('SMS sent', r.smsSent);
  row('lost', r.lost);
  row('phones with two SMS', r.phonesWithTwoSms);
  row('sweep re-drives', r.redrives);
  row('machine busy, burst', ms(r.machineBusy.burst));
  row('  of which other processes', ms(r.machineBusy.otherProcessesBurst));
  row('machine busy, after the deadline', ms(r.machineBusy.afterDeadline));
  const list = (figures: Record<string, number>) =>
    Object.entries(figures)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
  out(`Firestore RPCs per message after the deadline: ${list(r.firestoreRpcsPerMessage)}`);
  out(`task attempts after the deadline: ${list(r.taskAttempts)}`);
  out(`revocation.state in Firestore: ${list(r.revocationStates)}`);
  for (const [reason, n] of Object.entries(r.unconfirmedReasons).slice(0, 5)) out(`  ${n} × ${reason}`);
  out();
  out(
    `${'process'.padEnd(12)}${'peak RSS MiB'.padStart(14)}${'CPU s send'.padStart(12)}${'CPU s burst'.padStart(13)}${'CPU s after'.padStart(13)}${'burst share'.padStart(13)}`,
  );
  for (const [name, p] of Object.entries(r.processes)) {
    out(
      `${name.padEnd(12)}${ms(p.peakRssMiB).padStart(14)}${ms(p.cpuSeconds.send).padStart(12)}${ms(p.cpuSeconds.burst).padStart(13)}${ms(p.cpuSeconds.afterDeadline).padStart(13)}${ms(p.burstCoreShare).padStart(13)}`,
    );
  }
  out();
}

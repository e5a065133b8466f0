import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, usageError } from '../common/cli.ts';
import { SystemClock } from '../common/clock.ts';
import { type FunctionName, functionNames } from '../stack/functions-server.ts';
import { outboxCreatedEvent } from '../stack/outbox-bridge.ts';
import { type Stack, startStack } from '../stack/start.ts';
import { signedDelivered } from './payloads.ts';

/*
 * Cold start of each function, as Cloud Run starts an instance: a new process
 * of functions-framework's own CLI loading the deploy entry (package.json
 * main) with FUNCTION_TARGET, from spawn until it listens, then its first
 * request (one that does the function's real work against the local stack:
 * a Firestore read or transaction, its clients made on the way). Against two
 * references started the same way (local/bench/cold-start-baselines.ts): a
 * bare functions-framework function and one that only reads Firestore.
 * Figures: median, min and max over the runs, and the ratio of each median
 * to the bare function's (docs/BENCHMARKS.md).
 *
 *   npm run bench:cold-start -- [--runs 5] [--json]
 */

process.env.METADATA_SERVER_DETECTION ??= 'none';

const program = 'bench:cold-start';
const usage = `Usage: npm run bench:cold-start -- [options]

Cold start of each function (spawn to listening, then the first request) against a bare
functions-framework function and a Firestore-only one (docs/BENCHMARKS.md).

Options:
  --runs N   cold starts per target (default 5)
  --json     print one JSON object with the figures instead of the text report
  -h, --help show this help
`;

const { values } = parseCommandLine(program, usage, {
  options: { runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 100)
  usageError(program, `--runs must be a whole number from 1 to 100, got "${values.runs}"`);

const repoRoot = join(import.meta.dirname, '../..');
const frameworkCli = join(repoRoot, 'node_modules/@google-cloud/functions-framework/build/src/main.js');
const clockPreload = join(repoRoot, 'local/stack/child-clock.ts');
const baselines = join(import.meta.dirname, 'cold-start-baselines.ts');

type Target = FunctionName | 'bare' | 'firestoreOnly';

interface Sample {
  listeningMs: number;
  firstRequestMs: number;
  rssMb: number | undefined;
}

interface Figures {
  runs: number;
  listeningMs: { median: number; min: number; max: number };
  firstRequestMs: { median: number; min: number; max: number };
  /** Median spawn-to-first-answer over the bare function's. */
  ratioToBare: number;
  rssMbMedian: number | null;
}

const say = (line: string) => {
  if (!values.json) process.stdout.write(`${line}\n`);
};

const stack = await startStack({
  clock: new SystemClock({ scale: 1 }),
  functions: 'processes',
  sweepEveryMs: null,
  // Push on, so the outcomes function does its real work (reads its outbox document).
  outcomes: true,
  logLevel: 'error',
});
const baselineChildren = new Set<ChildProcess>();
try {
  const samples = new Map<Target, Sample[]>();
  const record = (target: Target, sample: Sample) =>
    samples.set(target, [...(samples.get(target) ?? []), sample]);
  say(
    `cold start, ${runs} runs per target, on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})`,
  );
  for (let run = 0; run < runs; run += 1) {
    for (const target of ['bare', 'firestoreOnly'] as const) record(target, await coldBaseline(target));
    for (const name of functionNames) record(name, await coldProduct(stack, name));
    say(`  run ${run + 1}/${runs} done`);
  }
  const bareFirst = median(samples.get('bare')!.map((s) => s.listeningMs + s.firstRequestMs));
  const figures = Object.fromEntries(
    [...samples].map(([target, list]) => [target, summarize(list, bareFirst)]),
  ) as Record<Target, Figures>;
  const result = {
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? null, loadAtEnd: os.loadavg() },
    node: process.version,
    runs,
    targets: figures,
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else printTable(figures);
} finally {
  for (const child of baselineChildren) child.kill('SIGKILL');
  await stack.stop();
}

/** One of the product's functions: its instance killed, then a new one started and asked once. */
async function coldProduct(s: Stack, name: FunctionName): Promise<Sample> {
  const processes = s.processes!;
  processes.kill(name);
  while (processes.pid(name) !== undefined) await new Promise((resolve) => setTimeout(resolve, 10));
  const started = performance.now();
  await processes.restart(name);
  const listeningMs = performance.now() - started;
  const asked = performance.now();
  await firstRequest(s, name);
  return { listeningMs, firstRequestMs: performance.now() - asked, rssMb: rssMb(processes.pid(name)) };
}

/** Each function's first request does its real work: Firestore, and its client made on the way. */
async function firstRequest(s: Stack, name: FunctionName): Promise<void> {
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  let response: Response;
  if (name === 'webhook') {
    const delivered = signedDelivered(s.clientToken, randomUUID(), s.agentId);
    response = await post(s.functions.urls.webhook, delivered.body, {
      'x-goog-signature': delivered.signature,
    });
  } else if (name === 'messages') {
    response = await fetch(`${s.functions.urls.messages}/${randomUUID()}`);
  } else if (name === 'outcomes') {
    // Eventarc's event for an outbox document nobody wrote: read, found missing, done.
    const id = `${randomUUID()}~delivered`;
    response = await fetch(s.functions.urls.outcomes, {
      method: 'POST',
      headers: outboxCreatedEvent(s.projectId, '(default)', id, randomUUID(), new Date()),
      body: new Uint8Array(0),
    });
  } else if (name === 'sweep') {
    response = await post(s.functions.urls.sweep, {});
  } else {
    // A task for a message nobody registered: read in a transaction, then dropped as done.
    const step = name === 'revoke' ? 'revoke' : 'fallback';
    response = await post(s.functions.urls[name], { step, messageId: randomUUID(), sequence: 0 });
  }
  await response.arrayBuffer();
  const expected = name === 'messages' ? 404 : name === 'outcomes' ? 204 : 200;
  if (response.status !== expected) throw new Error(`${name}: first request answered ${response.status}`);
}

/** A reference function: a fresh functions-framework process, started as the product's are. */
async function coldBaseline(target: 'bare' | 'firestoreOnly'): Promise<Sample> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', clockPreload, frameworkCli], {
    cwd: repoRoot,
    env: {
      ...process.env,
      FUNCTION_TARGET: target,
      FUNCTION_SOURCE: baselines,
      PORT: String(port),
      GOOGLE_CLOUD_PROJECT: stack.projectId,
      FIRESTORE_EMULATOR_HOST: stack.firestoreHost,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  baselineChildren.add(child);
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('Serving function')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`${target} exited (${code}) before listening: ${out}`)));
    });
    const listeningMs = performance.now() - started;
    const asked = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${target}: first request answered ${response.status}`);
    return { listeningMs, firstRequestMs: performance.now() - asked, rssMb: rssMb(child.pid) };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    baselineChildren.delete(child);
  }
}

function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function summarize(list: Sample[], bareFirstMs: number): Figures {
  const spread = (values: number[]) => ({
    median: Math.round(median(values)),
    min: Math.round(Math.min(...values)),
    max: Math.round(Math.max(...values)),
  });
  const rss = list.map((sample) => sample.rssMb).filter((v): v is number => v !== undefined);
  return {
    runs: list.length,
    listeningMs: spread(list.map((sample) => sample.listeningMs)),
    firstRequestMs: spread(list.map((sample) => sample.firstRequestMs)),
    ratioToBare:
      Math.round((median(list.map((x) => x.listeningMs + x.firstRequestMs)) / bareFirstMs) * 100) / 100,
    rssMbMedian: rss.length ? median(rss) : null,
  };
}

function printTable(figures: Record<Target, Figures>): void {
  const rows = Object.entries(figures).map(([target, f]) => [
    target,
    `${f.listeningMs.median} (${f.listeningMs.min}–${f.listeningMs.max})`,
    `${f.firstRequestMs.median} (${f.firstRequestMs.min}–${f.firstRequestMs.max})`,
    `${f.ratioToBare}×`,
    f.rssMbMedian === null ? '—' : `${f.rssMbMedian}`,
  ]);
  const header = [
    'target',
    'spawn to listening, ms',
    'first request, ms',
    'to first answer vs bare',
    'RSS MB',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) say(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}

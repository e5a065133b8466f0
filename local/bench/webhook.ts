import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { Firestore } from '@google-cloud/firestore';
import autocannon from 'autocannon';
import { mapLimit } from '../../shared/concurrency/map-limit.ts';
import { policies } from '../../shared/lifecycle/policy.ts';
import { registerMessage } from '../../shared/lifecycle/registration.ts';
import { messageToDoc } from '../../shared/store/message-doc.ts';
import { createCloudTasksScheduler } from '../../shared/tasks/scheduler.ts';
import { parseCommandLine, usageError } from '../common/cli.ts';
import { Children, type Started } from './children.ts';
import { cpuSeconds, machineBusySeconds } from './cpu.ts';
import { benchPhone, type SignedRequest, signedDelivered } from './payloads.ts';
import type { ServerStats } from './serve-function.ts';

/*
 * Webhook latency and throughput under concurrent load, as a ratio to a no-op
 * functions-framework handler measured in the same run (issue 4, "Performance";
 * results in docs/BENCHMARKS.md):
 *
 *   npm run bench:webhook -- [--duration 10] [--connections 10] [--warmup 3] [--messages N] [--json]
 *
 * Child processes, all on 127.0.0.1: the embedded Firestore emulator and the
 * Cloud Tasks emulator (their CLIs), the real webhook function, and the no-op.
 * The load generator (autocannon) runs here, in its own process. M messages
 * are registered first as the messages function would (document through the
 * Firestore client, revoke task in the Tasks emulator); every request is then
 * a different signed DELIVERED for one of them: the webhook's common path
 * (read, store the event, advance the message, cancel the revoke task). The
 * no-op gets the same requests. Afterwards Firestore must hold exactly one
 * event per request the webhook answered 200, and no request may fail.
 */

// The Google clients here and in the children would otherwise probe the GCE metadata server.
process.env.METADATA_SERVER_DETECTION = 'none';

const program = 'bench:webhook';

const usage = `Usage: npm run bench:webhook -- [options]
       node local/bench/webhook.ts [options]

Webhook latency and throughput under concurrent load, against a no-op function (docs/BENCHMARKS.md).

Options:
  --duration S      measured seconds per target (default 10)
  --connections N   concurrent connections (default 10)
  --warmup S        warm-up seconds per target, >= 0 (default 3)
  --messages N      messages registered before the run (default: one per expected request)
  --json            print one JSON object with the figures instead of the text report
  -h, --help        show this help
`;

const { values } = parseCommandLine(program, usage, {
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    messages: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function positive(name: string, value: string, integer: boolean, min = 1): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
    usageError(program, `--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got "${value}"`);
  return n;
}

const duration = positive('duration', values.duration, false);
const connections = positive('connections', values.connections, true);
const warmup = positive('warmup', values.warmup, false, 0);
// Enough for every webhook request to hit a fresh message at up to 1,000 req/s (several times what
// 2 cores do); beyond that, requests reuse messages and the run says so.
const messageCount = values.messages
  ? positive('messages', values.messages, true)
  : Math.ceil((duration + warmup) * 1_000);

const projectId = 'bench-project';
const agentId = 'bench-agent';
const location = 'us-central1';
const queues = { revoke: 'rbm-revoke', fallback: 'rbm-fallback' };
const clientToken = randomBytes(24).toString('base64url');

const round2 = (n: number) => Math.round(n * 100) / 100;
const say = (line: string) => {
  if (!values.json) process.stdout.write(`${line}\n`);
};

interface Phase {
  seconds: number;
  responses: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  sent: number;
  latenciesMs: number[];
}

interface TargetFigures {
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  responses: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU seconds per process during the measured phase. */
  cpuSeconds: Record<string, number>;
  /** The same for our own processes, divided by the 2xx responses: the cost of one request, per process. */
  cpuMsPerRequest: Record<string, number>;
}

const children = new Children();
let stopping = false;
const stopChildren = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await children.stopAll();
  process.exit(code);
};
process.once('SIGINT', () => void stopChildren(130));
process.once('SIGTERM', () => void stopChildren(143));
process.on('exit', () => children.killAllNow());

try {
  const exitCode = await main();
  await stopChildren(exitCode);
} catch (error) {
  process.stderr.write(`bench:webhook failed: ${(error as Error)?.stack ?? error}\n`);
  await stopChildren(1);
}

async function main(): Promise<number> {
  const loadAtStart = os.loadavg().map((n) => round2(n));
  say(`Starting emulators and functions (project ${projectId}) ...`);
  const firestore = await children.start('firestore-emulator', 'local/firestore-emulator/cli.ts', [], {
    ready: 'stdout',
  });
  const tasks = await children.start(
    'tasks-emulator',
    'local/tasks-emulator/cli.ts',
    ['--project', projectId, '--location', location, '--queue', queues.revoke, '--queue', queues.fallback],
    { ready: 'stdout' },
  );
  const firestoreHost = String(firestore.ready.host);
  const tasksHost = `${tasks.ready.host}:${tasks.ready.port}`;
  const env = {
    METADATA_SERVER_DETECTION: 'none',
    GOOGLE_CLOUD_PROJECT: projectId,
    FIRESTORE_EMULATOR_HOST: firestoreHost,
    // Production's default level: one info line per request, written to stdout (here /dev/null).
    LOG_LEVEL: 'info',
    RBM_AGENT_ID: agentId,
    RBM_CLIENT_TOKEN: clientToken,
    TASKS_LOCATION: location,
    REVOKE_QUEUE: queues.revoke,
    FALLBACK_QUEUE: queues.fallback,
    // Never called: the revoke tasks are due long after the run.
    REVOKE_URL: 'http://127.0.0.1:9/revoke',
    FALLBACK_URL: 'http://127.0.0.1:9/fallback',
    TASKS_SERVICE_ACCOUNT: 'tasks@bench-project.iam.gserviceaccount.com',
    TASKS_EMULATOR_HOST: tasksHost,
  };
  const [webhook, noop] = await Promise.all([
    children.start('webhook', 'local/bench/serve-function.ts', ['webhook'], { ready: 'ipc', env }),
    children.start('noop', 'local/bench/serve-function.ts', ['noop'], { ready: 'ipc', env }),
  ]);

  const db = new Firestore({
    projectId,
    host: firestoreHost,
    ssl: false,
    preferRest: false,
    ignoreUndefinedProperties: true,
  });
  try {
    const messageIds = await registerMessages(db, tasksHost);
    const requests = messageIds.map((id) => signedDelivered(clientToken, id, agentId));

    // The same requests, in the same order, for both targets.
    let noopNext = 0;
    const noopRequest = () => requests[noopNext++ % requests.length]!;
    let webhookNext = 0;
    let reused = 0;
    const webhookRequest = () => {
      const i = webhookNext++;
      if (i < requests.length) return requests[i]!;
      reused += 1; // more requests than messages: a further DELIVERED for a message already delivered
      return signedDelivered(clientToken, messageIds[i % messageIds.length]!, agentId);
    };

    const watched = { firestore, tasks, webhook, noop };
    say(`no-op: ${warmup} s warm-up, ${duration} s measured, ${connections} connections ...`);
    const noopPhases = await measure(noop, noopRequest, watched);
    say(`webhook: ${warmup} s warm-up, ${duration} s measured, ${connections} connections ...`);
    const webhookPhases = await measure(webhook, webhookRequest, watched);

    // Every request under way has finished once the server reports none active.
    const server = await quiet(webhook);
    const [events, delivered, otherStatus] = await Promise.all([
      db
        .collectionGroup('events')
        .count()
        .get()
        .then((s) => s.data().count),
      db
        .collection('messages')
        .where('status', '==', 'delivered')
        .count()
        .get()
        .then((s) => s.data().count),
      db
        .collection('messages')
        .where('status', 'not-in', ['delivered', 'pending'])
        .count()
        .get()
        .then((s) => s.data().count),
    ]);
    const client2xx = [webhookPhases.warmup, webhookPhases.measured].reduce(
      (n, p) => n + p.responses - p.non2xx,
      0,
    );
    const sent = webhookPhases.warmup.sent + webhookPhases.measured.sent;
    const failures = [noopPhases, webhookPhases].flatMap((p) => [p.warmup, p.measured]);
    const checks = {
      'no non-2xx, errors or timeouts': failures.every(
        (p) => p.non2xx === 0 && p.errors === 0 && p.timeouts === 0,
      ),
      'events stored == requests the webhook answered 200': events === server.answered200,
      'every answer was a 200': server.answered === server.answered200,
      'client-seen 2xx <= answered 200 <= requests sent':
        client2xx <= server.answered200 && server.answered200 <= sent,
      ...(reused === 0
        ? { 'one delivered message per request answered 200': delivered === server.answered200 }
        : {}),
      'no message in another status': otherStatus === 0,
    };

    const noopFigures = figures(noopPhases.measured, noopPhases.cpu);
    const webhookFigures = figures(webhookPhases.measured, webhookPhases.cpu);
    const report = {
      machine: {
        nproc: os.availableParallelism(),
        cpu: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        loadAverageAtStart: loadAtStart,
      },
      options: { duration, connections, warmup, messages: messageCount },
      noop: noopFigures,
      webhook: webhookFigures,
      ratio: {
        requestsPerSecond: webhookFigures.requestsPerSecond / noopFigures.requestsPerSecond,
        p50: webhookFigures.latencyMs.p50 / noopFigures.latencyMs.p50,
        p90: webhookFigures.latencyMs.p90 / noopFigures.latencyMs.p90,
        p99: webhookFigures.latencyMs.p99 / noopFigures.latencyMs.p99,
      },
      verification: {
        requestsSent: sent,
        clientSaw2xx: client2xx,
        webhookAnswered200: server.answered200,
        inFlightAtStop: server.answered200 - client2xx,
        eventsStored: events,
        messagesDelivered: delivered,
        requestsReusingAMessage: reused,
        checks,
      },
    };
    const ok = Object.values(checks).every(Boolean);
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report);
    for (const [name, f] of [
      ['no-op', noopFigures],
      ['webhook', webhookFigures],
    ] as const) {
      const share = (f.cpuSeconds.otherProcesses ?? 0) / (os.availableParallelism() * duration);
      if (share > 0.1) {
        process.stderr.write(
          `warning: other processes used ${Math.round(share * 100)}% of the machine's CPU during the ${name} run; its figures are not clean\n`,
        );
      }
    }
    if (reused > 0) {
      process.stderr.write(
        `warning: ${reused} requests reused an already delivered message (not the common path); raise --messages\n`,
      );
    }
    if (!ok) process.stderr.write('bench:webhook: verification FAILED\n');
    return ok ? 0 : 1;
  } finally {
    await db.terminate();
  }
}

/** Registers the messages as the messages function would: the document, and its revoke task. */
async function registerMessages(db: Firestore, tasksHost: string): Promise<string[]> {
  const started = performance.now();
  const now = new Date();
  const deadline = new Date(now.getTime() + 3_600_000); // long after the run: no task fires
  const retentionMs = 90 * 86_400_000;
  const ids = Array.from({ length: messageCount }, () => randomUUID());
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 500) chunks.push(ids.slice(i, i + 500));
  await mapLimit(chunks, 4, async (chunk) => {
    const batch = db.batch();
    for (const messageId of chunk) {
      const outcome = registerMessage(
        undefined,
        {
          messageId,
          agentId,
          phoneNumber: benchPhone,
          policy: policies.promo,
          trafficType: 'PROMOTION',
          labels: { campaign: 'bench' },
          deadline,
          smsText: 'Your order has shipped.',
          requestHash: 'bench',
        },
        { state: 'sent', at: now, httpStatus: 200 },
        now,
      );
      if (outcome.kind !== 'created') throw new Error(`registering ${messageId}: ${outcome.kind}`);
      batch.set(db.collection('messages').doc(messageId), messageToDoc(outcome.message, retentionMs));
    }
    await batch.commit();
  });
  const documentsSeconds = (performance.now() - started) / 1000;
  const scheduler = createCloudTasksScheduler({
    projectId,
    location,
    queues,
    urls: { revoke: 'http://127.0.0.1:9/revoke', fallback: 'http://127.0.0.1:9/fallback' },
    serviceAccountEmail: 'tasks@bench-project.iam.gserviceaccount.com',
    emulatorHost: tasksHost,
  });
  await mapLimit(ids, 32, (messageId) =>
    scheduler.schedule({ step: 'revoke', messageId, sequence: 0, at: deadline }, now),
  );
  say(
    `Registered ${ids.length} messages (${documentsSeconds.toFixed(1)} s) and their revoke tasks (${((performance.now() - started) / 1000 - documentsSeconds).toFixed(1)} s)`,
  );
  return ids;
}

async function measure(
  target: Started,
  next: () => SignedRequest,
  watched: Record<string, Started>,
): Promise<{ warmup: Phase; measured: Phase; cpu: Record<string, number> }> {
  const url = String(target.ready.url);
  const warm = warmup > 0 ? await load(url, next, warmup) : emptyPhase();
  const pids: Record<string, number | undefined> = { loadgen: process.pid };
  for (const [name, child] of Object.entries(watched)) pids[name] = child.process.pid;
  const sample = (): Record<string, number | undefined> => ({
    machine: machineBusySeconds(),
    ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)])),
  });
  const before = sample();
  const measured = await load(url, next, duration);
  const after = sample();
  const cpu: Record<string, number> = {};
  for (const name of Object.keys(pids)) {
    const [start, end] = [before[name], after[name]];
    if (start !== undefined && end !== undefined) cpu[name] = round2(end - start);
  }
  if (before.machine !== undefined && after.machine !== undefined) {
    // Whatever else ran on the machine meanwhile competed for the same cores.
    const ours = Object.values(cpu).reduce((a, b) => a + b, 0);
    cpu.otherProcesses = round2(Math.max(0, after.machine - before.machine - ours));
  }
  return { warmup: warm, measured, cpu };
}

function load(url: string, next: () => SignedRequest, seconds: number): Promise<Phase> {
  const latenciesMs: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        connections,
        pipelining: 1,
        duration: seconds,
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (request) => {
              const { body, signature } = next();
              return {
                ...request,
                body,
                headers: { 'content-type': 'application/json', 'x-goog-signature': signature },
              };
            },
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({
          seconds: result.duration,
          responses: latenciesMs.length + result.non2xx,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          sent: result.requests.sent,
          latenciesMs,
        });
      },
    );
    // autocannon's own histogram has 1 ms resolution; keep every 2xx latency instead (sub-ms).
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTime);
    });
  });
}

function emptyPhase(): Phase {
  return { seconds: 0, responses: 0, non2xx: 0, errors: 0, timeouts: 0, sent: 0, latenciesMs: [] };
}

async function quiet(target: Started): Promise<ServerStats> {
  for (let waited = 0; ; waited += 50) {
    const stats = await Children.ask<ServerStats>(target.process, 'stats', 'stats');
    if (stats.active === 0) return stats;
    if (waited > 30_000) throw new Error(`${target.name}: ${stats.active} requests still active after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function figures(phase: Phase, cpu: Record<string, number>): TargetFigures {
  const sorted = Float64Array.from(phase.latenciesMs).sort();
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : NaN;
  const mean = sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    requestsPerSecond: Math.round((phase.responses - phase.non2xx) / phase.seconds),
    latencyMs: {
      p50: round(at(0.5)),
      p90: round(at(0.9)),
      p99: round(at(0.99)),
      mean: round(mean),
      max: round(sorted.at(-1) ?? NaN),
    },
    responses: phase.responses,
    non2xx: phase.non2xx,
    errors: phase.errors,
    timeouts: phase.timeouts,
    cpuSeconds: cpu,
    cpuMsPerRequest: Object.fromEntries(
      Object.entries(cpu)
        .filter(([name]) => name !== 'otherProcesses')
        .map(([name, seconds]) => [
          name,
          round2((seconds * 1000) / Math.max(1, phase.responses - phase.non2xx)),
        ]),
    ),
  };
}

function printReport(report: {
  machine: Record<string, string | number | number[]>;
  options: Record<string, number>;
  noop: TargetFigures;
  webhook: TargetFigures;
  ratio: Record<string, number>;
  verification: Record<string, unknown> & { checks: Record<string, boolean> };
}): void {
  const { machine, options, noop, webhook, ratio, verification } = report;
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const ms = (n: number) => n.toFixed(2);
  say('');
  say(
    `${machine.nproc} CPUs (${machine.cpu}), Node ${machine.node}, load average ${String(machine.loadAverageAtStart)} at start; ` +
      `${options.duration} s measured after ${options.warmup} s warm-up, ${options.connections} connections`,
  );
  say(
    `${'target'.padEnd(8)}${pad('req/s', 8)}${pad('p50 ms', 9)}${pad('p90 ms', 9)}${pad('p99 ms', 9)}${pad('non-2xx', 9)}`,
  );
  for (const [name, f] of [
    ['no-op', noop],
    ['webhook', webhook],
  ] as const) {
    say(
      `${name.padEnd(8)}${pad(f.requestsPerSecond, 8)}${pad(ms(f.latencyMs.p50), 9)}${pad(ms(f.latencyMs.p90), 9)}${pad(ms(f.latencyMs.p99), 9)}${pad(f.non2xx, 9)}`,
    );
  }
  say(
    `${'ratio'.padEnd(8)}${pad(ratio.requestsPerSecond!.toFixed(2), 8)}${pad(ratio.p50!.toFixed(1), 9)}${pad(ratio.p90!.toFixed(1), 9)}${pad(ratio.p99!.toFixed(1), 9)}   (webhook / no-op)`,
  );
  const cpu = (f: TargetFigures) =>
    Object.entries(f.cpuSeconds)
      .map(([name, s]) => `${name} ${s.toFixed(1)}`)
      .join(', ');
  say(`CPU seconds during the no-op run:   ${cpu(noop)}`);
  say(`CPU seconds during the webhook run: ${cpu(webhook)}`);
  const perRequest = (f: TargetFigures) =>
    Object.entries(f.cpuMsPerRequest)
      .filter(([, ms]) => ms >= 0.01)
      .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
      .join(', ');
  say(`CPU ms per request, no-op:   ${perRequest(noop)}`);
  say(`CPU ms per request, webhook: ${perRequest(webhook)}`);
  say(
    `Stored: ${verification.eventsStored} events for ${verification.webhookAnswered200} requests the webhook answered 200 ` +
      `(client saw ${verification.clientSaw2xx}; ${verification.inFlightAtStop} in flight when autocannon stopped)`,
  );
  for (const [check, passed] of Object.entries(verification.checks))
    say(`  ${passed ? 'ok  ' : 'FAIL'} ${check}`);
}

import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Firestore } from '@google-cloud/firestore';
import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';

/*
 * `npm start` (local/stack/cli.ts) as a process: its one ready line carries
 * every address a script needs, and each answers; SIGTERM / SIGINT stop every
 * component with status 0 and leave no port open and no process behind;
 * `--exit` runs a small demo to the end and exits 0. Real time, bounded: the
 * demo runs at a high time scale and every child is killed on a time-out.
 */

const cli = join(import.meta.dirname, '../../../local/stack/cli.ts');
const freePorts = ['functions', 'rbm', 'sms', 'tasks', 'firestore', 'outcomes'].flatMap((c) => [
  `--port-${c}`,
  '0',
]);
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Started {
  child: ChildProcess;
  first: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the CLI (on this Node 24) and resolves with its first stdout line. */
async function start(args: string[], readyWithinMs = 20_000): Promise<Started> {
  // Not inheriting FIRESTORE_EMULATOR_HOST: the stack must start its own emulator here.
  const { FIRESTORE_EMULATOR_HOST: _external, ...env } = process.env;
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, METADATA_SERVER_DETECTION: 'none' },
  });
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ready line within ${readyWithinMs} ms: ${stderr}`)),
      readyWithinMs,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before the ready line: ${stderr}`));
    });
  });
  return { child, first, stderr: () => stderr, exited };
}

/** Resolves with the exit, or kills the child and fails after `ms`. */
async function exitWithin(s: Started, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      s.child.kill('SIGKILL');
      reject(new Error(`still running after ${ms} ms; stderr:\n${s.stderr().slice(-2_000)}`));
    }, ms);
  });
  try {
    return await Promise.race([s.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** True if something accepts a TCP connection at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const endpoint = (url: string) => {
  const u = new URL(url.includes('://') ? url : `http://${url}`);
  return { host: u.hostname, port: Number(u.port) };
};

describe('npm start: the ready line and shutdown', () => {
  it('prints one JSON ready line with every address; each answers; SIGTERM exits 0 and closes every port', async () => {
    const s = await start(['--no-demo', ...freePorts]);
    expect(s.first.startsWith('{"ready":true')).toBe(true);
    const ready = JSON.parse(s.first);
    const names = ['webhook', 'messages', 'revoke', 'fallback', 'sweep', 'outcomes'];
    expect(Object.keys(ready.functions).sort()).toEqual([...names].sort());
    for (const name of names)
      expect(ready.functions[name]).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${name}$`));
    expect(ready).toMatchObject({
      rbmSandbox: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      smsSandbox: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      cloudTasksEmulator: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      firestoreEmulatorHost: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      outcomeReceiver: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/rbm\/outcomes$/),
      projectId: 'rbm-lifecycle-local',
      clientToken: expect.stringMatching(/^\S{16,}$/),
    });

    // The messages API: an unknown id is a 404 with a JSON body.
    const unknown = await fetch(`${ready.functions.messages}/no-such-message`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: expect.stringContaining('no-such-message') });
    // The webhook answers the platform's handshake with the clientToken of the ready line, and only with it.
    const handshake = (clientToken: string) =>
      fetch(ready.functions.webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientToken, secret: 'ready-line-test' }),
      });
    const accepted = await handshake(ready.clientToken);
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toBe('ready-line-test');
    expect((await handshake('not-the-token')).status).toBe(403);
    // The sweep runs (nothing is overdue); revoke and fallback refuse an empty task as unusable, not as unknown routes.
    expect(await (await fetch(ready.functions.sweep, { method: 'POST' })).json()).toEqual({
      overdue: 0,
      redriven: 0,
      failed: 0,
      // Outcome push is on in `npm start`: no push is left pending.
      outcomes: { pending: 0, delivered: 0 },
    });
    for (const name of ['revoke', 'fallback']) {
      const response = await fetch(ready.functions[name], {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status, name).toBe(200);
      expect(JSON.stringify(await response.json()), name).toMatch(/messageId/);
    }
    // The sandboxes' ground truth.
    const rbmTruth = await (await fetch(`${ready.rbmSandbox}/sandbox/truth`)).json();
    expect(rbmTruth).toMatchObject({ messages: [], phones: expect.any(Array) });
    const smsTruth = await (await fetch(`${ready.smsSandbox}/sandbox/truth`)).json();
    expect(smsTruth).toMatchObject({ sms: [] });
    // The Cloud Tasks emulator serves the real client, with the stack's two queues.
    const tasks = endpoint(ready.cloudTasksEmulator);
    const client = new CloudTasksClient({
      apiEndpoint: tasks.host,
      port: tasks.port,
      sslCreds: credentials.createInsecure(),
    });
    const [queues] = await client.listQueues({ parent: `projects/${ready.projectId}/locations/local` });
    expect(queues.map((q) => q.name?.split('/').pop()).sort()).toEqual(['rbm-fallback', 'rbm-revoke']);
    await client.close();
    // The Firestore emulator serves the real client for the project of the ready line.
    const db = new Firestore({ projectId: ready.projectId, host: ready.firestoreEmulatorHost, ssl: false });
    expect((await db.collection('messages').doc('no-such-message').get()).exists).toBe(false);
    await db.terminate();

    const ports = [
      endpoint(ready.functions.messages),
      endpoint(ready.rbmSandbox),
      endpoint(ready.smsSandbox),
      tasks,
      endpoint(ready.firestoreEmulatorHost),
    ];
    for (const p of ports) expect(await accepts(p.host, p.port), `${p.host}:${p.port} before`).toBe(true);

    s.child.kill('SIGTERM');
    expect(await exitWithin(s, 15_000)).toEqual({ code: 0, signal: null });
    for (const p of ports) expect(await accepts(p.host, p.port), `${p.host}:${p.port} after`).toBe(false);
    expect(processAlive(s.child.pid!)).toBe(false);
  }, 45_000);

  it('Ctrl-C (SIGINT) stops it the same way', async () => {
    const s = await start(['--no-demo', ...freePorts]);
    const ready = JSON.parse(s.first);
    const functions = endpoint(ready.functions.messages);
    s.child.kill('SIGINT');
    expect(await exitWithin(s, 15_000)).toEqual({ code: 0, signal: null });
    expect(await accepts(functions.host, functions.port)).toBe(false);
  }, 30_000);

  it('--exit with a small demo (each lifecycle path once): all consistent with the ground truth, exit 0, ports closed', async () => {
    const s = await start(['--messages', '9', '--seed', '3', '--time-scale', '100', '--exit', ...freePorts]);
    const ready = JSON.parse(s.first);
    expect(ready).toMatchObject({ ready: true, timeScale: 100, webhookConcurrency: 'adaptive' });
    const { code } = await exitWithin(s, 90_000);
    const stderr = s.stderr();
    expect(code, stderr.slice(-2_000)).toBe(0);
    expect(stderr).toContain('demo finished');
    expect(stderr).toMatch(/9\/9 messages settled/);
    expect(stderr).toMatch(/refused\s+1\n/); // the opted-out number
    expect(stderr).toContain('every settled message agrees with the sandbox ground truth');
    expect(stderr).toMatch(/duplicate deliveries where the phone was online \(online; [^)]*\): 0\n/);
    // The webhook side of the summary: adaptive by default, like Pub/Sub push.
    expect(stderr).toMatch(
      /webhook \(adaptive\): \d+ events acknowledged; lag p50 .+, max .+ \(publish to 200, clock time\); at most \d+ POSTs? in flight at once\n/,
    );
    const functions = endpoint(ready.functions.messages);
    const firestore = endpoint(ready.firestoreEmulatorHost);
    expect(await accepts(functions.host, functions.port)).toBe(false);
    expect(await accepts(firestore.host, firestore.port)).toBe(false);
  }, 120_000);

  it('--functions processes: each function its own process on a port of its own; the demo ends consistent, exit 0', async () => {
    const s = await start([
      '--functions',
      'processes',
      '--messages',
      '9',
      '--seed',
      '3',
      '--time-scale',
      '100',
      '--exit',
      ...freePorts,
    ]);
    // First, before any function's log line: the readiness probes are TCP connects, which log nothing.
    expect(s.first.startsWith('{"ready":true'), s.first).toBe(true);
    const ready = JSON.parse(s.first);
    const ports = Object.values(ready.functions as Record<string, string>).map((url) => endpoint(url).port);
    expect(new Set(ports).size).toBe(6); // messages and the other five, each listening apart
    const { code } = await exitWithin(s, 90_000);
    expect(code, s.stderr().slice(-2_000)).toBe(0);
    expect(s.stderr()).toContain('every settled message agrees with the sandbox ground truth');
    for (const port of ports) expect(await accepts('127.0.0.1', port)).toBe(false);
  }, 120_000);

  it('a bad flag: a message and exit 2, nothing started', async () => {
    const child = spawn(process.execPath, [cli, '--messages', 'lots'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--messages must be a number');
  }, 20_000);
});

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

/*
 * `npm run report` as a process: flags, the one-line errors with exit 2, and
 * a report read from a live emulator (the same client code that reads a
 * real project).
 */

const cli = join(import.meta.dirname, '../../../local/report/cli.ts');
const fs = useFirestoreEmulator({ resetBeforeEach: false });

async function run(args: string[], env: Record<string, string | undefined> = {}) {
  const environment = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete environment[k];
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: environment,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const t0 = new Date('2026-11-21T09:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1_000);
const common = {
  tracked: true,
  agentId: 'agent-a',
  createdAt: t0,
  duplicateDelivery: false,
  lateDelivery: false,
};

beforeAll(async () => {
  const messages = fs.db.collection('messages');
  await Promise.all([
    messages.doc('delivered').set({
      ...common,
      status: 'delivered',
      labels: { kind: 'otp' },
      send: { state: 'sent', at: t0, latencyMs: 40 },
      deliveredAt: at(2),
      revocation: { state: 'none', attempts: 0 },
      fallback: { state: 'skipped', enabled: true },
    }),
    messages.doc('read').set({
      ...common,
      status: 'read',
      labels: { kind: 'promo' },
      send: { state: 'sent', at: t0, latencyMs: 60 },
      deliveredAt: at(1),
      readAt: at(10),
      revocation: { state: 'none', attempts: 0 },
      fallback: { state: 'skipped', enabled: true },
    }),
    messages.doc('not-rcs').set({
      ...common,
      status: 'sms_sent',
      labels: { kind: 'otp' },
      send: { state: 'not_rcs', at: t0 },
      revocation: { state: 'none', attempts: 0 },
      fallback: { state: 'sent', enabled: true, attempts: 1, sentAt: at(1) },
    }),
    messages.doc('revoked').set({
      ...common,
      agentId: 'agent-b',
      createdAt: at(3_600),
      status: 'sms_sent',
      labels: { kind: 'promo' },
      send: { state: 'sent', at: at(3_600) },
      revocation: { state: 'confirmed', attempts: 2 },
      fallback: { state: 'sent', enabled: true, attempts: 1 },
    }),
  ]);
});

describe('npm run report (local/report/cli.ts)', () => {
  it('reads the emulator named by FIRESTORE_EMULATOR_HOST and prints the report as JSON', async () => {
    const { code, stdout, stderr } = await run(['--json', '--project', fs.projectId], {
      FIRESTORE_EMULATOR_HOST: fs.host,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual([
      'version',
      'projectId',
      'databaseId',
      'asOf',
      'window',
      'overall',
      'groups',
      'timeline',
      'outcomePushes',
    ]);
    expect(report).toMatchObject({
      version: 1,
      projectId: fs.projectId,
      databaseId: '(default)',
      timeline: null,
    });
    expect(report.overall).toMatchObject({
      messages: 4,
      tracked: 4,
      rcsSent: 3,
      notRcs: 1,
      delivered: 2,
      read: 1,
      revocation: { confirmed: 1, lostRace: 0, failed: 0, deleteCalls: 2 },
      fallback: { sent: 2, skipped: 2, providerCalls: 2 },
      sendLatencyMsAvg: 50,
    });
    expect(report.overall.deliveryRate).toBeCloseTo(2 / 3, 10);
    expect(report.overall.timeToDeliverMs).toMatchObject({ count: 2, p50: 1_000, p90: 2_000 });
    expect(report.overall.timeToReadMs).toMatchObject({ count: 1, p50: 10_000 });
    // Default groupings: agent, label kind, traffic type.
    expect(report.groups.map((g: { by: string }) => g.by)).toEqual(['agent', 'label:kind', 'trafficType']);
    expect(
      report.groups[0].values.map((v: { value: string; messages: number }) => [v.value, v.messages]),
    ).toEqual([
      ['agent-a', 3],
      ['agent-b', 1],
    ]);
  });

  it('--since / --until select by createdAt; --emulator names the host; --html writes a page', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'report-')), 'report.html');
    const { code, stdout, stderr } = await run(
      [
        '--emulator',
        fs.host,
        '--project',
        fs.projectId,
        '--since',
        '2026-11-21T09:30:00Z',
        '--by',
        'none',
        '--html',
        file,
      ],
      { FIRESTORE_EMULATOR_HOST: undefined },
    );
    expect(code).toBe(0);
    expect(stderr).toContain(`wrote ${file}`);
    expect(stdout).toMatch(/messages\s+1 /);
    expect(stdout).toContain('createdAt from 2026-11-21T09:30:00.000Z');
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Outcomes over time');
  });

  it('bad flags: one line, exit 2', async () => {
    for (const args of [['--bogus'], ['--since', 'yesterday'], ['--by', 'phone'], ['--max-groups', '0']]) {
      const { code, stderr, stdout } = await run(args, { FIRESTORE_EMULATOR_HOST: fs.host });
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(stderr).toMatch(/^npm run report: /);
      expect(stdout).toBe('');
    }
  });

  it('an inverted window: one line, exit 2', async () => {
    const { code, stderr } = await run(['--since', '1h', '--until', '2h', '--project', fs.projectId], {
      FIRESTORE_EMULATOR_HOST: fs.host,
    });
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^npm run report: --since .* must be before --until/);
  });

  it('no emulator listening: one line naming the host, exit 2', async () => {
    const host = `127.0.0.1:${await closedPort()}`;
    const { code, stderr } = await run([], { FIRESTORE_EMULATOR_HOST: host });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`no Firestore emulator reachable at ${host} (ECONNREFUSED)`);
  });

  it('a real project without Google credentials: one line, exit 2, nothing contacted', async () => {
    const home = mkdtempSync(join(tmpdir(), 'no-gcloud-'));
    const { code, stderr } = await run(['--project', 'some-project'], {
      FIRESTORE_EMULATOR_HOST: undefined,
      GOOGLE_APPLICATION_CREDENTIALS: join(home, 'missing.json'),
      HOME: home,
      CLOUDSDK_CONFIG: home,
      METADATA_SERVER_DETECTION: 'none',
    });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('no usable Google credentials for project some-project');
  });
});

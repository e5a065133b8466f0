import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { type RbmSandbox, startRbmSandbox } from '../../../local/rbm-sandbox/index.ts';
import { checkCapabilities, memoRegionalClients } from '../../../shared/rbm/capabilities.ts';
import { createRbmClient } from '../../../shared/rbm/client.ts';
import { regionalBaseUrl, regionTable } from '../../../shared/rbm/regions.ts';

/*
 * The operators' batch check (shared/rbm/capabilities.ts, `npm run capabilities`)
 * against the RBM sandbox, which refuses what the platform refuses: a list is
 * split by region, each region's numbers go to that region's host only, in
 * users.batchGet requests of 500 to 10,000 numbers, or single checks below 500.
 */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const agentId = 'ops-agent';
let sandbox: RbmSandbox;

beforeAll(async () => {
  sandbox = await startRbmSandbox({
    clock: new ManualClock(Date.UTC(2026, 5, 1)),
    seed: 3,
    logLevel: 'silent',
    population: { rcsProbability: 1, availability: null },
  });
});
afterAll(async () => {
  await sandbox.stop();
});

const uk = (count: number, from: number) =>
  Array.from({ length: count }, (_, i) => `+447700${String(from + i).padStart(6, '0')}`);

function clients() {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'ops-token', expiry_date: Number.MAX_SAFE_INTEGER });
  const template = `${sandbox.url}/r/{region}`;
  return memoRegionalClients((region) =>
    createRbmClient({ baseUrl: regionalBaseUrl(template, region), agentId, timeoutMs: 5_000, auth }),
  );
}

describe('checkCapabilities', () => {
  it('sends each region’s numbers to its own host: a batch for 500 or more, single checks below', async () => {
    const europe = uk(600, 100_000);
    const off = europe.slice(0, 10);
    for (const phone of [...off, '+14155550002']) sandbox.setPhone(phone, { rcs: false });
    const americas = ['+14155550001', '+14155550002', '+5511912345678'];
    const asia = ['+6591234567'];
    const before = sandbox.truth.apiCalls.length;

    const result = await checkCapabilities([...americas, ...europe, ...asia, europe[0]!], {
      clients: clients(),
      table: regionTable(),
      agentId,
    });

    expect(result.numbers).toHaveLength(604); // the repeated number once
    const outcome = (phone: string) => result.numbers.find((n) => n.phoneNumber === phone)?.outcome;
    expect(outcome('+14155550001')).toBe('reachable');
    expect(outcome('+14155550002')).toBe('unreachable');
    expect(off.map(outcome)).toEqual(off.map(() => 'unreachable'));
    expect(outcome(europe[599]!)).toBe('reachable');
    expect(outcome('+6591234567')).toBe('reachable');
    expect(result.numbers.find((n) => n.phoneNumber === '+5511912345678')?.region).toBe('us');

    // The sandbox's truth: where every call went, and what it answered.
    const calls = sandbox.truth.apiCalls
      .slice(before)
      .map((c) => [c.endpoint, c.host, c.userCount, c.status]);
    expect(calls).toEqual(
      expect.arrayContaining([
        ['capabilities', 'us', null, 200],
        ['capabilities', 'us', null, 404],
        ['batchGet', 'europe', 600, 200],
        ['capabilities', 'asia', null, 200],
      ]),
    );
    expect(calls).toHaveLength(5);
    expect(
      calls.filter((c) => c[1] === 'global'),
      'nothing on the global host',
    ).toEqual([]);
  });

  it('splits a region above 10,000 numbers into even batches of at most 10,000', async () => {
    const europe = uk(12_000, 200_000);
    const before = sandbox.truth.apiCalls.length;
    const result = await checkCapabilities(europe, { clients: clients(), table: regionTable(), agentId });
    expect(result.calls.map((c) => [c.method, c.region, c.numbers, c.httpStatus])).toEqual([
      ['users.batchGet', 'europe', 6_000, 200],
      ['users.batchGet', 'europe', 6_000, 200],
    ]);
    expect(result.numbers.every((n) => n.outcome === 'reachable')).toBe(true);
    expect(sandbox.truth.apiCalls.slice(before).map((c) => c.userCount)).toEqual([6_000, 6_000]);
  });

  it('a failed batch leaves its numbers "failed" and the rest standing', async () => {
    sandbox.setFaults([{ endpoint: 'batchGet', kind: 'error', status: 503, times: 1 }]);
    const europe = uk(500, 300_000);
    const result = await checkCapabilities([...europe, '+14155550003'], {
      clients: clients(),
      table: regionTable(),
      agentId,
    });
    sandbox.setFaults([]);
    expect(result.numbers.filter((n) => n.outcome === 'failed')).toHaveLength(500);
    expect(result.numbers.find((n) => n.phoneNumber === '+14155550003')?.outcome).toBe('reachable');
    expect(result.calls.find((c) => c.method === 'users.batchGet')).toMatchObject({ httpStatus: 503 });
  });

  it('follows the overrides: a number moved to another region is asked there', async () => {
    const before = sandbox.truth.apiCalls.length;
    sandbox.setPhone('+447700999999', { region: 'asia' });
    await checkCapabilities(['+447700999999'], {
      clients: clients(),
      table: regionTable({ '4477': 'asia' }),
      agentId,
    });
    expect(sandbox.truth.apiCalls.slice(before).map((c) => c.host)).toEqual(['asia']);
  });
});

describe('npm run capabilities', () => {
  function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['local/capabilities/cli.ts', ...args], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '', METADATA_SERVER_DETECTION: 'none' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('checks the numbers given, each on its region’s host, against the sandbox', async () => {
    sandbox.setPhone('+447700900555', { rcs: false });
    const before = sandbox.truth.apiCalls.length;
    const answer = await run([
      '--base-url',
      sandbox.url,
      '--agent-id',
      agentId,
      '--token',
      'ops-token',
      '--json',
      '+447700900555',
      '+14155550123',
    ]);
    expect(answer.code, answer.stderr).toBe(0);
    expect(JSON.parse(answer.stdout).numbers).toEqual([
      { phoneNumber: '+447700900555', region: 'europe', outcome: 'unreachable' },
      { phoneNumber: '+14155550123', region: 'us', outcome: 'reachable' },
    ]);
    expect(sandbox.truth.apiCalls.slice(before).map((c) => [c.host, c.phoneNumber])).toEqual([
      ['europe', '+447700900555'],
      ['us', '+14155550123'],
    ]);

    const text = await run(['--base-url', sandbox.url, '--agent-id', agentId, '--token', 't', '+6591234567']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^asia: 1 numbers, 1 reachable, 0 not reachable, 0 not answered\n {2}\+6591234567 {2}reachable\n$/,
    );
  });

  it('refuses what it cannot check: no number, a bad number, no agent (exit 2, one line)', async () => {
    for (const args of [['--agent-id', 'a'], ['--agent-id', 'a', '07700900123'], ['+447700900123']]) {
      const answer = await run(['--base-url', sandbox.url, '--token', 't', ...args]);
      expect(answer.code, args.join(' ')).toBe(2);
      expect(answer.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('exits 1 when a check was not answered', async () => {
    sandbox.setFaults([{ endpoint: 'capabilities', kind: 'error', status: 500, times: 1 }]);
    const answer = await run([
      '--base-url',
      sandbox.url,
      '--agent-id',
      agentId,
      '--token',
      't',
      '+14155550124',
    ]);
    sandbox.setFaults([]);
    expect(answer.code).toBe(1);
    expect(answer.stdout).toMatch(/failed: phones.getCapabilities on the us host for 1 number\(s\): 500/);
  });
});

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Json, smsRig, start } from './setup.ts';

const to = '+15553330000';

describe('SMS sandbox failures on demand and ground truth', () => {
  let rig: Awaited<ReturnType<typeof smsRig>>;
  beforeEach(async () => {
    rig = await smsRig();
  });
  afterEach(() => rig.sandbox.stop());

  it('fails the next requests with a status, in each shape, without sending', async () => {
    rig.sandbox.failNext(1, 503, 'generic');
    rig.sandbox.failNext(1, 500, 'twilio');
    const key = randomUUID();
    const generic = await rig.generic.send({ to, text: 'x', idempotencyKey: key });
    expect(generic.status).toBe(503);
    expect(generic.body).toEqual({ error: { code: 'provider_error', message: expect.any(String) } });
    const twilio = await rig.twilio.send({ To: to, From: '+15559990000', Body: 'x' });
    expect(twilio.status).toBe(500);
    expect(twilio.body).toMatchObject({ code: 20500, status: 500 });
    expect(rig.sandbox.sent()).toEqual([]);
    // Not sent, but recorded with everything it was asked to send.
    expect(rig.sandbox.records.attempts).toEqual([
      {
        at: start,
        shape: 'generic',
        to,
        text: 'x',
        idempotencyKey: key,
        status: 503,
        outcome: 'failed',
        smsId: null,
      },
      {
        at: start,
        shape: 'twilio',
        to,
        text: 'x',
        idempotencyKey: null,
        status: 500,
        outcome: 'failed',
        smsId: null,
      },
    ]);
    // A retry with the same key goes through once the failure is over: nothing was cached.
    expect((await rig.generic.send({ to, text: 'x', idempotencyKey: key })).status).toBe(201);
    expect(rig.sandbox.deliveredTo(to)).toHaveLength(1);
  });

  it('answers 429 with Retry-After in both shapes', async () => {
    rig.sandbox.setFailures([{ status: 429, retryAfterSeconds: 12, times: 2 }]);
    const generic = await rig.generic.send({ to, text: 'x' });
    expect(generic.status).toBe(429);
    expect(generic.headers.get('retry-after')).toBe('12');
    const twilio = await rig.twilio.send({ To: to, From: '+15559990000', Body: 'x' });
    expect(twilio.body).toMatchObject({ code: 20429, status: 429 });
  });

  it("with phase 'after' the SMS goes out but the answer fails: idempotency saves the generic retry, not Twilio's", async () => {
    rig.sandbox.setFailures([{ status: 502, phase: 'after', times: 2 }]);
    const key = randomUUID();
    expect((await rig.generic.send({ to, text: 'otp', idempotencyKey: key })).status).toBe(502);
    expect((await rig.generic.send({ to, text: 'otp', idempotencyKey: key })).status).toBe(201);
    expect(rig.sandbox.deliveredTo(to)).toHaveLength(1);

    const other = '+15553339999';
    expect((await rig.twilio.send({ To: other, From: '+15559990000', Body: 'otp' })).status).toBe(502);
    expect((await rig.twilio.send({ To: other, From: '+15559990000', Body: 'otp' })).status).toBe(201);
    expect(rig.sandbox.records.duplicates()).toEqual([{ to: other, text: 'otp', count: 2 }]);
  });

  it('drops connections and fails a share of requests, only for one number when asked', async () => {
    rig.sandbox.setFailures([{ kind: 'drop', to, times: 1 }]);
    await expect(rig.generic.send({ to, text: 'dropped text' })).rejects.toThrow();
    expect(rig.sandbox.records.attempts[0]).toMatchObject({
      to,
      text: 'dropped text',
      status: null,
      outcome: 'failed',
    });
    expect((await rig.generic.send({ to: '+15553331111', text: 'x' })).status).toBe(201);

    rig.sandbox.setFailures([{ status: 503, rate: 0.5 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await rig.generic.send({ to, text: `m${i}` })).status);
    const failed = statuses.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(8);
    expect(failed).toBeLessThan(32);
    expect(rig.sandbox.deliveredTo(to)).toHaveLength(40 - failed);
  });

  it('marks unreachable numbers: accepted, never delivered', async () => {
    rig.sandbox.setUnreachable([to]);
    expect((await rig.generic.send({ to, text: 'x' })).status).toBe(201);
    expect(rig.sandbox.sent(to)).toHaveLength(1);
    expect(rig.sandbox.deliveredTo(to)).toEqual([]);
  });

  it('serves the ground truth and failure control over HTTP, with clock timestamps', async () => {
    await rig.generic.send({ to, text: 'first' });
    await rig.clock.advance(90_000);
    await rig.twilio.send({ To: to, From: '+15559990000', Body: 'second' });
    const get = async (path: string): Promise<Json> => (await fetch(`${rig.sandbox.url}${path}`)).json();
    const sms = await get(`/sandbox/sms?to=${encodeURIComponent(to)}`);
    expect(sms.map((s: Json) => [s.shape, s.text, s.acceptedAt])).toEqual([
      ['generic', 'first', start],
      ['twilio', 'second', start + 90_000],
    ]);
    // An unencoded "+" (read as a space in a query string) is taken as the "+" it was meant to be.
    expect(await get(`/sandbox/sms?to=${to}`)).toEqual(sms);
    const truth = await get('/sandbox/truth');
    expect(truth.now).toBe(start + 90_000);
    expect(truth.attempts.map((a: Json) => [a.shape, a.to, a.text, a.outcome])).toEqual([
      ['generic', to, 'first', 'sent'],
      ['twilio', to, 'second', 'sent'],
    ]);
    expect(truth.duplicates).toEqual([]);
    const put = await fetch(`${rig.sandbox.url}/sandbox/failures`, {
      method: 'PUT',
      body: JSON.stringify([{ shape: 'twilio', status: 503 }]),
    });
    expect(put.status).toBe(200);
    expect((await rig.twilio.send({ To: to, From: '+15559990000', Body: 'x' })).status).toBe(503);
    const bad = await fetch(`${rig.sandbox.url}/sandbox/failures`, {
      method: 'PUT',
      body: '[{"status": 99}]',
    });
    expect(bad.status).toBe(400);
  });
});

describe('SMS sandbox command line', () => {
  it('prints one JSON ready line and exits cleanly on SIGINT', async () => {
    const cli = join(import.meta.dirname, '../../../local/sms-sandbox/cli.ts');
    const child = spawn(process.execPath, [cli, '--seed', '2', '--log-level', 'silent'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Attached at spawn: an early exit fails the test at once instead of leaving it waiting.
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const line = await Promise.race([
      new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
      exited.then((code) => {
        throw new Error(`sms-sandbox cli exited with ${code} before its ready line`);
      }),
    ]);
    const ready = JSON.parse(line);
    expect(ready).toMatchObject({ ready: true, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const res = await fetch(`${ready.url}/sandbox/sms`);
    expect(await res.json()).toEqual([]);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

describe('SMS sandbox command line errors', () => {
  const cli = join(import.meta.dirname, '../../../local/sms-sandbox/cli.ts');
  async function runToExit(args: string[]) {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return { code, stdout, stderr };
  }

  it('prints its usage for --help, exit 0', async () => {
    const { code, stdout } = await runToExit(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: node local\/sms-sandbox\/cli\.ts/);
    expect(stdout).toContain('--twilio-account-sid');
  });

  it('answers an unknown option, a bad value and a port in use with one line and exit 2', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      for (const [args, reason] of [
        [['--frobnicate'], /unknown option '--frobnicate'/i],
        [['--time-scale', '0'], /--time-scale must be a number greater than 0/],
        [['--port', '99999'], /--port must be an integer from 0 to 65535/],
        [['--port', String(port)], new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`)],
      ] as const) {
        const { code, stdout, stderr } = await runToExit(['--log-level', 'silent', ...args]);
        expect(code, args.join(' ')).toBe(2);
        expect(stdout).toBe('');
        const lines = stderr.trim().split('\n');
        expect(lines, args.join(' ')).toHaveLength(1);
        expect(lines[0]).toMatch(/^sms-sandbox: /);
        expect(lines[0]).toMatch(reason);
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

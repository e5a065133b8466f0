import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { startWebhookReceiver } from '../../helpers/webhook-receiver.ts';
import { clientToken, payloads, rbmApi, rig } from './setup.ts';

const cli = join(import.meta.dirname, '../../../local/rbm-sandbox/cli.ts');

/**
 * Resolves with the exit code whenever the child exits, attached at spawn time so an early exit
 * (a failed start) is never missed.
 */
function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Runs the CLI to completion (for start-up failures and --help), with a real-time cap. */
async function runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = exitOf(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('starting and stopping', () => {
  it('runs from the command line: handshake, one JSON ready line, real traffic, clean exit on SIGTERM', async () => {
    const receiver = await startWebhookReceiver({ clientToken });
    const config = join(mkdtempSync(join(tmpdir(), 'rbm-sandbox-')), 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ population: { rcsProbability: 1, availability: null, latency: 1_000 } }),
    );
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        cli,
        '--port',
        String(port),
        '--webhook-url',
        receiver.url,
        '--client-token',
        clientToken,
        '--seed',
        '5',
      ].concat(['--time-scale', '100', '--config', config, '--log-level', 'silent']),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = exitOf(child);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    try {
      // Either the ready line or the exit, whichever comes first: a failed start fails here, clearly.
      const firstLine = await Promise.race([
        new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
        exited.then((code) => {
          throw new Error(`cli exited with ${code} before its ready line: ${stderr.trim()}`);
        }),
      ]);
      const ready = JSON.parse(firstLine);
      expect(ready).toMatchObject({
        ready: true,
        url: `http://127.0.0.1:${port}`,
        seed: 5,
        handshake: { ok: true },
      });
      expect(receiver.requests).toHaveLength(1);
      // 1 s of latency at x100 is 10 ms of real time.
      const messageId = randomUUID();
      expect(
        (await rbmApi(ready.url).text('+15550008080', 'from the cli', { messageId, agentId: 'a' })).status,
      ).toBe(200);
      await receiver.waitForDeliveries(1);
      expect(payloads(receiver)[0]).toMatchObject({ eventType: 'DELIVERED', messageId });
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
      await receiver.close();
    }
  });

  it('exits non-zero with the reason when the handshake fails', async () => {
    const receiver = await startWebhookReceiver({ clientToken: 'other' });
    const { code, stderr } = await runToExit(['--webhook-url', receiver.url, '--client-token', clientToken]);
    await receiver.close();
    expect(code).toBe(2);
    expect(stderr).toMatch(/handshake with .* failed \(bad-status\)/);
  });

  it('prints its usage for --help and -h, exit 0', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout } = await runToExit([flag]);
      expect(code, flag).toBe(0);
      expect(stdout).toMatch(/^Usage: node local\/rbm-sandbox\/cli\.ts/);
      for (const option of ['--port', '--webhook-url', '--client-token', '--time-scale', '--config'])
        expect(stdout).toContain(option);
    }
  });

  it('turns every start-up error into one clear line on stderr and exit code 2, never a stack trace', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as { port: number }).port;
    try {
      const cases: Array<[string[], RegExp]> = [
        [['--frobnicate'], /unknown option '--frobnicate'/i],
        [['--port'], /--port needs a value/],
        [['--seed', '3', '--port', '--log-level', 'silent'], /--port needs a value/],
        [['--port', '99999'], /--port must be an integer from 0 to 65535, got "99999"/],
        [['--time-scale', '0'], /--time-scale must be a number greater than 0, got "0"/],
        [['--config', '/nonexistent/sandbox.json'], /cannot read the --config file .*: no such file/],
        [['--handshake', 'maybe'], /--handshake must be required, report or skip/],
        [['--port', String(takenPort)], new RegExp(`port ${takenPort} on 127\\.0\\.0\\.1 is already in use`)],
      ];
      // The processes run side by side; each one's outcome is checked on its own.
      const outcomes = await Promise.all(
        cases.map(([args]) => runToExit(['--log-level', 'silent', ...args])),
      );
      for (const [i, [args, reason]] of cases.entries()) {
        const { code, stdout, stderr } = outcomes[i]!;
        expect(code, args.join(' ')).toBe(2);
        expect(stdout, args.join(' ')).toBe('');
        const lines = stderr.trim().split('\n');
        expect(lines, args.join(' ')).toHaveLength(1);
        expect(lines[0], args.join(' ')).toMatch(/^rbm-sandbox: /);
        expect(lines[0], args.join(' ')).toMatch(reason);
        expect(stderr, args.join(' ')).not.toMatch(/\n\s+at /);
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('refuses a --config file with an unknown key or a bad rule, naming where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rbm-sandbox-'));
    const typo = join(dir, 'typo.json');
    writeFileSync(typo, JSON.stringify({ phone: {} }));
    const badRule = join(dir, 'bad-rule.json');
    writeFileSync(badRule, JSON.stringify({ phones: { '+15550001111': { offline: 'soon' } } }));
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, '{ population: ');
    const cases = [
      [typo, /is not valid: .*phone/],
      [badRule, /is not valid at phones\.\+15550001111\.offline/],
      [notJson, /is not valid JSON/],
    ] as const;
    const outcomes = await Promise.all(cases.map(([file]) => runToExit(['--config', file])));
    for (const [i, [file, reason]] of cases.entries()) {
      const { code, stderr } = outcomes[i]!;
      expect(code, file).toBe(2);
      expect(stderr.trim().split('\n'), file).toHaveLength(1);
      expect(stderr, file).toMatch(reason);
    }
  });

  it('stop() cancels every timer, aborts webhook requests in flight and closes the port', async () => {
    const r = await rig();
    r.sandbox.setPhone('+15550009090', { offline: [{ forMs: 3_600_000 }] });
    await r.api.text('+15550009090', 'queued', {}, { ttl: '600s' });
    r.sandbox.configureWebhook({ batchReceipts: { windowMs: 60_000, maxReceipts: 10 } });
    await r.api.text('+15550009191', 'to be batched');
    await r.clock.advance(2_000);
    r.receiver.hold();
    r.sandbox.userAction('+15550009191', { type: 'text', text: 'stuck' });
    await r.receiver.waitForDeliveries(1);
    expect(r.clock.pending).toBeGreaterThan(0);
    await r.sandbox.stop();
    await r.sandbox.stop();
    expect(r.clock.pending).toBe(0);
    await r.sandbox.idle();
    await expect(fetch(`${r.sandbox.url}/sandbox/clock`)).rejects.toThrow();
    await r.receiver.close();
  });
});

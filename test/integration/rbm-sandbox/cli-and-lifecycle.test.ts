import { spawn } from 'node:child_process';
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
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`cli exited with ${code}`)));
      });
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
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await receiver.close();
    }
  });

  it('exits non-zero with the reason when the handshake fails', async () => {
    const receiver = await startWebhookReceiver({ clientToken: 'other' });
    const child = spawn(
      process.execPath,
      [cli, '--webhook-url', receiver.url, '--client-token', clientToken],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    await receiver.close();
    expect(code).toBe(2);
    expect(stderr).toMatch(/handshake with .* failed \(bad-status\)/);
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

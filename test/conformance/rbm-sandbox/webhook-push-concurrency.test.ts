import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceivedRequest } from '../../helpers/webhook-receiver.ts';
import { type Json, type Rig, rig, unwrap } from './setup.ts';

/**
 * How many webhook POSTs the platform has waiting for an answer at once:
 * one when serial (the default), Pub/Sub push's slow start when adaptive
 * (window 3, +1 per 200, halved per failure), and in both modes a failed
 * payload goes again before anything behind it. The receiver's gate holds
 * every answer, so the held deliveries are exactly the POSTs in flight.
 */

const phone = '+15550002020';
const s = 1_000;

/** Publishes `count` IS_TYPING events, one payload each, in this order. */
async function publish(r: Rig, count: number): Promise<void> {
  for (let i = 0; i < count; i++) r.sandbox.userAction(phone, { type: 'typing' });
  await r.clock.advance(0);
}

const pubsubId = (request: ReceivedRequest): string => unwrap(request).envelope.message.messageId;

/**
 * Waits until the sandbox has taken in an answer that starts no new POST (so there is no
 * delivery to wait for): real I/O, capped in real time, never a stand-in for clock time.
 */
async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('webhook push concurrency', () => {
  let r: Rig;
  afterEach(() => r.close());

  it('serial (the default) never has more than one POST waiting for an answer', async () => {
    r = await rig();
    expect(r.sandbox.webhookSettings().concurrency).toBe('serial');
    const gate = r.receiver.gate();
    await publish(r, 10);
    const order: string[] = [];
    for (let i = 0; i < 10; i++) {
      await gate.waitForHeld(1);
      expect(gate.held).toHaveLength(1);
      expect(r.sandbox.webhookDelivery.inFlight).toBe(1);
      order.push(pubsubId(gate.held[0]!));
      gate.release();
    }
    await r.sandbox.idle();
    expect(r.sandbox.webhookDelivery).toMatchObject({ concurrency: 'serial', inFlight: 0, maxInFlight: 1 });
    // One at a time, in publish order.
    expect(order).toEqual(r.sandbox.truth.webhook.map((d) => d.pubsubMessageId));
    expect(r.sandbox.webhookBacklog).toBe(0);
  });

  it('adaptive opens at 3 POSTs and grows by one per 200: each round of answers doubles it', async () => {
    r = await rig({ webhook: { concurrency: 'adaptive' } });
    const gate = r.receiver.gate();
    await publish(r, 3 + 6 + 12 + 24);
    for (const inFlight of [3, 6, 12, 24]) {
      await gate.waitForHeld(inFlight);
      expect(gate.held).toHaveLength(inFlight);
      expect(r.sandbox.webhookDelivery).toMatchObject({ inFlight, maxInFlight: inFlight, window: inFlight });
      gate.release();
    }
    await r.sandbox.idle();
    expect(r.sandbox.webhookDelivery).toMatchObject({ inFlight: 0, maxInFlight: 24, window: 48 });
    expect(r.sandbox.truth.webhook.every((d) => d.attempts.length === 1 && d.ackedAt !== null)).toBe(true);
  });

  it('adaptive halves on a failed answer and posts nothing new until the failed payload is acknowledged', async () => {
    r = await rig({ webhook: { concurrency: 'adaptive' } });
    const gate = r.receiver.gate();
    await publish(r, 40);
    await gate.waitForHeld(3);
    gate.release();
    await gate.waitForHeld(6);
    expect(r.sandbox.webhookDelivery.window).toBe(6);

    // The oldest of the six fails: the window halves and nothing new starts.
    const failed = pubsubId(gate.held[0]!);
    gate.release(1, 500);
    await until(() => r.sandbox.webhookDelivery.inFlight === 5, 'the 500 to be taken in');
    expect(r.sandbox.webhookDelivery.window).toBe(3);
    // The five still out answer 200: the window grows again, yet nothing that has not failed is
    // posted while the failed payload waits for its retry (head of line).
    gate.release();
    await r.sandbox.idle();
    expect(r.sandbox.webhookDelivery).toMatchObject({ inFlight: 0, window: 8 });
    expect(r.receiver.deliveries()).toHaveLength(9);
    await r.clock.advance(10 * s - 1);
    expect(r.receiver.deliveries()).toHaveLength(9);

    // Its backoff (10 s) over, the failed payload goes alone, ahead of the 31 waiting behind it.
    await r.clock.advance(1);
    await gate.waitForHeld(1);
    expect(gate.held.map(pubsubId)).toEqual([failed]);
    expect(r.sandbox.webhookDelivery.inFlight).toBe(1);
    gate.release();
    // Acknowledged: the window is 9 and the queue moves on, 9 at once.
    await gate.waitForHeld(9);
    expect(r.sandbox.webhookDelivery).toMatchObject({ inFlight: 9, window: 9, maxInFlight: 9 });
    gate.open();
    await r.sandbox.idle();
    expect(r.sandbox.webhookBacklog).toBe(0);
    const record = r.sandbox.truth.webhook.find((d) => d.pubsubMessageId === failed)!;
    expect(record.attempts.map((a) => [a.at - record.createdAt, a.status])).toEqual([
      [0, 500],
      [10 * s, 200],
    ]);
  });

  it('adaptive counts no answer within the ack deadline as a failure too', async () => {
    // The clock alone decides the deadline here, so advancing it is what times the POST out.
    r = await rig({ webhook: { concurrency: 'adaptive', ackDeadlineRealMs: 0 } });
    const gate = r.receiver.gate();
    await publish(r, 3);
    await gate.waitForHeld(3);
    const silent = pubsubId(gate.held[2]!);
    gate.release(2);
    await until(() => r.sandbox.webhookDelivery.inFlight === 1, 'two 200s to be taken in');
    expect(r.sandbox.webhookDelivery.window).toBe(5);
    await r.clock.advance(10 * s);
    await r.sandbox.idle();
    expect(r.sandbox.webhookDelivery.window).toBe(2);
    const record = r.sandbox.truth.webhook.find((d) => d.pubsubMessageId === silent)!;
    expect(record.attempts).toEqual([
      { at: record.createdAt, status: null, error: expect.stringMatching(/^timeout: no answer within/) },
    ]);
  });

  it('is set at start, at runtime over HTTP, and refused when it is neither serial nor adaptive', async () => {
    r = await rig();
    const put = (body: Json) =>
      fetch(`${r.sandbox.url}/sandbox/webhook`, { method: 'PUT', body: JSON.stringify(body) });
    const changed = await put({ concurrency: 'adaptive' });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ concurrency: 'adaptive' });
    expect((await put({ concurrency: 'eager' })).status).toBe(400);
    const delivery = await fetch(`${r.sandbox.url}/sandbox/webhook/delivery`);
    expect(await delivery.json()).toEqual({
      concurrency: 'adaptive',
      inFlight: 0,
      maxInFlight: 0,
      window: 3,
    });
  });
});

describe('--webhook-concurrency', () => {
  const cli = join(import.meta.dirname, '../../../local/rbm-sandbox/cli.ts');

  it('sets the mode from the command line, over the --config file, keeping the file’s other webhook settings', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'rbm-sandbox-')), 'config.json');
    writeFileSync(config, JSON.stringify({ webhook: { concurrency: 'serial', minBackoffMs: 2_000 } }));
    const child = spawn(
      process.execPath,
      [cli, '--webhook-concurrency', 'adaptive', '--config', config, '--log-level', 'silent'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const ready = JSON.parse(
        await new Promise<string>((resolve) =>
          createInterface({ input: child.stdout }).once('line', resolve),
        ),
      );
      const settings = await (await fetch(`${ready.url}/sandbox/webhook`)).json();
      expect(settings).toMatchObject({ concurrency: 'adaptive', minBackoffMs: 2_000 });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('refuses a value that is neither serial nor adaptive: one line, exit 2', async () => {
    const child = spawn(process.execPath, [cli, '--webhook-concurrency', 'eager'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^rbm-sandbox: --webhook-concurrency must be serial or adaptive, got "eager"/),
    ]);
  });
});

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { startRbmSandbox, WebhookHandshakeError } from '../../../local/rbm-sandbox/index.ts';
import { createLogger } from '../../../shared/log/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';
import { clientToken, payloads } from './setup.ts';

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

/**
 * A webhook whose handshake answer is under the test's control: it echoes the secret after
 * `delayMs` of real time, or never answers at all (`delayMs: null`).
 */
async function handshakeServer(
  delayMs: number | null,
): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const state = { requests: 0 };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests += 1;
      if (delayMs === null) return; // accepts, reads, never answers
      const { secret } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(secret), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('the handshake is bounded in real time, whatever the clock', () => {
  it('a webhook that accepts and never answers fails start clearly (reason timeout) within the bound, with a ManualClock', async () => {
    const silent = await handshakeServer(null);
    const { lines, logger } = capturedLogger();
    const clock = new ManualClock();
    const started = performance.now();
    try {
      const failure = await startRbmSandbox({
        clock,
        webhookUrl: silent.url,
        clientToken,
        handshakeTimeoutMs: 300,
        logger,
      }).catch((e: unknown) => e);
      const elapsed = performance.now() - started;
      expect(failure).toBeInstanceOf(WebhookHandshakeError);
      expect((failure as WebhookHandshakeError).result).toEqual({
        ok: false,
        url: silent.url,
        reason: 'timeout',
        status: null,
        detail: expect.stringMatching(
          /accepted the connection but sent no answer within 300 ms of real time/,
        ),
      });
      expect((failure as Error).message).toMatch(/handshake with .* failed \(timeout\)/);
      expect(lines).toContainEqual(expect.objectContaining({ severity: 'ERROR', reason: 'timeout' }));
      expect(silent.requests).toBe(1);
      // The bound is real time: the ManualClock never moved, and start did not hang.
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(3_000);
      expect(clock.pending).toBe(0);
    } finally {
      await silent.close();
    }
  });

  it('a webhook that answers in 30 ms of real time registers at time scale 3600 (2 hours of clock time), every time', async () => {
    const slowish = await handshakeServer(30);
    try {
      for (let i = 0; i < 5; i++) {
        const sandbox = await startRbmSandbox({
          timeScale: 3_600,
          webhookUrl: slowish.url,
          clientToken,
          logLevel: 'silent',
        });
        expect(sandbox.handshake).toEqual({ ok: true, url: slowish.url });
        await sandbox.stop();
      }
      expect(slowish.requests).toBe(5);
    } finally {
      await slowish.close();
    }
  });
});

describe('webhook registration handshake', () => {
  let receiver: WebhookReceiver;
  afterEach(() => receiver.close());

  it('POSTs {clientToken, secret} on start and registers the webhook when the secret comes back', async () => {
    receiver = await startWebhookReceiver({ clientToken });
    const sandbox = await startRbmSandbox({
      clock: new ManualClock(),
      webhookUrl: receiver.url,
      clientToken,
      logLevel: 'silent',
    });
    try {
      expect(receiver.requests).toHaveLength(1);
      const [hello] = receiver.requests;
      expect(hello!.method).toBe('POST');
      expect(hello!.headers['content-type']).toMatch(/application\/json/);
      expect(hello!.headers['x-goog-webhook-type']).toBe('verification');
      expect(Object.keys(hello!.json as object).sort()).toEqual(['clientToken', 'secret']);
      expect((hello!.json as { clientToken: string }).clientToken).toBe(clientToken);
      expect(sandbox.handshake).toEqual({ ok: true, url: receiver.url });
      expect(sandbox.webhookSettings().url).toBe(receiver.url);
    } finally {
      await sandbox.stop();
    }
  });

  it('fails start with a typed error and a log line when the webhook answers the wrong secret', async () => {
    receiver = await startWebhookReceiver({ clientToken });
    receiver.handshake = 'wrong-secret';
    const { lines, logger } = capturedLogger();
    const failure = await startRbmSandbox({
      clock: new ManualClock(),
      webhookUrl: receiver.url,
      clientToken,
      logger,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WebhookHandshakeError);
    expect((failure as WebhookHandshakeError).result).toMatchObject({
      ok: false,
      reason: 'wrong-secret',
      status: 200,
    });
    expect((failure as Error).message).toMatch(/handshake with .* failed \(wrong-secret\)/);
    expect(lines).toContainEqual(
      expect.objectContaining({ severity: 'ERROR', reason: 'wrong-secret', url: receiver.url }),
    );
  });

  it('reports a refusal (the token did not match) and an unreachable webhook', async () => {
    receiver = await startWebhookReceiver({ clientToken: 'another-token' });
    const refused = await startRbmSandbox({
      clock: new ManualClock(),
      webhookUrl: receiver.url,
      clientToken,
      logLevel: 'silent',
    }).catch((e: WebhookHandshakeError) => e.result);
    expect(refused).toMatchObject({ ok: false, reason: 'bad-status', status: 403 });

    const deadUrl = receiver.url;
    await receiver.close();
    const unreachable = await startRbmSandbox({
      clock: new ManualClock(),
      webhookUrl: deadUrl,
      clientToken,
      logLevel: 'silent',
    }).catch((e: WebhookHandshakeError) => e.result);
    expect(unreachable).toMatchObject({ ok: false, reason: 'unreachable', status: null });
    receiver = await startWebhookReceiver({ clientToken });
  });

  it("in 'report' mode starts anyway, keeps the failed result and still delivers", async () => {
    receiver = await startWebhookReceiver({ clientToken });
    receiver.handshake = 500;
    const clock = new ManualClock();
    const sandbox = await startRbmSandbox({
      clock,
      webhookUrl: receiver.url,
      clientToken,
      handshake: 'report',
      logLevel: 'silent',
    });
    try {
      expect(sandbox.handshake).toMatchObject({ ok: false, reason: 'bad-status', status: 500 });
      sandbox.userAction('+15550001234', { type: 'text', text: 'hi' });
      await clock.advance(0);
      await sandbox.idle();
      expect(payloads(receiver).map((p) => p.text)).toEqual(['hi']);
      // Re-running the handshake over HTTP once the webhook is fixed.
      receiver.handshake = 'echo';
      const res = await fetch(`${sandbox.url}/sandbox/webhook/handshake`, { method: 'POST' });
      expect(await res.json()).toEqual({ ok: true, url: receiver.url });
    } finally {
      await sandbox.stop();
    }
  });
});

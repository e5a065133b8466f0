import { afterEach, describe, expect, it } from 'vitest';
import { startRbmSandbox } from '../../../local/rbm-sandbox/index.ts';
import { startWebhookReceiver } from '../../helpers/webhook-receiver.ts';
import { clientToken, payloads, quietPopulation, type Rig, rig, start } from './setup.ts';

const phone = '+15550001010';
const s = 1_000;

describe('webhook delivery retries', () => {
  let r: Rig;
  afterEach(() => r.close());

  it('retries anything but 200 with growing backoff until a 200, redelivering the same message', async () => {
    r = await rig();
    // 204 and 404 are failures too: only 200 acknowledges.
    r.receiver.answerNext(500, 503, 204, 404);
    r.sandbox.userAction(phone, { type: 'text', text: 'hello' });
    await r.advance(0);
    const attemptsAt: number[] = [r.clock.now()];
    // Backoff 10 s, 20 s, 40 s, 80 s: nothing arrives a moment before each.
    for (const wait of [10 * s, 20 * s, 40 * s, 80 * s]) {
      const before = r.receiver.deliveries().length;
      await r.advance(wait - 1);
      expect(r.receiver.deliveries()).toHaveLength(before);
      await r.advance(1);
      expect(r.receiver.deliveries()).toHaveLength(before + 1);
      attemptsAt.push(r.clock.now());
    }
    const record = r.sandbox.truth.webhook[0]!;
    expect(record.attempts.map((a) => [a.at - start, a.status])).toEqual([
      [0, 500],
      [10 * s, 503],
      [30 * s, 204],
      [70 * s, 404],
      [150 * s, 200],
    ]);
    expect(record.ackedAt).toBe(start + 150 * s);
    // Every attempt carried the same Pub/Sub message and the same bytes.
    const sent = r.receiver.deliveries().map((q) => q.raw.toString());
    expect(new Set(sent).size).toBe(1);
    expect(r.sandbox.webhookBacklog).toBe(0);
  });

  it('caps the backoff like the platform (600 s by default, configurable here)', async () => {
    r = await rig({ webhook: { minBackoffMs: 200 * s } });
    r.receiver.respondWith(() => ({ status: 500 }));
    r.sandbox.userAction(phone, { type: 'typing' });
    await r.advance(0);
    const attempts = () => r.sandbox.truth.webhook[0]!.attempts.length;
    // Each retry comes exactly one (capped) backoff after the previous failure, not a moment sooner.
    for (const gap of [200 * s, 400 * s, 600 * s, 600 * s, 600 * s]) {
      const before = attempts();
      await r.advance(gap - 1);
      expect(attempts()).toBe(before);
      await r.advance(1);
      expect(attempts()).toBe(before + 1);
    }
  });

  it('counts no answer within the ack deadline (on by default, 10 s) as a failure once a real-time floor has passed too, and retries with backoff', async () => {
    // The default ack deadline (10 s of clock time) with the real-time floor shortened for the test.
    r = await rig({ webhook: { ackDeadlineRealMs: 200 } });
    expect(r.sandbox.webhookSettings()).toMatchObject({ ackDeadlineMs: 10 * s, ackDeadlineRealMs: 200 });
    // The webhook accepts the first two deliveries and never answers them; then it recovers.
    let seen = 0;
    r.receiver.respondWith(() => {
      seen += 1;
      return seen <= 2 ? new Promise(() => {}) : { status: 200 };
    });
    r.sandbox.userAction(phone, { type: 'typing' });
    await r.clock.advance(0);
    await r.receiver.waitForDeliveries(1);
    const record = r.sandbox.truth.webhook[0]!;

    // Real time alone does not fail it: the clock deadline has not passed.
    await r.clock.advance(10 * s - 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(record.attempts).toEqual([]);
    expect(r.sandbox.webhookBacklog).toBe(1);
    // Clock deadline reached, and the real floor is long past: the attempt fails now.
    await r.advance(1);
    expect(record.attempts).toEqual([
      {
        at: start,
        status: null,
        error: expect.stringMatching(/^timeout: no answer within the ack deadline/),
      },
    ]);

    // Retried one backoff (10 s) after the failure was seen, at 20 s: silent again.
    await r.clock.advance(10 * s - 1);
    expect(r.receiver.deliveries()).toHaveLength(1);
    await r.clock.advance(1);
    await r.receiver.waitForDeliveries(2);
    // The clock deadline passes at once, but the attempt waits for the real-time floor too.
    const realStart = performance.now();
    await r.advance(10 * s);
    expect(performance.now() - realStart).toBeGreaterThanOrEqual(150);
    expect(record.attempts.map((a) => [a.at - start, a.status])).toEqual([
      [0, null],
      [20 * s, null],
    ]);
    // Second failure seen at 30 s: the backoff doubles to 20 s, and the webhook has recovered.
    await r.advance(20 * s - 1);
    expect(r.receiver.deliveries()).toHaveLength(2);
    await r.advance(1);
    expect(record.attempts.map((a) => [a.at - start, a.status])).toEqual([
      [0, null],
      [20 * s, null],
      [50 * s, 200],
    ]);
    expect(record.ackedAt).toBe(start + 50 * s);
    expect(r.sandbox.webhookBacklog).toBe(0);
  });

  it('waits for the answer however long it takes when the ack deadline is turned off (null)', async () => {
    r = await rig({ webhook: { ackDeadlineMs: null, ackDeadlineRealMs: 0 } });
    const held = r.receiver.hold();
    r.sandbox.userAction(phone, { type: 'typing' });
    await r.clock.advance(0);
    await r.receiver.waitForDeliveries(1);
    await r.clock.advance(3_600 * s);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.sandbox.truth.webhook[0]!.attempts).toEqual([]);
    held.release();
    await r.sandbox.idle();
    expect(r.sandbox.truth.webhook[0]!.attempts).toEqual([{ at: start, status: 200 }]);
  });

  it('gives up after the retention period (7 days by default)', async () => {
    r = await rig({ webhook: { retentionMs: 60 * s, minBackoffMs: 25 * s } });
    r.receiver.respondWith(() => ({ status: 503 }));
    r.sandbox.userAction(phone, { type: 'typing' });
    r.sandbox.userAction(phone, { type: 'text', text: 'next' });
    await r.advance(0);
    await r.advance(25 * s);
    await r.advance(50 * s);
    const [first, second] = r.sandbox.truth.webhook;
    // Failed at 75 s, past the 60 s retention: dropped, no fourth try.
    expect(first!.attempts.map((a) => a.at - start)).toEqual([0, 25 * s, 75 * s]);
    expect(first!.droppedAt).toBe(start + 75 * s);
    // The queue moved on to the next payload.
    expect(second!.attempts.length).toBeGreaterThan(0);
    expect(payloads(r.receiver).at(-1).text).toBe('next');
  });
});

describe('the ack deadline at any time scale', () => {
  it('never times out a healthy webhook at a huge time scale: 50 ms of real time is 3 minutes of clock time at x3600', async () => {
    const receiver = await startWebhookReceiver({ clientToken });
    const sandbox = await startRbmSandbox({
      timeScale: 3_600,
      webhookUrl: receiver.url,
      clientToken,
      logLevel: 'silent',
      population: quietPopulation,
    });
    try {
      receiver.respondWith(() => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 50)));
      for (const text of ['one', 'two', 'three']) sandbox.userAction(phone, { type: 'text', text });
      await receiver.waitForDeliveries(3);
      await sandbox.idle();
      expect(sandbox.truth.webhook.map((d) => d.attempts.map((a) => a.status))).toEqual([
        [200],
        [200],
        [200],
      ]);
      expect(payloads(receiver).map((p) => p.text)).toEqual(['one', 'two', 'three']);
    } finally {
      await sandbox.stop();
      await receiver.close();
    }
  });
});

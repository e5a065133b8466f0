import { afterEach, describe, expect, it } from 'vitest';
import { payloads, type Rig, rig, start } from './setup.ts';

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

  it('counts no answer within the ack deadline as a failure when a deadline is set', async () => {
    r = await rig({ webhook: { ackDeadlineMs: 10 * s } });
    const held = r.receiver.hold();
    r.sandbox.userAction(phone, { type: 'typing' });
    await r.clock.advance(0);
    await r.receiver.waitForDeliveries(1);
    await r.clock.advance(10 * s);
    await r.sandbox.idle();
    held.release();
    expect(r.sandbox.truth.webhook[0]!.attempts).toEqual([
      { at: start, status: null, error: expect.stringMatching(/ack deadline/) },
    ]);
    await r.advance(10 * s);
    expect(r.sandbox.truth.webhook[0]!.attempts.at(-1)).toMatchObject({ status: 200 });
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

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { payloads, type Rig, rig } from './setup.ts';

const phone = '+15550006060';

describe('fault injection per endpoint', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('answers 5xx in Google error JSON before the request takes effect', async () => {
    r.sandbox.setFaults([{ endpoint: 'send', kind: 'error', status: 503, times: 1 }]);
    const messageId = randomUUID();
    const res = await r.api.text(phone, 'hi', { messageId });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
    expect(r.sandbox.truth.message(messageId)).toBeUndefined();
    // Only the send endpoint, and only once.
    expect((await r.api.capabilities(phone)).status).toBe(200);
    expect((await r.api.text(phone, 'hi', { messageId })).status).toBe(200);
  });

  it("with phase 'after' the send takes effect and the answer is lost: the retry with the same id is ignored", async () => {
    r.sandbox.setFaults([{ endpoint: 'send', kind: 'error', status: 500, phase: 'after', times: 1 }]);
    const messageId = randomUUID();
    expect((await r.api.text(phone, 'once', { messageId })).status).toBe(500);
    expect(r.sandbox.truth.message(messageId)!.status).toBe('queued');
    expect((await r.api.text(phone, 'once', { messageId })).status).toBe(200);
    await r.advance(2_000);
    expect(payloads(r.receiver).filter((p) => p.messageId === messageId)).toHaveLength(1);
    expect(r.sandbox.truth.message(messageId)!.ignoredResends).toBe(1);
  });

  it('answers 429 RESOURCE_EXHAUSTED with Retry-After', async () => {
    r.sandbox.setFaults([{ endpoint: 'revoke', kind: 'rate-limit', retryAfterSeconds: 7 }]);
    const res = await r.api.revoke(phone, randomUUID());
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
  });

  it('answers late in clock time when slow', async () => {
    r.sandbox.setFaults([{ endpoint: 'capabilities', kind: 'slow', delayMs: 30_000 }]);
    let answered = false;
    const pending = r.api.capabilities(phone).then((res) => {
      answered = true;
      return res;
    });
    await vi.waitFor(() => expect(r.clock.pending).toBe(1));
    await r.clock.advance(29_999);
    expect(answered).toBe(false);
    await r.clock.advance(1);
    expect((await pending).status).toBe(200);
  });

  it('drops the connection, before or after the request took effect', async () => {
    r.sandbox.setFaults([
      { endpoint: 'send', kind: 'drop', times: 1 },
      { endpoint: 'send', kind: 'drop', phase: 'after', times: 1 },
    ]);
    const [before, after] = [randomUUID(), randomUUID()];
    await expect(r.api.text(phone, 'x', { messageId: before })).rejects.toThrow();
    expect(r.sandbox.truth.message(before)).toBeUndefined();
    await expect(r.api.text(phone, 'x', { messageId: after })).rejects.toThrow();
    expect(r.sandbox.truth.message(after)).toBeDefined();
  });

  it('hits about the configured share of requests, the same ones for the same seed', async () => {
    const pattern = async (rr: Rig) => {
      rr.sandbox.setFaults([{ endpoint: '*', kind: 'error', status: 500, rate: 0.25 }]);
      const statuses: number[] = [];
      for (let i = 0; i < 80; i++) statuses.push((await rr.api.capabilities(phone)).status);
      return statuses;
    };
    const first = await pattern(r);
    const failures = first.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(10);
    expect(failures).toBeLessThan(30);
    const again = await rig();
    try {
      expect(await pattern(again)).toEqual(first);
    } finally {
      await again.close();
    }
  });

  it('sets faults over HTTP too', async () => {
    const res = await fetch(`${r.sandbox.url}/sandbox/faults`, {
      method: 'PUT',
      body: JSON.stringify([{ endpoint: 'agentEvent', kind: 'error', status: 502 }]),
    });
    expect(res.status).toBe(200);
    expect((await r.api.agentEvent(phone, { eventType: 'IS_TYPING' })).status).toBe(502);
    const bad = await fetch(`${r.sandbox.url}/sandbox/faults`, {
      method: 'PUT',
      body: JSON.stringify([{ endpoint: 'everything', kind: 'error' }]),
    });
    expect(bad.status).toBe(400);
  });
});

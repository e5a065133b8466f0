import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { payloads, type Rig, rig, start } from './setup.ts';

const phone = '+15550006666';
const minutes = 60_000;

describe('offline phones', () => {
  let r: Rig;
  afterEach(() => r.close());

  it('holds the queue while the phone is off and delivers it on return, except what was revoked', async () => {
    r = await rig();
    r.sandbox.setPhone(phone, { offline: [{ forMs: 20 * minutes }], latency: 1_000 });
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [a, b, c]) await r.api.text(phone, 'hello', { messageId: id });
    await r.advance(10 * minutes);
    expect((await r.api.revoke(phone, b)).status).toBe(200);
    await r.advance(10 * minutes - 1);
    expect(payloads(r.receiver)).toEqual([]);
    expect(r.sandbox.truth.phone(phone)).toMatchObject({
      online: false,
      received: [],
      offlineWindows: [{ from: start, to: start + 20 * minutes }],
    });
    await r.advance(1 + 1_000);
    expect(
      payloads(r.receiver)
        .map((p) => p.messageId)
        .sort(),
    ).toEqual([a, c].sort());
    for (const id of [a, c])
      expect(r.sandbox.truth.message(id)!.deliveredAt).toBe(start + 20 * minutes + 1_000);
    expect(r.sandbox.truth.message(b)!.deliveredAt).toBeNull();
    expect(r.sandbox.truth.phone(phone)!.online).toBe(true);
  });

  it('follows the offline spells drawn from the seed: a message waits for the end of the spell', async () => {
    r = await rig({
      population: { availability: { meanOnlineMs: 30 * minutes, meanOfflineMs: 30 * minutes }, latency: 500 },
    });
    // Find numbers whose drawn schedule has them offline right now.
    const sent: Array<{ phone: string; id: string; backAt: number }> = [];
    for (let i = 0; sent.length < 3 && i < 200; i++) {
      const number = `+1555010${String(i).padStart(4, '0')}`;
      const id = randomUUID();
      await r.api.text(number, 'hi', { messageId: id });
      const truth = r.sandbox.truth.phone(number)!;
      if (!truth.online) sent.push({ phone: number, id, backAt: truth.offlineWindows[0]!.to });
    }
    expect(sent).toHaveLength(3);
    await r.advance(24 * 60 * minutes);
    for (const { id, backAt } of sent) {
      expect(r.sandbox.truth.message(id)!.deliveredAt).toBe(backAt + 500);
    }
  });
});

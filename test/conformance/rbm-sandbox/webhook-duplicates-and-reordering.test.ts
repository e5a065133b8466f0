import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, rig, unwrap } from './setup.ts';

const phone = '+15550002020';

function arrivals(r: Rig): Array<{ id: string; text: string; raw: string }> {
  return r.receiver.deliveries().map((q) => {
    const { envelope, payload } = unwrap(q);
    return { id: envelope.message.messageId, text: payload.text, raw: q.raw.toString() };
  });
}

async function typeMessages(r: Rig, count: number, gapMs: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    r.sandbox.userAction(phone, { type: 'text', text: `m${i}` });
    await r.advance(gapMs);
  }
}

describe('at-least-once delivery: duplicates and reordering', () => {
  let r: Rig;
  afterEach(() => r.close());

  it('redelivers acknowledged payloads at the duplicate rate, byte for byte with the same Pub/Sub id', async () => {
    r = await rig({ webhook: { duplicateRate: 1 } });
    await typeMessages(r, 3, 1_000);
    const got = arrivals(r);
    expect(got).toHaveLength(6);
    for (const text of ['m0', 'm1', 'm2']) {
      const copies = got.filter((a) => a.text === text);
      expect(copies).toHaveLength(2);
      expect(copies[0]!.id).toBe(copies[1]!.id);
      expect(copies[0]!.raw).toBe(copies[1]!.raw);
    }
    expect(r.sandbox.truth.webhook.filter((d) => d.duplicate)).toHaveLength(3);
  });

  it('duplicates about the configured share, and none at rate 0', async () => {
    r = await rig({ webhook: { duplicateRate: 0.3 } });
    await typeMessages(r, 100, 1_000);
    const duplicates = r.sandbox.truth.webhook.filter((d) => d.duplicate).length;
    expect(duplicates).toBeGreaterThan(15);
    expect(duplicates).toBeLessThan(45);
    expect(arrivals(r)).toHaveLength(100 + duplicates);
    await r.close();

    r = await rig({ webhook: { duplicateRate: 0 } });
    await typeMessages(r, 30, 1_000);
    expect(arrivals(r)).toHaveLength(30);
  });

  it('holds a payload back at the reorder rate so later ones overtake it; nothing is lost', async () => {
    r = await rig({ webhook: { reorderRate: 1, reorderDelayMs: 5_000 } });
    r.sandbox.userAction(phone, { type: 'text', text: 'first' });
    await r.advance(1_000);
    r.sandbox.configureWebhook({ reorderRate: 0 });
    r.sandbox.userAction(phone, { type: 'text', text: 'second' });
    await r.advance(10_000);
    expect(arrivals(r).map((a) => a.text)).toEqual(['second', 'first']);
    expect(r.sandbox.truth.webhook.map((d) => d.reordered)).toEqual([true, false]);

    r.sandbox.configureWebhook({ reorderRate: 0.5 });
    await typeMessages(r, 20, 1_000);
    await r.advance(10_000);
    const texts = arrivals(r)
      .slice(2)
      .map((a) => a.text);
    const created = Array.from({ length: 20 }, (_, i) => `m${i}`);
    expect(texts).not.toEqual(created);
    expect([...texts].sort()).toEqual([...created].sort());
  });
});

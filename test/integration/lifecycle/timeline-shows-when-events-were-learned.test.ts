import { describe, expect, it } from 'vitest';
import { readReport } from '../../../shared/report/read.ts';
import { expectConsistentWithTruth, promoRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * A message's timeline shows, for each platform event, when the system
 * learned of it, not only the platform's time: with every webhook post held
 * back 45 s, the DELIVERED and the READ were each stored 45 s after their
 * platform times, and GET /messages/{id} says so (learnedAfterMs), and so
 * does the report's webhook lag.
 */

const heldBackMs = 45_000;
const phone = '+14155550701';
const h = useStack({
  webhook: { reorderRate: 1, reorderDelayMs: heldBackMs },
  phones: {
    [phone]: {
      rcs: true,
      offline: [],
      latency: { median: 2_000, spread: 0 },
      read: { probability: 1, delay: { median: 20_000, spread: 0 } },
    },
  },
});

describe('the timeline', () => {
  it('gives each platform event the time the system learned of it', async () => {
    const id = await sendOk(h, promoRequest(phone));
    await h.advance(30 * 60_000);
    const { message, truth, view } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('read');
    const platform = view.timeline.filter((e: { source: string }) => e.source === 'platform');
    expect(platform.map((e: { type: string }) => e.type).sort()).toEqual(['DELIVERED', 'READ']);
    for (const entry of platform) {
      const at = new Date(entry.at).getTime();
      const receivedAt = new Date(entry.receivedAt).getTime();
      expect(at).toBe(entry.type === 'DELIVERED' ? truth?.deliveredAt : truth?.readAt);
      expect(receivedAt - at).toBe(heldBackMs);
      expect(entry.learnedAfterMs).toBe(heldBackMs);
    }
    // System steps have no such figure.
    const registered = view.timeline.find((e: { type: string }) => e.type === 'REGISTERED');
    expect(registered.learnedAfterMs).toBeUndefined();
  });

  it("the report's webhook lag is the time the posts were held back", async () => {
    const report = await readReport(h.stack.db);
    expect(report.overall.delivered).toBe(1);
    expect(report.overall.webhookLagMs.delivered).toMatchObject({
      count: 1,
      p50: heldBackMs,
      max: heldBackMs,
    });
    expect(report.overall.webhookLagMs.read).toMatchObject({ count: 1, p50: heldBackMs, max: heldBackMs });
  });
});

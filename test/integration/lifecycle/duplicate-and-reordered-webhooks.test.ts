import { expect, it } from 'vitest';
import { expectConsistentWithTruth, otpRequest, promoRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

// The platform's queue redelivers every payload once more and holds some back, so they arrive out of order.
const h = useStack({ webhook: { duplicateRate: 1, reorderRate: 0.5, reorderDelayMs: 15_000 } });

it('every event is stored once and every message ends as the phones say, despite duplicates and reordering', async () => {
  const phones = ['+14155550601', '+14155550602', '+14155550603', '+14155550604'];
  h.stack.rbm.setPhone(phones[0]!, {
    rcs: true,
    offline: [],
    read: { probability: 1, delay: { median: 5_000, spread: 0 } },
  });
  h.stack.rbm.setPhone(phones[1]!, { rcs: true, offline: [], neverReads: true });
  h.stack.rbm.setPhone(phones[2]!, { rcs: true, offline: [{ forMs: 3_600_000 }] });
  h.stack.rbm.setPhone(phones[3]!, {
    rcs: true,
    offline: [{ forMs: 3_600_000 }],
    neverReads: true,
    racesRevoke: { answer: 200, deliveredAfterMs: 1_000, times: 1 },
  });
  const ids = [
    await sendOk(h, promoRequest(phones[0]!)),
    await sendOk(h, otpRequest(phones[1]!)),
    await sendOk(h, promoRequest(phones[2]!)),
    await sendOk(h, promoRequest(phones[3]!)),
  ];
  await h.advance(3 * 3_600_000);

  const redelivered = h.stack.rbm.truth.webhook.filter((d) => d.duplicate).length;
  expect(redelivered).toBeGreaterThan(0);
  const statuses = [];
  for (const id of ids) {
    const { message, view } = await expectConsistentWithTruth(h, id);
    statuses.push(message.status);
    // One timeline entry per platform event id, however often it was posted.
    const platform = view.timeline.filter((e: { source: string }) => e.source === 'platform');
    const ids = platform.map((e: { id: string }) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const sentForMessage = h.stack.rbm.truth.webhookFor(id).filter((d) => !d.duplicate).length;
    expect(platform).toHaveLength(sentForMessage);
  }
  expect(statuses).toEqual(['read', 'delivered', 'sms_sent', 'delivered']);
});

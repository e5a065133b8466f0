import { describe, expect, it } from 'vitest';
import type { WebhookDeliveryTruth } from '../../local/rbm-sandbox/index.ts';
import { webhookDeliverySummary } from '../../local/stack/webhook-delivery-summary.ts';

const record = (createdAt: number, ackedAt: number | null, duplicate = false): WebhookDeliveryTruth => ({
  pubsubMessageId: String(createdAt),
  eventId: null,
  kind: 'user-event',
  label: 'DELIVERED',
  messageIds: [],
  phoneNumber: null,
  createdAt,
  attempts: [],
  ackedAt,
  duplicate,
  reordered: false,
  droppedAt: null,
});

describe('the demo summary line on webhook delivery', () => {
  it('gives the nearest-rank p50 and the max of publish-to-200 lag over first deliveries, and the most in flight', () => {
    const records = [
      record(0, 100),
      record(0, 2_500),
      record(0, 400),
      record(0, 90_000),
      // A duplicate keeps its original publish time: left out, or it would be the max.
      record(0, 3_600_000, true),
      record(5_000, null),
    ];
    expect(
      webhookDeliverySummary(records, { concurrency: 'adaptive', inFlight: 0, maxInFlight: 7, window: 12 }),
    ).toBe(
      'webhook (adaptive): 4 events acknowledged, 1 not; lag p50 400 ms, max 1.5 min (publish to 200, clock time); at most 7 POSTs in flight at once',
    );
  });

  it('says so when nothing was delivered', () => {
    expect(
      webhookDeliverySummary([], { concurrency: 'serial', inFlight: 0, maxInFlight: 0, window: 3 }),
    ).toBe(
      'webhook (serial): 0 events acknowledged; lag p50 —, max — (publish to 200, clock time); at most 0 POSTs in flight at once',
    );
    expect(
      webhookDeliverySummary([record(0, 1_000)], {
        concurrency: 'serial',
        inFlight: 0,
        maxInFlight: 1,
        window: 3,
      }),
    ).toMatch(/at most 1 POST in flight at once$/);
  });
});

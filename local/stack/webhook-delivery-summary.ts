import { percentile } from '../../shared/report/stats.ts';
import type { DeliveryStats, WebhookDeliveryTruth } from '../rbm-sandbox/index.ts';
import { formatDuration } from '../report/format.ts';

/**
 * The demo summary's line on the webhook side: how long the platform's events
 * took to reach the product (publish time to the webhook's 200, clock time)
 * and the most POSTs that waited for an answer at once, from the sandbox's
 * ground truth. With serial delivery every slow answer adds to the lag of all
 * the events behind it; this line shows how much.
 */
export function webhookDeliverySummary(
  records: readonly WebhookDeliveryTruth[],
  delivery: DeliveryStats,
): string {
  // A redelivered duplicate keeps its original publish time, so its lag would measure the
  // sandbox's duplicate delay rather than the queue: only first deliveries count.
  const lags = records
    .filter((r) => !r.duplicate && r.ackedAt !== null)
    .map((r) => r.ackedAt! - r.createdAt)
    .sort((a, b) => a - b);
  const unacked = records.filter((r) => !r.duplicate && r.ackedAt === null).length;
  return (
    `webhook (${delivery.concurrency}): ${lags.length} events acknowledged` +
    `${unacked > 0 ? `, ${unacked} not` : ''}; lag p50 ${formatDuration(percentile(lags, 50))}, ` +
    `max ${formatDuration(lags.at(-1) ?? null)} (publish to 200, clock time); ` +
    `at most ${delivery.maxInFlight} POST${delivery.maxInFlight === 1 ? '' : 's'} in flight at once`
  );
}

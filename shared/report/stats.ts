import type { DeliverySample, Distribution, ScopeCounts, ScopeReport } from './types.ts';

/**
 * Nearest-rank percentile: the smallest observed value such that at least
 * p % of the values are less than or equal to it (sorted[ceil(p/100 · n) − 1]).
 * Always one of the observations, never an interpolation. Null for no values.
 */
export function percentile(sortedAscending: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const n = sortedAscending.length;
  if (n === 0) return null;
  return sortedAscending[Math.ceil((p / 100) * n) - 1]!;
}

/** Histogram bin edges for durations (ms): roughly ×2 steps from 1 s to a day, then open. */
export const histogramEdgesMs: readonly number[] = [
  0,
  1_000,
  2_000,
  5_000,
  10_000,
  20_000,
  30_000,
  60_000,
  2 * 60_000,
  5 * 60_000,
  10 * 60_000,
  20 * 60_000,
  30 * 60_000,
  3_600_000,
  2 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
  24 * 3_600_000,
];

export function histogram(values: readonly number[]): Distribution['histogram'] {
  const bins = histogramEdgesMs.map((fromMs, i) => ({
    fromMs,
    toMs: histogramEdgesMs[i + 1] ?? null,
    count: 0,
  }));
  for (const v of values) {
    // Last bin whose lower edge is <= v (values below 0 go to the first bin).
    let i = bins.length - 1;
    while (i > 0 && v < bins[i]!.fromMs) i--;
    bins[i]!.count += 1;
  }
  return bins;
}

export function summarize(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    count: n,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    min: n === 0 ? null : sorted[0]!,
    max: n === 0 ? null : sorted[n - 1]!,
    mean: n === 0 ? null : sorted.reduce((sum, v) => sum + v, 0) / n,
    histogram: histogram(sorted),
  };
}

/** part / whole, or null when whole is 0 (no rate rather than a misleading 0 % or NaN). */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/**
 * Time to deliver: deliveredAt − send.at. A DELIVERED can carry a platform
 * time a little before our own send time was taken (the clocks differ, or the
 * webhook heard of the message before the send call returned): such a
 * message counts as delivered in 0 ms rather than in negative time.
 */
export function timeToDeliver(sample: DeliverySample): number | undefined {
  if (sample.sendAt === null) return undefined;
  return Math.max(0, sample.deliveredAt - sample.sendAt);
}

/** Time to read: readAt − send.at (from the send, like time to deliver, so the two compare). */
export function timeToRead(sample: DeliverySample): number | undefined {
  if (sample.sendAt === null || sample.readAt === null) return undefined;
  return Math.max(0, sample.readAt - sample.sendAt);
}

/**
 * The webhook lag of a delivered message: learned-at minus the platform's time, for the
 * delivery and the READ. Never negative: the platform's clock may run a little ahead of ours.
 */
export function webhookLag(sample: DeliverySample): { delivered?: number; read?: number } {
  const lag: { delivered?: number; read?: number } = {};
  if (sample.deliveredLearnedAt !== null)
    lag.delivered = Math.max(0, sample.deliveredLearnedAt - sample.deliveredAt);
  if (sample.readLearnedAt !== null && sample.readAt !== null)
    lag.read = Math.max(0, sample.readLearnedAt - sample.readAt);
  return lag;
}

/**
 * One scope's figures from its aggregation counts and the delivered messages
 * read for the distributions (those whose createdAt is in the scope).
 */
export function buildScope(counts: ScopeCounts, delivered: readonly DeliverySample[]): ScopeReport {
  const tracked = counts.messages - counts.byStatus.untracked;
  const rcsSent = tracked - counts.notRcs;
  const deliveredCount = counts.byStatus.delivered + counts.byStatus.read + counts.byStatus.duplicate;
  const ttd: number[] = [];
  const ttr: number[] = [];
  const deliveredLag: number[] = [];
  const readLag: number[] = [];
  let read = 0;
  for (const sample of delivered) {
    const d = timeToDeliver(sample);
    if (d !== undefined) ttd.push(d);
    if (sample.readAt !== null) read += 1;
    const r = timeToRead(sample);
    if (r !== undefined) ttr.push(r);
    const lag = webhookLag(sample);
    if (lag.delivered !== undefined) deliveredLag.push(lag.delivered);
    if (lag.read !== undefined) readLag.push(lag.read);
  }
  return {
    messages: counts.messages,
    byStatus: { ...counts.byStatus },
    tracked,
    untracked: counts.byStatus.untracked,
    rcsSent,
    notRcs: counts.notRcs,
    delivered: deliveredCount,
    read,
    deliveryRate: rate(deliveredCount, rcsSent),
    readRate: rate(read, deliveredCount),
    timeToDeliverMs: summarize(ttd),
    timeToReadMs: summarize(ttr),
    webhookLagMs: { delivered: summarize(deliveredLag), read: summarize(readLag) },
    revocation: { ...counts.revocation },
    fallback: { ...counts.fallback },
    capabilityChecks: { ...counts.capabilityChecks },
    escalation: {
      ...counts.escalation,
      readAfterNudgeRate: rate(counts.escalation.readAfterNudge, counts.escalation.sent),
    },
    duplicateDeliveries: counts.duplicateDeliveries,
    lateDeliveries: counts.lateDeliveries,
    sendLatencyMsAvg: counts.sendLatencyMsAvg,
    sweepRedrives: counts.sweepRedrives,
  };
}

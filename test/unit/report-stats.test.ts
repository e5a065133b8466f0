import { describe, expect, it } from 'vitest';
import {
  buildScope,
  histogram,
  percentile,
  rate,
  summarize,
  timeToDeliver,
  timeToRead,
  webhookLag,
} from '../../shared/report/stats.ts';
import { type DeliverySample, type ScopeCounts, statuses } from '../../shared/report/types.ts';

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('on 1..100 the p-th percentile is p', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 90)).toBe(90);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
  });

  it('is always an observed value, never an interpolation', () => {
    const values = [10, 20, 30, 40];
    expect(percentile(values, 50)).toBe(20); // ceil(0.5 * 4) = 2nd value
    expect(percentile(values, 51)).toBe(30);
    expect(percentile(values, 90)).toBe(40);
    expect(percentile(values, 1)).toBe(10);
  });

  it('with one value every percentile is that value; with none, null', () => {
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('refuses a percentile outside (0, 100]', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts numerically (not as strings) before taking percentiles', () => {
    const d = summarize([900, 10_000, 2_000, 100, 30_000]);
    expect(d).toMatchObject({ count: 5, min: 100, max: 30_000, p50: 2_000, p90: 30_000, p99: 30_000 });
    expect(d.mean).toBe((900 + 10_000 + 2_000 + 100 + 30_000) / 5);
  });

  it('with no values: count 0 and nulls, the histogram still complete', () => {
    const d = summarize([]);
    expect(d).toMatchObject({ count: 0, p50: null, p90: null, p99: null, min: null, max: null, mean: null });
    expect(d.histogram.every((b) => b.count === 0)).toBe(true);
    expect(d.histogram.length).toBeGreaterThan(10);
  });
});

describe('histogram', () => {
  it('bins are [from, to), contiguous, the last one open', () => {
    const bins = histogram([]);
    expect(bins[0]).toMatchObject({ fromMs: 0, toMs: 1_000 });
    for (let i = 1; i < bins.length; i++) expect(bins[i]!.fromMs).toBe(bins[i - 1]!.toMs);
    expect(bins.at(-1)!.toMs).toBeNull();
  });

  it('puts each value in the bin whose range holds it', () => {
    const bins = histogram([0, 999, 1_000, 1_999, 59_999, 60_000, 7 * 86_400_000]);
    const countOf = (fromMs: number) => bins.find((b) => b.fromMs === fromMs)!.count;
    expect(countOf(0)).toBe(2);
    expect(countOf(1_000)).toBe(2);
    expect(countOf(30_000)).toBe(1);
    expect(countOf(60_000)).toBe(1);
    expect(countOf(86_400_000)).toBe(1);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(7);
  });
});

describe('rates and durations', () => {
  it('rate is part / whole, null (not 0, not NaN) when the whole is 0', () => {
    expect(rate(3, 4)).toBe(0.75);
    expect(rate(0, 4)).toBe(0);
    expect(rate(0, 0)).toBeNull();
  });

  const sample = (s: Partial<DeliverySample>): DeliverySample => ({
    createdAt: 0,
    sendAt: 1_000,
    deliveredAt: 3_500,
    readAt: null,
    deliveredLearnedAt: null,
    readLearnedAt: null,
    groups: {},
    ...s,
  });

  it('the webhook lag is learned-at − the platform time, never negative; absent without a learned-at', () => {
    expect(webhookLag(sample({ deliveredLearnedAt: 4_000 }))).toEqual({ delivered: 500 });
    expect(webhookLag(sample({ deliveredLearnedAt: 3_000 }))).toEqual({ delivered: 0 });
    expect(webhookLag(sample({ readAt: 8_000, readLearnedAt: 8_250, deliveredLearnedAt: 8_250 }))).toEqual({
      delivered: 4_750,
      read: 250,
    });
    expect(webhookLag(sample({ readLearnedAt: 8_250 }))).toEqual({});
  });

  it('time to deliver is deliveredAt − send.at; time to read is readAt − send.at', () => {
    expect(timeToDeliver(sample({}))).toBe(2_500);
    expect(timeToRead(sample({ readAt: 11_000 }))).toBe(10_000);
    expect(timeToRead(sample({}))).toBeUndefined();
  });

  it('a DELIVERED stamped before the send time counts as 0 ms, not negative; no send time, no figure', () => {
    expect(timeToDeliver(sample({ deliveredAt: 500 }))).toBe(0);
    expect(timeToDeliver(sample({ sendAt: null }))).toBeUndefined();
  });
});

describe('buildScope', () => {
  const learned = (deliveredLearnedAt: number | null, readLearnedAt: number | null) => ({
    deliveredLearnedAt,
    readLearnedAt,
    groups: {},
  });
  const zero = Object.fromEntries(statuses.map((s) => [s, 0])) as ScopeCounts['byStatus'];
  const counts: ScopeCounts = {
    messages: 20,
    byStatus: { ...zero, delivered: 6, read: 2, duplicate: 1, sms_sent: 5, pending: 3, untracked: 3 },
    notRcs: 2,
    revocation: { confirmed: 4, lostRace: 1, failed: 0, deleteCalls: 7 },
    fallback: { sent: 6, failed: 0, skipped: 3, providerCalls: 6 },
    escalation: { sent: 2, failed: 0, readAfterNudge: 1 },
    capabilityChecks: { reachable: 3, unreachable: 1, failed: 0 },
    duplicateDeliveries: 1,
    lateDeliveries: 1,
    sendLatencyMsAvg: 80,
    sweepRedrives: 0,
  };
  const delivered: DeliverySample[] = [
    { createdAt: 0, sendAt: 0, deliveredAt: 1_000, readAt: 5_000, ...learned(1_400, 5_100) },
    { createdAt: 0, sendAt: 0, deliveredAt: 2_000, readAt: null, ...learned(2_100, null) },
    { createdAt: 0, sendAt: 0, deliveredAt: 3_000, readAt: 9_000, ...learned(null, null) },
  ];

  it('tracked excludes untracked; the RCS base excludes not-RCS; delivered is delivered + read + duplicate', () => {
    const s = buildScope(counts, delivered);
    expect(s.tracked).toBe(17);
    expect(s.untracked).toBe(3);
    expect(s.rcsSent).toBe(15);
    expect(s.delivered).toBe(9);
    expect(s.deliveryRate).toBe(9 / 15);
  });

  it('read counts delivered messages with readAt; the read rate is over delivered', () => {
    const s = buildScope(counts, delivered);
    expect(s.read).toBe(2);
    expect(s.readRate).toBe(2 / 9);
    expect(s.timeToReadMs).toMatchObject({ count: 2, p50: 5_000, p99: 9_000 });
    expect(s.timeToDeliverMs).toMatchObject({ count: 3, p50: 2_000, p90: 3_000 });
  });

  it('the webhook lag is over the messages with a learned-at, DELIVERED and READ apart', () => {
    const s = buildScope(counts, delivered);
    expect(s.webhookLagMs.delivered).toMatchObject({ count: 2, p50: 100, max: 400 });
    expect(s.webhookLagMs.read).toMatchObject({ count: 1, p50: 100, max: 100 });
  });

  it('passes the aggregation figures through unchanged', () => {
    const s = buildScope(counts, delivered);
    expect(s.revocation).toEqual(counts.revocation);
    expect(s.fallback).toEqual(counts.fallback);
    expect(s.escalation).toEqual({ ...counts.escalation, readAfterNudgeRate: 0.5 });
    expect(s.byStatus).toEqual(counts.byStatus);
    expect(s.sendLatencyMsAvg).toBe(80);
  });
});

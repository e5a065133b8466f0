import { describe, expect, it } from 'vitest';
import { checkWindow, parseTimeBound, resolveBound, timeBuckets } from '../../shared/report/window.ts';
import { parseDuration } from '../../shared/time/duration.ts';

describe('durations', () => {
  it('parses units and sums compound ones', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
  });

  it('is undefined for anything else', () => {
    for (const text of ['', '24', 'h', '24 hours', '-1h', '1y', '2026-11-21']) {
      expect(parseDuration(text), text).toBeUndefined();
    }
  });
});

describe('--since / --until', () => {
  const now = new Date('2026-11-21T12:00:00Z');

  it('a duration is that long before the database time', () => {
    const bound = parseTimeBound('since', '24h');
    expect(bound).toEqual({ kind: 'relative', beforeNowMs: 86_400_000 });
    expect(resolveBound(bound, now).toISOString()).toBe('2026-11-20T12:00:00.000Z');
  });

  it('ISO times, with or without a zone (UTC then), or a date alone (UTC midnight)', () => {
    const at = (text: string) => resolveBound(parseTimeBound('until', text), now).toISOString();
    expect(at('2026-11-21T09:30:00Z')).toBe('2026-11-21T09:30:00.000Z');
    expect(at('2026-11-21T09:30:00+02:00')).toBe('2026-11-21T07:30:00.000Z');
    expect(at('2026-11-21T09:30')).toBe('2026-11-21T09:30:00.000Z');
    expect(at('2026-11-21')).toBe('2026-11-21T00:00:00.000Z');
  });

  it('anything else is refused with a message naming the flag', () => {
    for (const text of ['yesterday', '21/11/2026', '2026-13-45', 'now-1h', '']) {
      expect(() => parseTimeBound('since', text), text).toThrow(/--since must be an ISO time/);
    }
  });

  it('an empty or inverted window is refused', () => {
    const a = new Date('2026-11-21T10:00:00Z');
    const b = new Date('2026-11-21T11:00:00Z');
    expect(() => checkWindow(a, b)).not.toThrow();
    expect(() => checkWindow(b, a)).toThrow(/--since .* must be before --until/);
    expect(() => checkWindow(a, a)).toThrow();
    expect(() => checkWindow(undefined, a)).not.toThrow();
  });
});

describe('timeline buckets', () => {
  const t = (iso: string) => new Date(iso);

  it('picks the smallest size giving at most 48 buckets, aligned to whole units', () => {
    // 24 h fit 48 half-hour buckets exactly.
    const day = timeBuckets(t('2026-11-21T00:00:00Z'), t('2026-11-22T00:00:00Z'));
    expect(day.sizeMs).toBe(30 * 60_000);
    expect(day.buckets).toHaveLength(48);
    // 26 h do not: hours, starting at the hour before the first message.
    const longer = timeBuckets(t('2026-11-21T00:10:00Z'), t('2026-11-22T02:00:00Z'));
    expect(longer.sizeMs).toBe(3_600_000);
    expect(longer.buckets).toHaveLength(26);
    expect(longer.buckets[0]!.from.toISOString()).toBe('2026-11-21T00:00:00.000Z');
    expect(longer.buckets.at(-1)!.to.toISOString()).toBe('2026-11-22T02:00:00.000Z');

    const hour = timeBuckets(t('2026-11-21T09:00:00Z'), t('2026-11-21T10:00:00Z'));
    expect(hour.sizeMs).toBe(5 * 60_000);
    expect(hour.buckets).toHaveLength(12);
  });

  it('buckets are contiguous and cover the range', () => {
    const { buckets } = timeBuckets(t('2026-11-21T09:07:00Z'), t('2026-11-23T17:45:00Z'));
    expect(buckets.length).toBeLessThanOrEqual(48);
    expect(buckets[0]!.from.getTime()).toBeLessThanOrEqual(t('2026-11-21T09:07:00Z').getTime());
    expect(buckets.at(-1)!.to.getTime()).toBeGreaterThanOrEqual(t('2026-11-23T17:45:00Z').getTime());
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.from).toEqual(buckets[i - 1]!.to);
  });

  it('a forced size is used as given; a single instant gets one bucket', () => {
    const forced = timeBuckets(t('2026-11-21T09:00:00Z'), t('2026-11-21T12:00:00Z'), { sizeMs: 3_600_000 });
    expect(forced.buckets.map((b) => b.from.toISOString())).toEqual([
      '2026-11-21T09:00:00.000Z',
      '2026-11-21T10:00:00.000Z',
      '2026-11-21T11:00:00.000Z',
    ]);
    const instant = timeBuckets(t('2026-11-21T09:00:00Z'), t('2026-11-21T09:00:00.001Z'));
    expect(instant.buckets).toHaveLength(1);
  });
});

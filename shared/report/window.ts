/**
 * The report's time window over `createdAt`: [since, until), either side
 * open. A bound is an ISO-8601 time (`2026-11-21`, `2026-11-21T09:00:00Z`)
 * or a duration before "now" (`90s`, `30m`, `24h`, `7d`, `2w`, also `1h30m`),
 * "now" being the database's read time, so on the local stack, whose clock
 * runs faster than the wall clock, `--since 1h` means one hour of stack time.
 */
import { parseDuration } from '../time/duration.ts';

export type TimeBound = { kind: 'absolute'; at: Date } | { kind: 'relative'; beforeNowMs: number };

/** Parses `--since` / `--until`; throws a one-line error naming the flag. */
export function parseTimeBound(flag: string, text: string): TimeBound {
  const duration = parseDuration(text);
  if (duration !== undefined) return { kind: 'relative', beforeNowMs: duration };
  // ISO 8601 only: a date, or a date and time (with Z or an offset; without one it is UTC).
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
  if (iso.test(text)) {
    const withZone = /T/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text;
    const at = new Date(withZone);
    if (!Number.isNaN(at.getTime())) return { kind: 'absolute', at };
  }
  throw new Error(
    `--${flag} must be an ISO time (2026-11-21T09:00:00Z) or a duration before now (30m, 24h, 7d), got "${text}"`,
  );
}

export function resolveBound(bound: TimeBound, now: Date): Date {
  return bound.kind === 'absolute' ? bound.at : new Date(now.getTime() - bound.beforeNowMs);
}

/** Checks the resolved window is not empty or inverted. */
export function checkWindow(since: Date | undefined, until: Date | undefined): void {
  if (since && until && since.getTime() >= until.getTime()) {
    throw new Error(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  }
}

/** Bucket sizes the timeline picks from: the smallest giving at most `maxBuckets`. */
export const bucketSizesMs: readonly number[] = [
  60_000,
  5 * 60_000,
  15 * 60_000,
  30 * 60_000,
  3_600_000,
  3 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
  86_400_000,
  7 * 86_400_000,
];

/**
 * Buckets covering [from, to): aligned to multiples of the bucket size since
 * the epoch (whole minutes, hours, UTC days), so reports of overlapping
 * windows draw the same buckets. `sizeMs` forces a size.
 */
export function timeBuckets(
  from: Date,
  to: Date,
  options: { maxBuckets?: number; sizeMs?: number } = {},
): { sizeMs: number; buckets: Array<{ from: Date; to: Date }> } {
  const maxBuckets = options.maxBuckets ?? 48;
  const span = Math.max(1, to.getTime() - from.getTime());
  const count = (size: number) => Math.ceil(to.getTime() / size) - Math.floor(from.getTime() / size) || 1;
  const sizeMs =
    options.sizeMs ??
    bucketSizesMs.find((size) => count(size) <= maxBuckets) ??
    Math.ceil(span / maxBuckets / 86_400_000) * 86_400_000;
  if (!(sizeMs > 0)) throw new RangeError(`bucket size must be > 0, got ${sizeMs}`);
  if (count(sizeMs) > 10_000) throw new RangeError(`${count(sizeMs)} buckets of ${sizeMs} ms is too many`);
  const buckets: Array<{ from: Date; to: Date }> = [];
  for (let start = Math.floor(from.getTime() / sizeMs) * sizeMs; start < to.getTime(); start += sizeMs) {
    buckets.push({ from: new Date(start), to: new Date(start + sizeMs) });
  }
  if (buckets.length === 0) {
    const start = Math.floor(from.getTime() / sizeMs) * sizeMs;
    buckets.push({ from: new Date(start), to: new Date(start + sizeMs) });
  }
  return { sizeMs, buckets };
}

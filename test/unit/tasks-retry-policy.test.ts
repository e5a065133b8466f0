import { describe, expect, it } from 'vitest';
import type { RetrySettings } from '../../local/tasks-emulator/queue-config.ts';
import {
  backoffMs,
  nextAttemptAt,
  parseRetryAfter,
  retriesExhausted,
} from '../../local/tasks-emulator/retry-policy.ts';

const settings = (s: Partial<RetrySettings> = {}): RetrySettings => ({
  maxAttempts: 100,
  minBackoffMs: 10_000,
  maxBackoffMs: 300_000,
  maxDoublings: 3,
  maxRetryDurationMs: 0,
  ...s,
});

describe('backoffMs', () => {
  it('follows the RetryConfig docs example: 10, 20, 40, 80, 160, 240, 300, 300 s', () => {
    const seq = [1, 2, 3, 4, 5, 6, 7, 8].map((r) => backoffMs(r, settings()) / 1000);
    expect(seq).toEqual([10, 20, 40, 80, 160, 240, 300, 300]);
  });

  it('grows linearly by min_backoff with no doublings', () => {
    const s = settings({ minBackoffMs: 1_000, maxBackoffMs: 4_500, maxDoublings: 0 });
    expect([1, 2, 3, 4, 5, 6].map((r) => backoffMs(r, s))).toEqual([
      1_000, 2_000, 3_000, 4_000, 4_500, 4_500,
    ]);
  });

  it('with the queue defaults (0.1 s, 16 doublings, 1 h) doubles until capped at an hour', () => {
    const s = settings({ minBackoffMs: 100, maxBackoffMs: 3_600_000, maxDoublings: 16 });
    expect(backoffMs(1, s)).toBe(100);
    expect(backoffMs(2, s)).toBe(200);
    expect(backoffMs(16, s)).toBe(100 * 2 ** 15);
    expect(backoffMs(17, s)).toBe(3_600_000);
    expect(backoffMs(1_000, s)).toBe(3_600_000);
  });

  it('rejects retry numbers below 1', () => {
    expect(() => backoffMs(0, settings())).toThrow(RangeError);
  });
});

describe('retriesExhausted', () => {
  const at = (attempts: number, elapsedMs: number) => ({
    attempts,
    firstAttemptAt: 1_000,
    failedAt: 1_000 + elapsedMs,
  });

  it('stops after max_attempts when there is no duration limit', () => {
    const s = settings({ maxAttempts: 3 });
    expect(retriesExhausted(at(2, 0), s)).toBe(false);
    expect(retriesExhausted(at(3, 0), s)).toBe(true);
  });

  it('never stops with -1 attempts and no duration limit', () => {
    expect(retriesExhausted(at(1_000_000, 10 * 86_400_000), settings({ maxAttempts: -1 }))).toBe(false);
  });

  it('with -1 attempts stops once max_retry_duration has passed', () => {
    const s = settings({ maxAttempts: -1, maxRetryDurationMs: 60_000 });
    expect(retriesExhausted(at(50, 59_999), s)).toBe(false);
    expect(retriesExhausted(at(50, 60_000), s)).toBe(true);
  });

  it('with both limits, stops only when both are reached', () => {
    const s = settings({ maxAttempts: 3, maxRetryDurationMs: 60_000 });
    expect(retriesExhausted(at(3, 30_000), s)).toBe(false);
    expect(retriesExhausted(at(2, 90_000), s)).toBe(false);
    expect(retriesExhausted(at(3, 60_000), s)).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(now + 120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(now);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:05:00 GMT', now)).toBe(now + 300_000);
  });

  it('returns undefined for absent or unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('nextAttemptAt', () => {
  const s = settings({ minBackoffMs: 1_000, maxBackoffMs: 60_000, maxDoublings: 5 });

  it('is failure time plus the backoff for this retry', () => {
    expect(nextAttemptAt({ failedAt: 5_000, retry: 3 }, s)).toBe(5_000 + 4_000);
  });

  it('honours a later Retry-After on 429 and 503, beyond max_backoff too', () => {
    expect(nextAttemptAt({ failedAt: 0, retry: 1, status: 503, retryAfter: '30' }, s)).toBe(30_000);
    expect(nextAttemptAt({ failedAt: 0, retry: 1, status: 429, retryAfter: '600' }, s)).toBe(600_000);
  });

  it('never retries earlier than the backoff, and ignores Retry-After on other statuses', () => {
    expect(nextAttemptAt({ failedAt: 0, retry: 3, status: 503, retryAfter: '1' }, s)).toBe(4_000);
    expect(nextAttemptAt({ failedAt: 0, retry: 1, status: 500, retryAfter: '30' }, s)).toBe(1_000);
    expect(nextAttemptAt({ failedAt: 0, retry: 1, status: 404, retryAfter: '30' }, s)).toBe(1_000);
  });
});

import type { RetrySettings } from './queue-config.ts';

/*
 * When a failed task is tried again, as pure functions of the queue's retry
 * settings, so the exact sequence is unit-testable without a clock.
 * Source: RetryConfig (https://cloud.google.com/tasks/docs/reference/rest/v2/RetryConfig).
 */

/**
 * Backoff before retry number `retry` (1 = the first retry, i.e. the second attempt).
 * "A task's retry interval starts at min_backoff, then doubles max_doublings times,
 * then increases linearly, and finally retries at intervals of max_backoff": with
 * min 10s, max 300s, max_doublings 3 the retries come 10, 20, 40, 80, 160, 240, 300, 300 s apart.
 */
export function backoffMs(retry: number, s: RetrySettings): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry number must be >= 1, got ${retry}`);
  const doublings = retry - 1;
  let interval: number;
  if (doublings <= s.maxDoublings) {
    interval = s.minBackoffMs * 2 ** doublings;
  } else {
    // After the doublings the interval grows by the last doubled step each time.
    const step = s.minBackoffMs * 2 ** s.maxDoublings;
    interval = step * (1 + doublings - s.maxDoublings);
  }
  return Math.min(interval, s.maxBackoffMs);
}

/**
 * Whether a task that just failed its `attempts`-th attempt is dropped.
 * "Cloud Tasks stops retrying only when max_attempts and max_retry_duration are
 * both satisfied"; -1 attempts and 0 duration each mean "no limit", and with both
 * unlimited the task is retried until retention ends. A limit that is unlimited
 * counts as satisfied when the other one is set (otherwise it could never stop).
 * max_retry_duration is "measured from when the task was first attempted"; we
 * check it when an attempt fails.
 */
export function retriesExhausted(
  attempt: { attempts: number; firstAttemptAt: number; failedAt: number },
  s: RetrySettings,
): boolean {
  const attemptsLimited = s.maxAttempts !== -1;
  const durationLimited = s.maxRetryDurationMs > 0;
  if (!attemptsLimited && !durationLimited) return false;
  const attemptsDone = !attemptsLimited || attempt.attempts >= s.maxAttempts;
  const durationDone = !durationLimited || attempt.failedAt - attempt.firstAttemptAt >= s.maxRetryDurationMs;
  return attemptsDone && durationDone;
}

/**
 * `Retry-After` as an absolute time in ms: delta-seconds or an HTTP-date
 * (RFC 9110 section 10.2.3). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return now + Number(v) * 1000;
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with the day name;
  // this keeps Date.parse from reading things like "-5" as a year.
  if (!/^[A-Za-z]{3,9},? /.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : at;
}

/**
 * When the next attempt happens after a failure at `failedAt`.
 * HttpRequest docs: "if the worker returns 429 (Too Many Requests), 503 (Service
 * Unavailable) ... Cloud Tasks will use a higher backoff rate. The retry specified
 * in the Retry-After HTTP response header is considered"
 * (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#HttpRequest).
 * We read "considered" as: for 429/503 the retry is not earlier than Retry-After,
 * nor earlier than the queue's backoff; Retry-After on other statuses is ignored,
 * and it is not capped by max_backoff (the docs say nothing of a cap).
 */
export function nextAttemptAt(
  failure: { failedAt: number; retry: number; status?: number; retryAfter?: string },
  s: RetrySettings,
): number {
  const byBackoff = failure.failedAt + backoffMs(failure.retry, s);
  if (failure.status !== 429 && failure.status !== 503) return byBackoff;
  const byHeader = parseRetryAfter(failure.retryAfter, failure.failedAt);
  return byHeader === undefined ? byBackoff : Math.max(byBackoff, byHeader);
}

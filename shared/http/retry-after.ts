/**
 * The Retry-After header, both ways: read from a provider's answer (RBM, SMS)
 * and written on a function's 503 (Cloud Tasks and API callers honour it).
 */

/**
 * The wait a Retry-After value asks for, in ms: delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3). A date in the past is no wait; anything else unreadable is undefined.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** A wait as whole delta-seconds, rounded up: 0 ms gives "0", 1 ms gives "1". */
export function retryAfterSeconds(waitMs: number): number {
  return Math.ceil(waitMs / 1000);
}

/**
 * A wait as whole delta-seconds, rounded up and never below 1: for a task
 * queue that must not retry at once even when the wait is already over.
 */
export function retryAfterSecondsAtLeastOne(waitMs: number): number {
  return Math.max(1, retryAfterSeconds(waitMs));
}

/** The header value for a wait: `retryAfterSeconds` as a string. */
export function formatRetryAfter(waitMs: number): string {
  return String(retryAfterSeconds(waitMs));
}

/** The header value for a wait: `retryAfterSecondsAtLeastOne` as a string. */
export function formatRetryAfterAtLeastOne(waitMs: number): string {
  return String(retryAfterSecondsAtLeastOne(waitMs));
}

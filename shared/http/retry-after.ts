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

/**
 * A wait as whole delta-seconds, the one rule for every answer the functions
 * give: rounded up, and never below 1, so neither a task queue nor a caller
 * retries at once when the wait is already (nearly) over.
 */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

/** The header value for a wait. */
export function formatRetryAfter(waitMs: number): string {
  return String(retryAfterSeconds(waitMs));
}

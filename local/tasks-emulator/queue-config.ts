import { invalidArgument } from '../common/grpc-errors.ts';
import { isQueueId, parseQueueName, queueName } from './names.ts';

/** A duration as seconds (number, like the API's Duration) or a string such as "0.1s", "500ms", "10m", "1h". */
export type DurationInput = number | string;

/** How a queue is configured at start (CLI, tests, local stack). Omitted fields take Cloud Tasks' defaults. */
export interface QueueConfig {
  /** Short queue id ("revoke") or a full `projects/P/locations/L/queues/Q` name. */
  name: string;
  retryConfig?: {
    maxAttempts?: number;
    minBackoff?: DurationInput;
    maxBackoff?: DurationInput;
    maxDoublings?: number;
    maxRetryDuration?: DurationInput;
  };
  rateLimits?: {
    maxDispatchesPerSecond?: number;
    maxConcurrentDispatches?: number;
    /** Output only in the real API (derived from the rate); settable here for load experiments. */
    maxBurstSize?: number;
  };
}

/** Retry settings in milliseconds, as the dispatcher and the pure retry policy use them. */
export interface RetrySettings {
  /** -1 = unlimited. */
  maxAttempts: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  maxDoublings: number;
  /** 0 = unlimited. */
  maxRetryDurationMs: number;
}

export interface RateSettings {
  maxDispatchesPerSecond: number;
  maxBurstSize: number;
  maxConcurrentDispatches: number;
}

export interface ResolvedQueue {
  name: string;
  queueId: string;
  retry: RetrySettings;
  rate: RateSettings;
}

/*
 * Defaults when a field is omitted. The API reference only says "Cloud Tasks
 * will pick the default" (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#RetryConfig);
 * these are the values a queue created without settings reports
 * (`gcloud tasks queues describe`), and the ones Terraform's google_cloud_tasks_queue shows.
 */
export const DEFAULT_RETRY: RetrySettings = {
  maxAttempts: 100,
  minBackoffMs: 100,
  maxBackoffMs: 3_600_000,
  maxDoublings: 16,
  maxRetryDurationMs: 0,
};
export const DEFAULT_MAX_DISPATCHES_PER_SECOND = 500;
export const DEFAULT_MAX_CONCURRENT_DISPATCHES = 1000;

/*
 * Documented bounds: max_dispatches_per_second at most 500, max_concurrent_dispatches
 * at most 5,000, max_attempts >= -1, max_burst_size at most 500
 * (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#RateLimits).
 */
const MAX_RATE = 500;
const MAX_CONCURRENT = 5000;
const MAX_BURST = 500;

/**
 * max_burst_size is output only and "picked based on max_dispatches_per_second".
 * The v2 docs give no formula; the v2beta2 RateLimits docs did (rate 1 -> 10,
 * otherwise rate / 5), which also yields the 100 a default queue (500/s) reports.
 */
export function defaultBurstSize(maxDispatchesPerSecond: number): number {
  if (maxDispatchesPerSecond === 1) return 10;
  return Math.min(MAX_BURST, Math.max(1, Math.ceil(maxDispatchesPerSecond / 5)));
}

const UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function durationToMs(value: DurationInput, field: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      throw invalidArgument(`${field} must be a non-negative duration`);
    return value * 1000;
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (!m)
    throw invalidArgument(`${field}: cannot read duration "${value}" (use e.g. "0.1s", "500ms", "10m")`);
  return Number(m[1]) * UNITS_MS[m[2]!]!;
}

function positiveOr<T extends number>(value: number | undefined, fallback: T): number {
  // proto3 cannot tell 0 from "unset"; the real API treats both as "pick the default".
  return value === undefined || value === 0 ? fallback : value;
}

/** Fills Cloud Tasks' defaults in and checks documented bounds. Throws INVALID_ARGUMENT on bad input. */
export function resolveQueue(config: QueueConfig, projectId: string, location: string): ResolvedQueue {
  const name = config.name.startsWith('projects/')
    ? config.name
    : queueName(projectId, location, config.name);
  if (!config.name.startsWith('projects/') && !isQueueId(config.name)) {
    throw invalidArgument(`Invalid queue id "${config.name}": letters, digits and hyphens, at most 100`);
  }
  const { queueId } = parseQueueName(name);
  const r = config.retryConfig ?? {};
  const optMs = (v: DurationInput | undefined, field: string, fallback: number) =>
    v === undefined ? fallback : durationToMs(v, field);
  const retry: RetrySettings = {
    maxAttempts: positiveOr(r.maxAttempts, DEFAULT_RETRY.maxAttempts),
    minBackoffMs: optMs(r.minBackoff, 'retryConfig.minBackoff', DEFAULT_RETRY.minBackoffMs),
    maxBackoffMs: optMs(r.maxBackoff, 'retryConfig.maxBackoff', DEFAULT_RETRY.maxBackoffMs),
    maxDoublings: r.maxDoublings ?? DEFAULT_RETRY.maxDoublings,
    maxRetryDurationMs: optMs(
      r.maxRetryDuration,
      'retryConfig.maxRetryDuration',
      DEFAULT_RETRY.maxRetryDurationMs,
    ),
  };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < -1) {
    throw invalidArgument('retryConfig.maxAttempts must be an integer >= -1 (-1 = unlimited)');
  }
  if (!Number.isInteger(retry.maxDoublings) || retry.maxDoublings < 0) {
    throw invalidArgument('retryConfig.maxDoublings must be an integer >= 0');
  }
  if (retry.minBackoffMs > retry.maxBackoffMs) {
    throw invalidArgument('retryConfig.minBackoff must not exceed retryConfig.maxBackoff');
  }
  const l = config.rateLimits ?? {};
  const maxDispatchesPerSecond = positiveOr(l.maxDispatchesPerSecond, DEFAULT_MAX_DISPATCHES_PER_SECOND);
  const maxConcurrentDispatches = positiveOr(l.maxConcurrentDispatches, DEFAULT_MAX_CONCURRENT_DISPATCHES);
  if (!(maxDispatchesPerSecond > 0 && maxDispatchesPerSecond <= MAX_RATE)) {
    throw invalidArgument(`rateLimits.maxDispatchesPerSecond must be in (0, ${MAX_RATE}]`);
  }
  if (
    !Number.isInteger(maxConcurrentDispatches) ||
    maxConcurrentDispatches < 1 ||
    maxConcurrentDispatches > MAX_CONCURRENT
  ) {
    throw invalidArgument(`rateLimits.maxConcurrentDispatches must be an integer in [1, ${MAX_CONCURRENT}]`);
  }
  const maxBurstSize = positiveOr(l.maxBurstSize, defaultBurstSize(maxDispatchesPerSecond));
  if (!Number.isInteger(maxBurstSize) || maxBurstSize < 1 || maxBurstSize > MAX_BURST) {
    throw invalidArgument(`rateLimits.maxBurstSize must be an integer in [1, ${MAX_BURST}]`);
  }
  return {
    name,
    queueId,
    retry,
    rate: { maxDispatchesPerSecond, maxBurstSize, maxConcurrentDispatches },
  };
}

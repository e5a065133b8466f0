import type { Logger } from '../../shared/log/index.ts';
import type { Clock } from '../common/clock.ts';
import type { FaultRule } from './faults.ts';
import type { PhoneRules, Population } from './phones/profiles.ts';
import type { QueueBehaviour } from './webhook/delivery-queue.ts';
import type { BatchBehaviour } from './webhook/publisher.ts';

/** How the platform side delivers to the webhook; every field can change at runtime. */
export interface WebhookSettings extends QueueBehaviour {
  /** Post DELIVERED/READ as Business Messages receipt batches instead of one event each; `null`: off. */
  batchReceipts: BatchBehaviour | null;
}

export interface RbmSandboxOptions {
  /** The shared clock; ALL sandbox timing runs on it. Default: a SystemClock at `timeScale`. */
  clock?: Clock;
  /** Only used when no clock is given: how much faster than real time the default clock runs. */
  timeScale?: number;
  /** Port on 127.0.0.1; default a free one. */
  port?: number;
  /** Seed for every random draw (profiles, latencies, faults, duplicates, ids). Default 1. */
  seed?: number | string;
  /** The agent's webhook. Without one, payloads wait in the queue (see the ground truth). */
  webhookUrl?: string;
  /** The webhook's clientToken: the handshake sends it and it keys X-Goog-Signature. */
  clientToken?: string;
  /**
   * REAL milliseconds the webhook has to answer the registration handshake (default 10 000),
   * whatever the clock: a scaled clock would leave it no time, a ManualClock would wait forever.
   * No answer in time fails the handshake with reason 'timeout'.
   */
  handshakeTimeoutMs?: number;
  /**
   * 'required' (default): start fails with WebhookHandshakeError if the handshake fails.
   * 'report': start succeeds, the result is on the handle and in the log. 'skip': no handshake.
   */
  handshake?: 'required' | 'report' | 'skip';
  /** When set, only this bearer token is accepted; otherwise any non-empty token is. */
  accessToken?: string;
  /** The agent that user-initiated actions go to when the phone never got a message. */
  defaultAgentId?: string;
  population?: Partial<Population>;
  /** Explicit rules per E.164 number, applied at start. */
  phones?: Record<string, PhoneRules>;
  webhook?: Partial<Omit<WebhookSettings, 'url' | 'clientToken'>>;
  faults?: FaultRule[];
  logger?: Logger;
  /** Level for the default logger (ignored when `logger` is given). Default 'info'. */
  logLevel?: string;
}

export const defaultWebhookSettings: Omit<WebhookSettings, 'url' | 'clientToken'> = {
  duplicateRate: 0,
  reorderRate: 0,
  reorderDelayMs: 5_000,
  // Pub/Sub RetryPolicy defaults: minimumBackoff 10 s, maximumBackoff 600 s.
  minBackoffMs: 10_000,
  maxBackoffMs: 600_000,
  // Retries go on for 7 days (docs/rbm-platform.md#retries-and-the-delivery-queue).
  retentionMs: 7 * 24 * 3_600_000,
  // Pub/Sub push's default ack deadline: no answer within 10 s and the attempt failed (retried with
  // backoff). On a scaled or manual clock 10 s can be a few real ms, so it also needs 10 s of REAL
  // time to have passed: a webhook fails only when it is silent by both measures.
  ackDeadlineMs: 10_000,
  ackDeadlineRealMs: 10_000,
  // One POST at a time unless asked for Pub/Sub push's adaptive window: the head-of-line tests and
  // the figures measured so far assume serial delivery.
  concurrency: 'serial',
  batchReceipts: null,
};

export const defaultHandshakeTimeoutMs = 10_000;
export const defaultClientToken = 'rbm-sandbox-client-token';
export const defaultAgentId = 'sandbox-agent';

import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { IngestionShard } from '../lifecycle/ingestion-lag.ts';
import type { Logger } from '../log/index.ts';
import { writeIngestionShard } from '../store/ingestion-store.ts';
import { withDeadline } from '../time/deadline.ts';
import type { IngestOutcome } from './ingest.ts';
import { webhookLogs } from './logs.ts';

export interface IngestionTrackerDeps {
  db(): Firestore;
  now(): Date;
  log: Logger;
  lagToleranceMs: number;
}

/** At most one routine shard write per this long while lagging; a change of verdict is written at once. */
const writeEveryMs = 1_000;
// A shard write is bookkeeping: it must never hold the platform's queue for long.
const writeTimeoutMs = 2_000;

/**
 * This webhook instance's ingestion watermark (shared/lifecycle/ingestion-lag.ts),
 * kept in memory and written to its own shard document: the revoke function's
 * confirm step reads the shards to tell "no DELIVERED came" from "a DELIVERED
 * is still queued". The shard id is new at every cold start, so instances never
 * write each other's documents. Writes are serialised and never throw.
 */
export class IngestionTracker {
  readonly shardId = randomUUID();
  readonly #deps: IngestionTrackerDeps;
  #shard: IngestionShard | undefined;
  #written: { at: number; lagging: boolean; failed: boolean } | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(deps: IngestionTrackerDeps) {
    this.#deps = deps;
  }

  /**
   * After an envelope was ingested: only newly stored events with a platform time move the
   * shard. `answeredLate`: the answer goes out past the request's deadline, so the platform
   * has likely given up on it and will deliver it again, holding up its queue meanwhile.
   */
  afterIngest(
    outcome: IngestOutcome,
    publishTime: string | undefined,
    waitMs: number,
    answeredLate = false,
  ): Promise<void> {
    if (outcome.kind !== 'stored' || outcome.stored === 0) return Promise.resolve();
    const platformTime = platformTimeOf(publishTime, outcome.sentAt);
    return platformTime ? this.stored(platformTime, waitMs, answeredLate) : Promise.resolve();
  }

  /**
   * Events with this platform time were stored (not pure duplicates: a retry says nothing of
   * the queue). Resolves once the shard is written or `waitMs` has passed, whichever is first:
   * the caller's answer to the platform must not wait on bookkeeping past its own deadline.
   */
  stored(platformTime: Date, waitMs = writeTimeoutMs, answeredLate = false): Promise<void> {
    const now = this.#deps.now();
    const previous = this.#shard;
    const failedAt = answeredLate ? now : previous?.failedAt;
    this.#shard = {
      watermark: previous && previous.watermark > platformTime ? previous.watermark : platformTime,
      // Clocks differ a little: an event "from the future" is simply not late.
      lastLagMs: Math.max(0, now.getTime() - platformTime.getTime()),
      // Stored, but as the platform sees it not delivered: a late answer leaves the queue stuck.
      lastStoredAt: answeredLate ? (previous?.lastStoredAt ?? new Date(0)) : now,
      ...(failedAt ? { failedAt } : {}),
    };
    return waitAtMost(this.#maybeWrite(now), waitMs);
  }

  /**
   * A store failed and was answered 503: the event will come again, until then ingestion has a
   * gap. The caller need not wait: with Firestore failing, this write may well hang too.
   */
  failed(): Promise<void> {
    const now = this.#deps.now();
    // Before any store this instance knows no watermark: the epoch keeps the shard from claiming one.
    this.#shard = {
      ...(this.#shard ?? { watermark: new Date(0), lastLagMs: 0, lastStoredAt: new Date(0) }),
      failedAt: now,
    };
    return this.#maybeWrite(now);
  }

  #maybeWrite(now: Date): Promise<void> {
    const shard = this.#shard!;
    const lagging = shard.lastLagMs > this.#deps.lagToleranceMs;
    const failed = shard.failedAt !== undefined && shard.failedAt > shard.lastStoredAt;
    const last = this.#written;
    // Healthy and last told healthy (or never told anything): no shard reads as not behind, so
    // a healthy webhook costs no write at all; only lag, a failure and the way back are written.
    if (!lagging && !failed && (!last || (!last.lagging && !last.failed))) return this.#queue;
    const due =
      !last || last.lagging !== lagging || last.failed !== failed || now.getTime() - last.at >= writeEveryMs;
    if (!due) return this.#queue;
    this.#written = { at: now.getTime(), lagging, failed };
    const snapshot = { ...shard, shardId: this.shardId, writtenAt: now };
    this.#queue = this.#queue.then(async () => {
      try {
        await withDeadline(
          writeIngestionShard(this.#deps.db(), snapshot),
          writeTimeoutMs,
          'the ingestion shard',
        );
      } catch (error) {
        // The next write carries the same facts; the webhook's answer does not depend on this one.
        this.#written = undefined;
        webhookLogs.ingestionWriteFailed(this.#deps.log, this.shardId, error);
      }
    });
    return this.#queue;
  }
}

function waitAtMost(work: Promise<void>, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return withDeadline(work, ms, 'the ingestion shard').catch(() => {});
}

/** The platform time of a stored envelope: Pub/Sub's publishTime, else the payload's own sendTime. */
export function platformTimeOf(
  publishTime: string | undefined,
  payloadTime: Date | undefined,
): Date | undefined {
  if (publishTime) {
    const at = new Date(publishTime);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return payloadTime;
}

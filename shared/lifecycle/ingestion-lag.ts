/**
 * Is ingestion visibly behind? The confirm step concludes "no DELIVERED came"
 * from the absence of an event; that conclusion is only sound when the
 * webhook has stored what the platform sent up to the decision. The platform
 * posts through one in-order queue per partner, so a backlog shows as events
 * stored long after their platform time (docs/architecture.md#ingestion-watermark).
 */

/** One webhook instance's record of what it stored (collection `ingestion`). */
export interface IngestionShard {
  /** Platform time up to which this instance has stored events (the latest it stored). */
  watermark: Date;
  /** Stored time minus platform time of the last event stored. */
  lastLagMs: number;
  lastStoredAt: Date;
  /** The last store that failed (answered 503, so the platform retries it). */
  failedAt?: Date;
}

export interface IngestionSettings {
  /** A last lag above this means the queue delivers late. */
  lagToleranceMs: number;
  /** A shard that stored within this long of now is still delivering. */
  activeWithinMs: number;
}

export interface IngestionVerdict {
  behind: boolean;
  /** The latest platform time any fresh shard has stored up to; absent with no shards. */
  watermark?: Date;
  /** The largest last lag among the shards that make ingestion behind. */
  lagMs?: number;
  reason: string;
}

/**
 * Behind for a decision at `decisionAt` iff no shard has stored up to it AND a
 * shard shows the queue delivering late and still delivering, or a shard's
 * last store failed with nothing stored since. No evidence is no deferral: an
 * idle system (no shards, or shards that stopped storing) is not behind, so a
 * single offline phone falls back as before.
 */
export function ingestionVerdict(
  shards: readonly IngestionShard[],
  decisionAt: Date,
  settings: IngestionSettings,
  now: Date,
): IngestionVerdict {
  if (shards.length === 0) return { behind: false, reason: 'no webhook instance stored events lately' };
  const watermark = new Date(Math.max(...shards.map((s) => s.watermark.getTime())));
  if (watermark >= decisionAt)
    return { behind: false, watermark, reason: 'events stored up to the decision' };

  const activeSince = now.getTime() - settings.activeWithinMs;
  const lagging = shards.filter(
    (s) => s.lastLagMs > settings.lagToleranceMs && s.lastStoredAt.getTime() >= activeSince,
  );
  const failed = shards.filter((s) => s.failedAt !== undefined && s.failedAt > s.lastStoredAt);
  if (lagging.length === 0 && failed.length === 0) {
    return { behind: false, watermark, reason: 'no shard is lagging or failing' };
  }
  const lagMs = Math.max(0, ...[...lagging, ...failed].map((s) => s.lastLagMs));
  const reason =
    lagging.length > 0
      ? `webhook events arrive ${Math.round(lagMs / 1000)} s late and are stored up to ${watermark.toISOString()} only`
      : 'a webhook store failed and nothing was stored since (the platform retries it)';
  return { behind: true, watermark, lagMs, reason };
}

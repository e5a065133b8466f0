import type { Firestore } from '@google-cloud/firestore';
import type { IngestionShard } from '../lifecycle/ingestion-lag.ts';
import { collections, fromFirestore } from './documents.ts';

/**
 * A shard as stored: the webhook instance's id and when it last wrote (`writtenAt`, not
 * `updatedAt`: that name is the messages' unindexed field, and this one is queried).
 */
export interface StoredShard extends IngestionShard {
  shardId: string;
  writtenAt: Date;
}

/** Shards not written for this long belong to instances that are gone or idle. */
export const shardFreshnessMs = 10 * 60_000;
// Shards are one per cold start: Firestore TTL removes them a day after their last write.
const shardRetentionMs = 24 * 3_600_000;

/** Writes one webhook instance's shard whole (only that instance writes it). */
export async function writeIngestionShard(db: Firestore, shard: StoredShard): Promise<void> {
  await db
    .collection(collections.ingestion)
    .doc(shard.shardId)
    .set({ ...shard, expireAt: new Date(shard.writtenAt.getTime() + shardRetentionMs) });
}

/** The shards written within the freshness window: one query on writtenAt (a single-field index). */
export async function readFreshShards(db: Firestore, now: Date): Promise<StoredShard[]> {
  const since = new Date(now.getTime() - shardFreshnessMs);
  const snapshot = await db.collection(collections.ingestion).where('writtenAt', '>=', since).get();
  return snapshot.docs.map((doc) => {
    const { expireAt: _retention, ...shard } = fromFirestore<StoredShard & { expireAt?: Date }>(doc.data());
    return shard;
  });
}

import { createHash } from 'node:crypto';
import type { Step } from '../lifecycle/types.ts';

/**
 * Deterministic task ids: the same message and step always give the same
 * name, so a duplicate create collapses into ALREADY_EXISTS. The hash comes
 * first because Cloud Tasks serves sequential or shared-prefix names more
 * slowly (https://cloud.google.com/tasks/docs/reference/rpc/google.cloud.tasks.v2#createtaskrequest).
 * A deleted or finished name stays taken for a while, so every step that can
 * recur (re-arm, re-revoke, confirm per round) carries its own sequence number,
 * and a confirm put off while ingestion is behind its deferral number (`-dN`).
 */
export function taskId(messageId: string, step: Step, sequence = 0, redrive = 0, deferral = 0): string {
  return `${messageHash(messageId)}-${step}-${sequence}${deferral ? `-d${deferral}` : ''}${redrive ? `-r${redrive}` : ''}`;
}

/** Most queues a kind of task may be spread over (QUEUE_SHARDS, Terraform's queue_shards). */
export const maxQueueShards = 64;

/**
 * The queue shard of a message: one Cloud Tasks queue dispatches at most 500
 * tasks a second (docs/SCALING.md), so past that a kind of task is spread
 * over several queues. Every task of a message goes to the same shard, from
 * the same hash as its name, so names stay deterministic within their queue
 * and the webhook cancels a task where it was created.
 */
export function queueShard(messageId: string, shards: number): number {
  if (shards <= 1) return 0;
  return Number.parseInt(messageHash(messageId).slice(0, 8), 16) % shards;
}

/** Shard 0 keeps the queue's own name, so going from one queue to several keeps the first. */
export function shardQueueName(queue: string, shard: number): string {
  return shard === 0 ? queue : `${queue}-${shard}`;
}

function messageHash(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex').slice(0, 32);
}

export function queuePath(projectId: string, location: string, queue: string): string {
  return `projects/${projectId}/locations/${location}/queues/${queue}`;
}

export function taskPath(queue: string, id: string): string {
  return `${queue}/tasks/${id}`;
}

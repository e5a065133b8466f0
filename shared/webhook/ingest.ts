import { createHash } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { grpcCode, hasGrpcCode } from '../grpc/codes.ts';
import type { Logger } from '../log/index.ts';
import type { RbmClient } from '../rbm/client.ts';
import type { Envelope } from '../rbm/envelope.ts';
import { type Payload, parsePayload } from '../rbm/payloads.ts';
import {
  type IngestContext,
  recordDeadLetter,
  recordDeliveryEvents,
  recordOtherPayload,
} from '../store/ingest-store.ts';
import { payloadStorageProblem } from '../store/storable.ts';
import { runEffects } from '../tasks/run-effects.ts';
import type { TaskScheduler } from '../tasks/scheduler.ts';
import { webhookLogs } from './logs.ts';
import { readReceiptEventId } from './read-receipt.ts';

export interface IngestDeps {
  db(): Firestore;
  scheduler(): TaskScheduler;
  /** Present when the deployment answers user messages with agent READ receipts. */
  rbm?: () => RbmClient;
  log: Logger;
  now(): Date;
  retentionMs: number;
  /** OUTCOME_PUSH (shared/runtime.ts). */
  outcomePush?: boolean;
}

export type IngestOutcome =
  /** `sentAt`: the payload's own platform time (sendTime), when it has one. */
  | { kind: 'stored'; payload: string; stored: number; duplicates: number; sentAt?: Date }
  | { kind: 'dead_lettered'; id: string; reason: string };

/**
 * Stores one verified envelope and carries out what it implies. A payload that
 * cannot be parsed or stored as it is goes to the dead letters (the platform
 * would retry a 5xx for days). Throws only for our own transient faults
 * (Firestore unavailable): the caller answers 503 and the platform retries,
 * which is safe because storage is idempotent.
 */
export async function ingestEnvelope(envelope: Envelope, deps: IngestDeps): Promise<IngestOutcome> {
  const context: IngestContext = {
    now: deps.now(),
    retentionMs: deps.retentionMs,
    ...(deps.outcomePush ? { outcomePush: true } : {}),
    ...(envelope.pubsubMessageId ? { pubsubMessageId: envelope.pubsubMessageId } : {}),
  };
  const parsed = parsePayload(envelope.data, envelope.attributes);

  if (!parsed.ok) return deadLetter(envelope, parsed.reason, deps, context);
  const { payload } = parsed;
  const storageProblem = payloadStorageProblem(payload);
  if (storageProblem) return deadLetter(envelope, `cannot be stored: ${storageProblem}`, deps, context);
  try {
    return await storePayload(payload, deps, context);
  } catch (error) {
    // Firestore refusing the write itself (not being unavailable) is as permanent as a bad payload.
    if (!hasGrpcCode(error, grpcCode.INVALID_ARGUMENT)) throw error;
    const reason = `Firestore refused it: ${error instanceof Error ? error.message : String(error)}`;
    return deadLetter(envelope, reason.slice(0, 500), deps, context);
  }
}

async function storePayload(
  payload: Payload,
  deps: IngestDeps,
  context: IngestContext,
): Promise<IngestOutcome> {
  const { now } = context;
  if (payload.kind === 'delivery') {
    const results = await recordDeliveryEvents(deps.db(), payload.events, payload.raw, context);
    for (const result of results) {
      if (!result.message || result.effects.length === 0) continue;
      const failures = await runEffects(result.messageId, result.effects, deps.scheduler(), now);
      for (const failure of failures) {
        webhookLogs.effectFailed(deps.log, result.messageId, failure.effect, failure.error);
      }
    }
    const duplicates = results.filter((r) => r.duplicate).length;
    webhookLogs.stored(deps.log, 'delivery', results.length - duplicates, duplicates);
    const sentAt = new Date(Math.max(...payload.events.map((e) => e.fact.at.getTime())));
    return { kind: 'stored', payload: 'delivery', stored: results.length - duplicates, duplicates, sentAt };
  }

  const { duplicate } = await recordOtherPayload(deps.db(), payload, context);
  if (payload.kind === 'user_message' && !duplicate && deps.rbm) {
    // Best effort: a missing read receipt is cosmetic, not worth a platform retry.
    const result = await deps
      .rbm()
      .sendAgentEvent(
        payload.phoneNumber,
        readReceiptEventId(payload.messageId),
        { eventType: 'READ', messageId: payload.messageId },
        payload.agentId,
      );
    if (!result.ok) webhookLogs.readReceiptFailed(deps.log, payload.messageId, result.status, result.error);
  }
  webhookLogs.stored(deps.log, payload.kind, duplicate ? 0 : 1, duplicate ? 1 : 0);
  return {
    kind: 'stored',
    payload: payload.kind,
    stored: duplicate ? 0 : 1,
    duplicates: duplicate ? 1 : 0,
    ...('at' in payload ? { sentAt: payload.at } : {}),
  };
}

/** Kept under the hash of its bytes, so a retried poison payload lands on the same dead letter. */
async function deadLetter(
  envelope: Envelope,
  reason: string,
  deps: IngestDeps,
  context: IngestContext,
): Promise<IngestOutcome> {
  const id = createHash('sha256').update(envelope.data).digest('hex').slice(0, 40);
  await recordDeadLetter(deps.db(), id, { reason, ...envelope }, context);
  webhookLogs.deadLettered(deps.log, id, reason);
  return { kind: 'dead_lettered', id, reason };
}

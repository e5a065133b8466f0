import type { DocumentReference, Firestore } from '@google-cloud/firestore';
import { Webhook } from 'standardwebhooks';
import { ConfigError } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { collections, fromFirestore } from '../store/documents.ts';
import type { OutboxDoc } from '../store/outbox.ts';
import { outcomeLogs } from './logs.ts';
import { createPubsubPublisher, type OutcomePublisher } from './publish.ts';

/**
 * Pushes one outbox document to the business (docs/outcomes.md): read the document (it is the
 * truth, whatever the event carried), claim an attempt, POST the signed payload, record the
 * answer. A document already delivered or given up is left alone, so a repeated event or a
 * re-drive is harmless; the idempotency key the receiver sees (webhook-id) is the outbox id,
 * the same on every attempt.
 */

export interface DeliverySettings {
  /** OUTCOME_CALLBACK_URL: where a message without its own callback URL is pushed. */
  callbackUrl?: string;
  /** OUTCOME_SIGNING_SECRET, whsec_<base64>. */
  signingSecret: string;
  timeoutMs: number;
  maxAttempts: number;
  maxAgeMs: number;
  /** OUTCOME_PUBSUB_TOPIC: every outcome is also published there, before its HTTP push. */
  publisher?: OutcomePublisher;
}

export interface DeliverDeps {
  db(): Firestore;
  now(): Date;
  log: Logger;
  delivery: DeliverySettings;
}

export type DeliverResult =
  | { kind: 'missing' }
  | { kind: 'done'; state: 'delivered' | 'failed' }
  /** status: the receiver's answer; absent when the outcome only went to Pub/Sub (no callback URL). */
  | { kind: 'delivered'; status?: number; attempt: number }
  | { kind: 'gave_up'; reason: string }
  /** Not accepted this time: the caller throws, so Eventarc retries. */
  | { kind: 'retry'; answer: string; attempt: number };

export const outcomeUserAgent = 'rbm-lifecycle-outcomes/1';

type Claim =
  | { kind: 'missing' }
  | { kind: 'done'; state: 'delivered' | 'failed' }
  | { kind: 'gave_up'; reason: string }
  | { kind: 'push'; url?: string; publish: boolean; payload: OutboxDoc['payload']; attempt: number };

export async function deliverOutcome(outcomeId: string, deps: DeliverDeps): Promise<DeliverResult> {
  const { delivery } = deps;
  const ref = deps.db().collection(collections.outcomes).doc(outcomeId);
  const claimedAt = deps.now();
  const claim = await deps.db().runTransaction(async (tx): Promise<Claim> => {
    const snapshot = await tx.get(ref);
    if (!snapshot.exists) return { kind: 'missing' };
    const doc = fromFirestore<OutboxDoc>(snapshot.data());
    if (doc.state !== 'pending') return { kind: 'done', state: doc.state };
    const url = doc.callbackUrl ?? delivery.callbackUrl;
    const reason =
      !url && !delivery.publisher
        ? 'no callback URL: the message has none and OUTCOME_CALLBACK_URL is not set'
        : doc.attempts >= delivery.maxAttempts
          ? `${doc.attempts} attempts made (OUTCOME_MAX_ATTEMPTS)`
          : claimedAt.getTime() - doc.createdAt.getTime() > delivery.maxAgeMs
            ? `older than OUTCOME_MAX_AGE_HOURS (${doc.attempts} attempts made)`
            : undefined;
    if (reason) {
      tx.update(ref, { state: 'failed', reason, updatedAt: claimedAt });
      return { kind: 'gave_up', reason };
    }
    const attempt = doc.attempts + 1;
    tx.update(ref, {
      attempts: attempt,
      lastAttemptAt: claimedAt,
      touchedAt: claimedAt,
      updatedAt: claimedAt,
    });
    const publish = delivery.publisher !== undefined && doc.publishedAt === undefined;
    return { kind: 'push', ...(url ? { url } : {}), publish, payload: doc.payload, attempt };
  });
  if (claim.kind === 'gave_up') outcomeLogs.gaveUp(deps.log, outcomeId, claim.reason);
  if (claim.kind !== 'push') return claim;

  // Pub/Sub first, once (publishedAt): a retry of a refused HTTP push does not publish again.
  if (claim.publish) {
    const publisher = delivery.publisher!;
    const published = await publisher.publish(claim.payload);
    const at = deps.now();
    const final = !published.ok && claim.attempt >= delivery.maxAttempts;
    await updatePending(deps.db(), ref, {
      updatedAt: at,
      ...(published.ok
        ? { publishedAt: at, pubsubMessageId: published.messageId }
        : { lastError: published.error }),
      ...(published.ok && !claim.url ? { state: 'delivered', deliveredAt: at, lastError: null } : {}),
      ...(final ? { state: 'failed', reason: `${claim.attempt} attempts made (OUTCOME_MAX_ATTEMPTS)` } : {}),
    });
    if (!published.ok) {
      outcomeLogs.refused(deps.log, outcomeId, publisher.topic, published.error, claim.attempt, final);
      return final
        ? { kind: 'gave_up', reason: `${claim.attempt} attempts made` }
        : { kind: 'retry', answer: published.error, attempt: claim.attempt };
    }
    outcomeLogs.published(deps.log, outcomeId, publisher.topic, published.messageId);
  }
  if (!claim.url) return { kind: 'delivered', attempt: claim.attempt };

  const host = new URL(claim.url).host;
  const answer = await post(claim.url, outcomeId, claim.payload, delivery, deps.now());
  const answeredAt = deps.now();
  const accepted = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
  const final = !accepted && claim.attempt >= delivery.maxAttempts;
  await updatePending(deps.db(), ref, {
    ...(answer.status === undefined ? {} : { lastStatus: answer.status }),
    lastError: accepted ? null : answer.text,
    updatedAt: answeredAt,
    ...(accepted ? { state: 'delivered', deliveredAt: answeredAt } : {}),
    ...(final ? { state: 'failed', reason: `${claim.attempt} attempts made (OUTCOME_MAX_ATTEMPTS)` } : {}),
  });
  if (accepted) {
    outcomeLogs.delivered(deps.log, outcomeId, host, answer.status!, claim.attempt);
    return { kind: 'delivered', status: answer.status!, attempt: claim.attempt };
  }
  outcomeLogs.refused(deps.log, outcomeId, host, answer.text, claim.attempt, final);
  if (final) return { kind: 'gave_up', reason: `${claim.attempt} attempts made` };
  return { kind: 'retry', answer: answer.text, attempt: claim.attempt };
}

/** Records an attempt's result, unless another attempt settled the push meanwhile (a duplicate event): never undo that. */
async function updatePending(
  db: Firestore,
  ref: DocumentReference,
  fields: Record<string, unknown>,
): Promise<void> {
  await db.runTransaction(async (tx) => {
    const snapshot = await tx.get(ref);
    if (!snapshot.exists || snapshot.get('state') !== 'pending') return;
    tx.update(ref, fields);
  });
}

/**
 * The Standard Webhooks headers for one attempt: the id is the outbox id (the idempotency
 * key), the timestamp this attempt's, in seconds.
 */
export function signedHeaders(id: string, body: string, secret: string, at: Date): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': outcomeUserAgent,
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

async function post(
  url: string,
  id: string,
  payload: OutboxDoc['payload'],
  delivery: DeliverySettings,
  at: Date,
): Promise<{ status?: number; text: string }> {
  const body = JSON.stringify(payload);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: signedHeaders(id, body, delivery.signingSecret, at),
      body,
      // A redirect is not an acceptance: following it would send the payload somewhere unchecked.
      redirect: 'manual',
      signal: AbortSignal.timeout(delivery.timeoutMs),
    });
    // The answer's body is not needed; drain it so the connection is released.
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status, text: `HTTP ${response.status}` };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const text =
      name === 'TimeoutError' ? `no answer within ${delivery.timeoutMs} ms` : `network error (${name})`;
    return { text };
  }
}

/**
 * The delivery settings from the outcomes config section (shared/config/schema.ts); undefined
 * when push is off. Push on without a signing secret fails the cold start, naming the variable.
 */
export function deliverySettings(config: {
  OUTCOME_PUSH: boolean;
  OUTCOME_CALLBACK_URL?: string | undefined;
  OUTCOME_SIGNING_SECRET?: string | undefined;
  OUTCOME_TIMEOUT_MS: number;
  OUTCOME_MAX_ATTEMPTS: number;
  OUTCOME_MAX_AGE_HOURS: number;
  OUTCOME_PUBSUB_TOPIC?: string | undefined;
  PUBSUB_EMULATOR_HOST?: string | undefined;
}): DeliverySettings | undefined {
  if (!config.OUTCOME_PUSH) return undefined;
  if (!config.OUTCOME_SIGNING_SECRET)
    throw new ConfigError(['OUTCOME_SIGNING_SECRET: required when OUTCOME_PUSH is true (value not set)']);
  return {
    ...(config.OUTCOME_CALLBACK_URL ? { callbackUrl: config.OUTCOME_CALLBACK_URL } : {}),
    signingSecret: config.OUTCOME_SIGNING_SECRET,
    timeoutMs: config.OUTCOME_TIMEOUT_MS,
    maxAttempts: config.OUTCOME_MAX_ATTEMPTS,
    maxAgeMs: config.OUTCOME_MAX_AGE_HOURS * 3_600_000,
    ...(config.OUTCOME_PUBSUB_TOPIC
      ? {
          publisher: createPubsubPublisher({
            topic: config.OUTCOME_PUBSUB_TOPIC,
            timeoutMs: config.OUTCOME_TIMEOUT_MS,
            ...(config.PUBSUB_EMULATOR_HOST ? { emulatorHost: config.PUBSUB_EMULATOR_HOST } : {}),
          }),
        }
      : {}),
  };
}

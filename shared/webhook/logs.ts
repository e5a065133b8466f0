import type { Logger } from '../log/index.ts';

/**
 * One function per webhook log event, so call sites never build log lines
 * and every line carries a stable `event` name to filter on in Cloud Logging.
 * No payloads and no secrets: the platform's data lives in Firestore.
 */
export const webhookLogs = {
  handshakeAccepted: (log: Logger) =>
    log.info({ event: 'webhook.handshake_accepted' }, 'webhook registration handshake accepted'),
  handshakeRefused: (log: Logger) =>
    log.warn(
      { event: 'webhook.handshake_refused' },
      'webhook registration handshake with an unknown clientToken',
    ),
  signatureRejected: (log: Logger, reason: 'missing' | 'mismatch') =>
    log.warn({ event: 'webhook.signature_rejected', reason }, `webhook signature ${reason}; nothing stored`),
  requestRejected: (log: Logger, status: number, reason: string) =>
    log.warn({ event: 'webhook.request_rejected', status, reason }, `webhook request rejected: ${reason}`),
  typeHeaderIgnored: (
    log: Logger,
    webhookType: string,
    body: 'handshake' | 'envelope',
    verdict: 'disagrees' | 'unrecognised',
  ) =>
    log.warn(
      { event: 'webhook.type_header_ignored', webhookType, body, verdict },
      `X-Goog-Webhook-Type ${verdict === 'disagrees' ? 'disagrees with' : 'is unknown for'} a ${body} body; the body decides`,
    ),
  deadLettered: (log: Logger, id: string, reason: string) =>
    log.error(
      { event: 'webhook.dead_lettered', deadLetterId: id, reason },
      `verified webhook payload could not be parsed; kept in deadLetters/${id}`,
    ),
  stored: (log: Logger, kind: string, stored: number, duplicates: number) =>
    log.info(
      { event: 'webhook.stored', kind, stored, duplicates },
      `webhook ${kind}: ${stored} stored, ${duplicates} duplicate`,
    ),
  effectFailed: (log: Logger, messageId: string, effect: string, error: unknown) =>
    log.error(
      { event: 'webhook.effect_failed', messageId, effect, error },
      `could not ${effect} for message ${messageId}; the sweep will re-drive it`,
    ),
  readReceiptFailed: (log: Logger, messageId: string, status: number, error: string) =>
    log.warn(
      { event: 'webhook.read_receipt_failed', userMessageId: messageId, status, error },
      'agent READ receipt for a user message was not accepted',
    ),
  ingestionWriteFailed: (log: Logger, shardId: string, error: unknown) =>
    log.warn(
      { event: 'webhook.ingestion_write_failed', shardId, error },
      "could not write this instance's ingestion shard; the next stored event tries again",
    ),
  storeFailed: (log: Logger, error: unknown) =>
    log.error(
      { event: 'webhook.store_failed', error },
      'could not store webhook event; answering 503 so the platform retries',
    ),
};

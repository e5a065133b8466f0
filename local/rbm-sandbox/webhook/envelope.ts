import { createHmac } from 'node:crypto';
import { rfc3339 } from './payloads.ts';

/**
 * The Pub/Sub push envelope the platform POSTs to the webhook, and its
 * signature (docs/rbm-platform.md#envelope-and-signature):
 *   { message: { data: base64(JSON), attributes, messageId, publishTime }, subscription }
 *   X-Goog-Signature = base64(HMAC-SHA512(key = clientToken, bytes = base64-decoded data))
 */

export interface PushEnvelope {
  message: {
    data: string;
    attributes: Record<string, string>;
    messageId: string;
    publishTime: string;
    // Pub/Sub push repeats both ids in snake_case; the RBM events page's example shows both spellings.
    // https://developers.google.com/business-communications/rcs-business-messaging/guides/build/events
    message_id: string;
    publish_time: string;
  };
  subscription: string;
}

/**
 * One partner, one subscription. Named like the ones the RBM console creates:
 * projects/<project>/subscriptions/rbm-agent-subscription
 * (https://developers.google.com/business-communications/rcs-business-messaging/guides/integrate/pubsub).
 */
export const sandboxSubscription = 'projects/rbm-sandbox/subscriptions/rbm-agent-subscription';

/** The exact bytes that go base64-encoded into `message.data`. */
export function payloadBytes(payload: unknown): Buffer {
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

export function buildEnvelope(fields: {
  data: Buffer;
  attributes: Record<string, string>;
  pubsubMessageId: string;
  publishedAt: number;
}): PushEnvelope {
  const publishTime = rfc3339(fields.publishedAt);
  return {
    message: {
      data: fields.data.toString('base64'),
      attributes: fields.attributes,
      messageId: fields.pubsubMessageId,
      publishTime,
      message_id: fields.pubsubMessageId,
      publish_time: publishTime,
    },
    subscription: sandboxSubscription,
  };
}

/** X-Goog-Signature over the decoded data bytes, keyed with the clientToken. */
export function signature(clientToken: string, data: Buffer): string {
  return createHmac('sha512', clientToken).update(data).digest('base64');
}

import { createHmac, randomUUID } from 'node:crypto';

/*
 * Signed webhook deliveries as the RBM platform posts them (Pub/Sub push
 * envelope, `X-Goog-Signature` = base64(HMAC-SHA512(clientToken, decoded
 * message.data))), built here from the documented shape, as
 * test/helpers/rbm-events.ts does, not with the product's own code.
 */

export interface SignedRequest {
  body: string;
  signature: string;
}

export const benchPhone = '+14155550123';

/** A DELIVERED user event for `messageId`, with a fresh eventId, signed with `clientToken`. */
export function signedDelivered(clientToken: string, messageId: string, agentId: string): SignedRequest {
  const event = {
    senderPhoneNumber: benchPhone,
    eventType: 'DELIVERED',
    eventId: randomUUID(),
    messageId,
    sendTime: new Date().toISOString(),
    agentId,
  };
  const data = Buffer.from(JSON.stringify(event));
  const body = JSON.stringify({
    message: {
      data: data.toString('base64'),
      attributes: {},
      messageId: String(Math.floor(Math.random() * 1e15)),
      publishTime: new Date().toISOString(),
    },
    subscription: 'projects/rbm-global/subscriptions/rbm-agent',
  });
  return { body, signature: createHmac('sha512', clientToken).update(data).digest('base64') };
}

import { createHmac, randomUUID } from 'node:crypto';

/**
 * Builds webhook deliveries exactly as docs/rbm-platform.md#webhook documents them, signed with
 * an HMAC computed here (not with the product's own signing code), so a test
 * proves the product against the documented scheme.
 */
export function envelope(payload: object | string, attributes: Record<string, string> = {}) {
  const data = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return {
    data,
    body: {
      message: {
        data: data.toString('base64'),
        attributes,
        messageId: String(Math.floor(Math.random() * 1e15)),
        publishTime: new Date().toISOString(),
      },
      subscription: 'projects/rbm-global/subscriptions/rbm-agent',
    },
  };
}

export function signature(clientToken: string, data: Buffer): string {
  return createHmac('sha512', clientToken).update(data).digest('base64');
}

export async function postSigned(
  url: string,
  clientToken: string,
  payload: object | string,
  attributes: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  const { data, body } = envelope(payload, attributes);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-goog-signature': signature(clientToken, data),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

export const phone = '+14155550123';

export function userEvent(eventType: string, extra: Record<string, unknown> = {}) {
  return {
    senderPhoneNumber: phone,
    eventType,
    eventId: randomUUID(),
    sendTime: new Date().toISOString(),
    agentId: 'test-agent',
    ...extra,
  };
}

export function serverEvent(eventType: string, messageId: string, extra: Record<string, unknown> = {}) {
  return {
    phoneNumber: phone,
    eventType,
    eventId: randomUUID(),
    messageId,
    sendTime: new Date().toISOString(),
    agentId: 'test-agent',
    ...extra,
  };
}

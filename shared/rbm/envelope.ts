import { z } from 'zod';

/**
 * What the RBM platform POSTs to the webhook (docs/rbm-platform.md#webhook): either
 * the one-time registration handshake or a Pub/Sub-push style envelope whose
 * `message.data` is base64 JSON.
 */
const handshakeSchema = z.object({ clientToken: z.string(), secret: z.string() });

const envelopeSchema = z.object({
  message: z.object({
    data: z.string().min(1),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
    publishTime: z.string().optional(),
  }),
  subscription: z.string().optional(),
});

export type Handshake = z.infer<typeof handshakeSchema>;

export interface Envelope {
  /** The decoded bytes of message.data, exactly what the signature covers. */
  data: Buffer;
  attributes: Record<string, string>;
  pubsubMessageId?: string;
  publishTime?: string;
}

export type ParsedBody =
  | { kind: 'handshake'; handshake: Handshake }
  | { kind: 'envelope'; envelope: Envelope }
  | { kind: 'invalid'; reason: string };

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseBody(body: unknown): ParsedBody {
  const handshake = handshakeSchema.safeParse(body);
  if (handshake.success) return { kind: 'handshake', handshake: handshake.data };
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) {
    return { kind: 'invalid', reason: 'body is neither a registration handshake nor a push envelope' };
  }
  const { data, attributes, messageId, publishTime } = envelope.data.message;
  // Buffer.from(…, 'base64') skips bad characters silently; refuse them instead.
  if (data.length % 4 !== 0 || !base64Pattern.test(data)) {
    return { kind: 'invalid', reason: 'message.data is not base64' };
  }
  return {
    kind: 'envelope',
    envelope: {
      data: Buffer.from(data, 'base64'),
      attributes: attributes ?? {},
      ...(messageId === undefined ? {} : { pubsubMessageId: messageId }),
      ...(publishTime === undefined ? {} : { publishTime }),
    },
  };
}

import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DeliveryFact } from '../lifecycle/receipts.ts';

/**
 * The payloads inside a verified envelope's message.data
 * (docs/rbm-platform.md#payloads). Each kind is recognised by its documented fields; anything
 * unrecognised is kept raw, never dropped.
 */
export type Raw = Record<string, unknown>;

export interface DeliveryEvent {
  eventId: string;
  fact: DeliveryFact;
}

export type Payload =
  /** DELIVERED / READ / TTL_* for agent messages: one event, or a batch of receipts. */
  | { kind: 'delivery'; events: DeliveryEvent[]; raw: Raw }
  | {
      kind: 'user_event';
      eventId: string;
      eventType: 'IS_TYPING' | 'SUBSCRIBE' | 'UNSUBSCRIBE';
      phoneNumber: string;
      agentId: string;
      at: Date;
      raw: Raw;
    }
  | { kind: 'user_message'; messageId: string; phoneNumber: string; agentId: string; at: Date; raw: Raw }
  | { kind: 'agent_launch'; eventId: string; agentId: string; raw: Raw }
  | { kind: 'unknown'; id: string; raw: Raw };

export type ParsedPayload = { ok: true; payload: Payload } | { ok: false; reason: string };

const time = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number');

const userEvent = z.object({
  senderPhoneNumber: phone,
  eventType: z.enum(['DELIVERED', 'READ', 'IS_TYPING', 'SUBSCRIBE', 'UNSUBSCRIBE']),
  eventId: z.string().min(1),
  messageId: z.string().min(1).optional(),
  sendTime: time,
  agentId: z.string().min(1),
});

const serverEvent = z.object({
  phoneNumber: phone,
  eventType: z.enum(['TTL_EXPIRATION_REVOKED', 'TTL_EXPIRATION_REVOKE_FAILED']),
  eventId: z.string().min(1),
  messageId: z.string().min(1),
  sendTime: time,
  agentId: z.string().min(1),
});

const knownEventTypes: ReadonlySet<string> = new Set([
  ...userEvent.shape.eventType.options,
  ...serverEvent.shape.eventType.options,
]);

const userMessage = z.object({
  senderPhoneNumber: phone,
  messageId: z.string().min(1),
  sendTime: time,
  agentId: z.string().min(1),
});

const agentLaunch = z.object({ eventId: z.string().min(1), agentId: z.string().min(1) });

// Business Messages receipts shape: several receipts for several messages in one payload.
const receiptsBatch = z.object({
  agent: z.string().optional(),
  conversationId: z.string().optional(),
  sendTime: time.optional(),
  receipts: z.object({
    receipts: z
      .array(
        z.object({
          message: z.string().regex(/\/messages\/[^/]+$/, 'conversations/C/messages/M'),
          receiptType: z.enum(['DELIVERED', 'READ']),
        }),
      )
      .min(1),
    createTime: time,
  }),
});

export function parsePayload(data: Buffer, attributes: Record<string, string>): ParsedPayload {
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch {
    return { ok: false, reason: 'message.data is not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'message.data is not a JSON object' };
  }
  const obj = raw as Raw;
  try {
    return { ok: true, payload: classify(obj, attributes, data) };
  } catch (error) {
    if (error instanceof z.ZodError) return { ok: false, reason: describe(error) };
    throw error;
  }
}

function classify(obj: Raw, attributes: Record<string, string>, data: Buffer): Payload {
  if (attributes.type === 'agent_launch_event' || 'newLaunchState' in obj) {
    const event = agentLaunch.parse(obj);
    return { kind: 'agent_launch', eventId: event.eventId, agentId: event.agentId, raw: obj };
  }
  if ('receipts' in obj) return receiptsPayload(receiptsBatch.parse(obj), obj);
  if (isServerEvent(obj) && 'messageId' in obj && !knownEventTypes.has(String(obj.eventType))) {
    // A TTL notice with a status this version does not know: Google calls any status other
    // than TTL_EXPIRATION_REVOKED inconclusive, so it is applied as such, not only kept raw.
    const event = serverEvent.extend({ eventType: z.string().min(1) }).parse(obj);
    return deliveryPayload(event.eventId, 'TTL_INCONCLUSIVE', event.messageId, event.phoneNumber, event, obj);
  }
  if ('eventType' in obj && !knownEventTypes.has(String(obj.eventType))) {
    // An event type this version does not know (the platform may add some): kept raw, not dead-lettered.
    return { kind: 'unknown', id: contentId('unknown', data), raw: obj };
  }
  if (isServerEvent(obj)) {
    const event = serverEvent.parse(obj);
    return deliveryPayload(event.eventId, event.eventType, event.messageId, event.phoneNumber, event, obj);
  }
  if ('eventType' in obj) {
    const event = userEvent.parse(obj);
    if (event.eventType === 'DELIVERED' || event.eventType === 'READ') {
      if (!event.messageId) throw zodIssue(['messageId'], `required on ${event.eventType}`);
      return deliveryPayload(
        event.eventId,
        event.eventType,
        event.messageId,
        event.senderPhoneNumber,
        event,
        obj,
      );
    }
    return {
      kind: 'user_event',
      eventId: event.eventId,
      eventType: event.eventType,
      phoneNumber: event.senderPhoneNumber,
      agentId: event.agentId,
      at: event.sendTime,
      raw: obj,
    };
  }
  if ('senderPhoneNumber' in obj && 'messageId' in obj) {
    const message = userMessage.parse(obj);
    return {
      kind: 'user_message',
      messageId: message.messageId,
      phoneNumber: message.senderPhoneNumber,
      agentId: message.agentId,
      at: message.sendTime,
      raw: obj,
    };
  }
  return { kind: 'unknown', id: contentId('unknown', data), raw: obj };
}

/** A ServerEvent names the phone `phoneNumber`; a UserEvent, `senderPhoneNumber`. */
function isServerEvent(obj: Raw): boolean {
  return 'eventType' in obj && 'phoneNumber' in obj && !('senderPhoneNumber' in obj);
}

function deliveryPayload(
  eventId: string,
  type: DeliveryFact['type'],
  messageId: string,
  phoneNumber: string,
  event: { agentId: string; sendTime: Date },
  raw: Raw,
): Payload {
  const fact: DeliveryFact = { type, messageId, agentId: event.agentId, phoneNumber, at: event.sendTime };
  return { kind: 'delivery', events: [{ eventId, fact }], raw };
}

function receiptsPayload(batch: z.infer<typeof receiptsBatch>, raw: Raw): Payload {
  const at = batch.receipts.createTime;
  const agentId = batch.agent?.split('/').pop() ?? '';
  const events = batch.receipts.receipts.map(({ message, receiptType }) => {
    const messageId = message.slice(message.lastIndexOf('/') + 1);
    // Receipts carry no event id: derive one from what identifies the fact, so a
    // retried payload lands on the same documents.
    const eventId = contentId(`receipt-${receiptType.toLowerCase()}`, `${message}|${at.toISOString()}`);
    const fact: DeliveryFact = { type: receiptType, messageId, agentId, phoneNumber: '', at };
    return { eventId, fact };
  });
  return { kind: 'delivery', events, raw };
}

function contentId(prefix: string, content: Buffer | string): string {
  return `${prefix}-${createHash('sha256').update(content).digest('hex').slice(0, 32)}`;
}

function zodIssue(path: string[], message: string): z.ZodError {
  return new z.ZodError([{ code: 'custom', path, message, input: undefined }]);
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ');
}

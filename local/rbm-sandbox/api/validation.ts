import { z } from 'zod';
import { e164Pattern } from '../../common/e164.ts';
import { ApiError } from './google-errors.ts';

/**
 * The request rules the platform enforces, each with its source
 * (docs/rbm-platform.md unless noted). Where the docs leave a choice
 * open the sandbox takes the strict reading, so an agent that passes here
 * passes on the platform.
 */

// messageId / eventId / requestId "must be a UUID, as defined in RFC 4122".
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// google.protobuf.Duration JSON: seconds with up to 9 fractional digits and an "s" suffix.
const durationPattern = /^(\d+)(\.\d{1,9})?s$/;
// google.protobuf.Timestamp JSON (RFC 3339).
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** "250 KB JSON per message": the strict reading, 250,000 bytes of the request body. */
export const maxMessageBytes = 250_000;
/** "3,072 characters of text": counted in UTF-16 code units, the stricter count for astral characters. */
export const maxTextChars = 3_072;
/** ttl / expireTime: "at most 15 days ahead". */
export const maxExpiryMs = 15 * 24 * 3_600_000;

export function requirePhone(phone: string): string {
  if (!e164Pattern.test(phone))
    throw new ApiError(400, `phone number ${JSON.stringify(phone)} is not in E.164 format`);
  return phone;
}

export function requireUuid(name: string, value: string | null): string {
  if (!value) throw new ApiError(400, `${name} is required`);
  if (!uuidPattern.test(value))
    throw new ApiError(400, `${name} must be a UUID (RFC 4122), got ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

export function optionalUuid(name: string, value: string | null): string | null {
  return value === null ? null : requireUuid(name, value);
}

export function requireAgentId(value: string | null): string {
  // agentId is a required query parameter on every phones.* method.
  if (!value) throw new ApiError(400, 'agentId is required');
  return value;
}

const contentMessage = z
  .looseObject({
    text: z.string().min(1).optional(),
    richCard: z.looseObject({}).optional(),
    contentInfo: z.looseObject({}).optional(),
    uploadedRbmFile: z.looseObject({}).optional(),
    suggestions: z.array(z.looseObject({})).optional(),
  })
  .refine(
    (c) => [c.text, c.richCard, c.contentInfo, c.uploadedRbmFile].filter((v) => v !== undefined).length === 1,
    {
      message: 'contentMessage must set exactly one of text, richCard, contentInfo, uploadedRbmFile',
    },
  )
  .refine((c) => c.text === undefined || c.text.length <= maxTextChars, {
    message: `contentMessage.text is longer than ${maxTextChars} characters`,
  });

/**
 * AgentMessage.messageTrafficType, an enum (reference/rest/v1/phones.agentMessages#messagetraffictype).
 * An unknown value is refused as Google APIs refuse any unknown enum value in JSON; the
 * wording is the sandbox's choice, modelled on that standard answer.
 */
export const messageTrafficTypes = [
  'MESSAGE_TRAFFIC_TYPE_UNSPECIFIED',
  'AUTHENTICATION',
  'TRANSACTION',
  'PROMOTION',
  'SERVICEREQUEST',
  'ACKNOWLEDGEMENT',
] as const;

const agentMessageBody = z.looseObject({
  contentMessage,
  messageTrafficType: z
    .string()
    .refine((v) => (messageTrafficTypes as readonly string[]).includes(v), {
      error: (issue) =>
        `Invalid value at 'agent_message.message_traffic_type' (type.googleapis.com/google.communications.rcsbusinessmessaging.v1.MessageTrafficType), ${JSON.stringify(issue.input)}`,
    })
    .optional(),
  ttl: z.string().regex(durationPattern, 'ttl must be a duration like "600s"').optional(),
  expireTime: z.string().regex(timestampPattern, 'expireTime must be an RFC 3339 timestamp').optional(),
});

export interface ValidAgentMessage {
  /** The body as sent, echoed back in the AgentMessage resource. */
  body: Record<string, unknown>;
  text: string | null;
  suggestions: Array<Record<string, unknown>>;
  expireAt: number | null;
  /** As sent; null when the body did not set it (the platform then takes the agent's default). */
  messageTrafficType: string | null;
}

export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError(400, 'Invalid JSON payload received.');
  }
}

export function validateAgentMessage(raw: Buffer, now: number): ValidAgentMessage {
  if (raw.length > maxMessageBytes) {
    throw new ApiError(
      400,
      `AgentMessage is ${raw.length} bytes; the limit is 250 KB (${maxMessageBytes} bytes)`,
    );
  }
  const parsed = agentMessageBody.safeParse(parseJsonBody(raw));
  if (!parsed.success) throw new ApiError(400, describe(parsed.error));
  const body = parsed.data;
  if (body.ttl !== undefined && body.expireTime !== undefined) {
    throw new ApiError(400, 'set at most one of ttl and expireTime');
  }
  let expireAt: number | null = null;
  if (body.ttl !== undefined) {
    const [, seconds, fraction] = body.ttl.match(durationPattern)!;
    const ms = Number(seconds) * 1000 + Math.round(Number(`0${fraction ?? ''}`) * 1000);
    if (ms <= 0) throw new ApiError(400, 'ttl must be positive');
    if (ms > maxExpiryMs) throw new ApiError(400, `ttl ${body.ttl} is more than 15 days`);
    expireAt = now + ms;
  }
  if (body.expireTime !== undefined) {
    const at = Date.parse(body.expireTime);
    if (Number.isNaN(at)) throw new ApiError(400, `expireTime ${body.expireTime} is not a valid time`);
    // Sandbox's choice: an expiry already past is refused (the docs say nothing; the platform could not honour it).
    if (at <= now) throw new ApiError(400, `expireTime ${body.expireTime} is not in the future`);
    if (at - now > maxExpiryMs)
      throw new ApiError(400, `expireTime ${body.expireTime} is more than 15 days ahead`);
    expireAt = at;
  }
  return {
    body: body as Record<string, unknown>,
    text: body.contentMessage.text ?? null,
    suggestions: body.contentMessage.suggestions ?? [],
    expireAt,
    messageTrafficType: body.messageTrafficType ?? null,
  };
}

const agentEventBody = z.discriminatedUnion('eventType', [
  z.looseObject({ eventType: z.literal('READ'), messageId: z.string().min(1) }),
  z.looseObject({ eventType: z.literal('IS_TYPING') }),
]);

export type ValidAgentEvent = z.infer<typeof agentEventBody>;

/** phones.agentEvents.create body: READ of a user's message, or IS_TYPING. */
export function validateAgentEvent(raw: Buffer): ValidAgentEvent {
  const parsed = agentEventBody.safeParse(parseJsonBody(raw));
  if (!parsed.success) throw new ApiError(400, describe(parsed.error));
  return parsed.data;
}

export function describeIssues(error: z.ZodError): string {
  return describe(error);
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

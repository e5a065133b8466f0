import { createHash } from 'node:crypto';
import { z } from 'zod';
import { customPolicy, policies } from '../lifecycle/policy.ts';
import type { Registration } from '../lifecycle/registration.ts';
import { defaultTrafficType, trafficTypes } from '../lifecycle/traffic-type.ts';
import type { Policy } from '../lifecycle/types.ts';
import { parseDuration } from '../time/duration.ts';
import { callbackSchema } from './callback.ts';

/**
 * The `messages` API's input, validated with messages that name the field.
 * Platform limits (docs/rbm-platform.md#send): UUID messageId, 3,072 characters of text,
 * 250 KB of JSON, expiry at most 15 days ahead.
 */
const maxPlatformExpiryMs = 15 * 24 * 3600 * 1000;
// Far deadlines are re-armed every 30 days; a year bounds the chain and the retention.
const maxDeadlineMs = 365 * 24 * 3600 * 1000;
const maxMessageBytes = 250_000;
// A nudge for a message unread after a week is no longer one.
const maxUnreadAfterMs = 7 * 24 * 3600 * 1000;

const policySchema = z.union(
  [
    z.enum(['otp', 'promo']),
    z.strictObject({
      fallbackWhenUncertain: z.boolean(),
      graceSeconds: z.number().int().min(1).max(86_400).optional(),
      maxRevokeAttempts: z.number().int().min(1).max(10).optional(),
      escalateUnreadAfterSeconds: z.number().int().min(1).max(604_800).optional(),
    }),
  ],
  {
    error:
      'must be "otp", "promo", or { fallbackWhenUncertain: boolean, graceSeconds?: 1..86400, maxRevokeAttempts?: 1..10, escalateUnreadAfterSeconds?: 1..604800 }',
  },
);

/** The per-message escalation (docs/escalation.md): on with these settings, or `false` for off. */
const escalationSchema = z.union(
  [
    z.literal(false),
    z.strictObject({
      unreadAfter: z
        .string()
        .refine((v) => {
          const ms = parseDuration(v);
          return ms !== undefined && ms >= 1_000 && ms <= maxUnreadAfterMs;
        }, 'must be a duration from "1s" to "7d", such as "30m"')
        .optional(),
      text: z.string().min(1).max(1600, 'at most 1,600 characters').optional(),
    }),
  ],
  { error: 'must be false or { unreadAfter?: duration, text?: string }' },
);

const contentSchema = z
  .object({
    contentMessage: z.object({ text: z.string().max(3072, 'at most 3,072 characters').optional() }).loose(),
    messageTrafficType: z
      .enum(trafficTypes, { error: `must be one of ${trafficTypes.join(', ')}` })
      .optional(),
  })
  .loose()
  .refine((c) => !('ttl' in c) && !('expireTime' in c), {
    message: 'set platformExpiry instead of ttl/expireTime: the deadline decides the expiry',
  })
  .refine((c) => Buffer.byteLength(JSON.stringify(c)) <= maxMessageBytes, { message: 'larger than 250 KB' });

export const messageRequestSchema = z
  .object({
    // UUIDs compare case-insensitively; the platform reports them in lower case, so store them so.
    messageId: z
      .uuid('must be a UUID (the platform requires one)')
      .transform((id) => id.toLowerCase())
      .optional(),
    phoneNumber: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550123'),
    agentId: z.string().min(1).optional(),
    /** The RBM AgentMessage body; omit it to register a message sent elsewhere. */
    content: contentSchema.optional(),
    deadline: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 time' }).optional(),
    revokeAfter: z
      .string()
      .refine((v) => parseDuration(v) !== undefined, 'must be a duration such as "600s", "10m", "2h", "90d"')
      .optional(),
    policy: policySchema,
    sms: z.object({ text: z.string().min(1).max(1600, 'at most 1,600 characters') }).optional(),
    /** An SMS nudge when delivered and not READ in time; `false` turns off the policy's. */
    escalation: escalationSchema.optional(),
    labels: z
      .record(
        z.string().regex(/^[A-Za-z][\w-]{0,62}$/, 'label names are letters, digits, _ and -'),
        z.string().max(256),
      )
      .refine((l) => Object.keys(l).length <= 16, 'at most 16 labels')
      .optional(),
    /** Also set the platform's own expireTime from the deadline (only when it is within 15 days). */
    platformExpiry: z.boolean().default(false),
    /**
     * Ask the platform first (phones.getCapabilities on the number's regional host); a number
     * not reachable over RBM goes straight to its SMS. Absent: the deployment's CAPABILITY_CHECK.
     */
    capabilityCheck: z.boolean({ error: 'must be true or false' }).optional(),
    /** Where this message's outcomes are pushed (docs/outcomes.md); the deployment's URL otherwise. */
    callback: callbackSchema.optional(),
  })
  .strict()
  .refine((r) => (r.deadline === undefined) !== (r.revokeAfter === undefined), {
    message: 'give exactly one of deadline or revokeAfter',
    path: ['deadline'],
  })
  .refine((r) => !r.platformExpiry || r.content !== undefined, {
    message: 'the platform expiry applies to a message this system sends: give content too',
    path: ['platformExpiry'],
  })
  .refine((r) => !r.capabilityCheck || r.content !== undefined, {
    message: 'the capability check applies to a message this system sends: give content too',
    path: ['capabilityCheck'],
  });

export type MessageRequest = z.infer<typeof messageRequestSchema>;

export const batchRequestSchema = z
  .object({ messages: z.array(z.unknown()).min(1).max(500, 'at most 500 messages per batch') })
  .strict();

/** One problem with a request, as the API reports it. */
export interface FieldError {
  field: string;
  reason: string;
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: at ? `${at}.${key}` : key, reason: 'unknown field' }));
    }
    return [{ field: at || '(body)', reason: issue.message }];
  });
}

/** A registration, plus what to send when this system sends the message. */
export interface PreparedMessage extends Registration {
  /** The body for phones.agentMessages.create; absent when the business sent it itself. */
  sendBody?: Record<string, unknown>;
}

export type Prepared = { ok: true; message: PreparedMessage } | { ok: false; errors: FieldError[] };

/** Turns a valid request into what the rules need, resolving times against `now`. */
export function prepareMessage(
  request: MessageRequest,
  now: Date,
  defaults: { agentId: string; newId: () => string },
): Prepared {
  const deadline = request.deadline
    ? new Date(request.deadline)
    : new Date(now.getTime() + parseDuration(request.revokeAfter!)!);
  const field = request.deadline ? 'deadline' : 'revokeAfter';
  if (!(deadline.getTime() > now.getTime())) {
    return { ok: false, errors: [{ field, reason: 'must be in the future' }] };
  }
  if (deadline.getTime() - now.getTime() > maxDeadlineMs) {
    return { ok: false, errors: [{ field, reason: 'must be within 365 days' }] };
  }
  const untilDeadline = deadline.getTime() - now.getTime();
  if (request.platformExpiry && untilDeadline > maxPlatformExpiryMs) {
    return {
      ok: false,
      errors: [{ field: 'platformExpiry', reason: 'the platform expires messages at most 15 days ahead' }],
    };
  }
  const policy: Policy =
    typeof request.policy === 'string'
      ? policies[request.policy]
      : customPolicy({
          fallbackWhenUncertain: request.policy.fallbackWhenUncertain,
          ...(request.policy.graceSeconds ? { graceMs: request.policy.graceSeconds * 1000 } : {}),
          ...(request.policy.maxRevokeAttempts
            ? { maxRevokeAttempts: request.policy.maxRevokeAttempts }
            : {}),
          ...(request.policy.escalateUnreadAfterSeconds
            ? { escalateUnreadAfterMs: request.policy.escalateUnreadAfterSeconds * 1000 }
            : {}),
        });
  const escalation = resolveEscalation(request, policy.escalateUnreadAfterMs);
  if (escalation && 'field' in escalation) return { ok: false, errors: [escalation] };
  // The request as it identifies the message: the same deadline however it is written.
  const trafficType = request.content?.messageTrafficType ?? defaultTrafficType(policy);
  const { messageId: _id, ...rest } = request;
  const identity = request.deadline ? { ...rest, deadline: deadline.toISOString() } : rest;
  const message: PreparedMessage = {
    messageId: request.messageId ?? defaults.newId(),
    agentId: request.agentId ?? defaults.agentId,
    phoneNumber: request.phoneNumber,
    policy,
    trafficType,
    labels: request.labels ?? {},
    deadline,
    requestHash: createHash('sha256').update(canonicalJson(identity)).digest('hex'),
    ...(request.sms ? { smsText: request.sms.text } : {}),
    ...(escalation ? { escalation } : {}),
    ...(request.capabilityCheck === undefined ? {} : { capabilityCheck: request.capabilityCheck }),
    ...(request.callback ? { callback: request.callback } : {}),
    ...(request.content
      ? {
          sendBody: {
            ...request.content,
            messageTrafficType: trafficType,
            ...(request.platformExpiry ? { expireTime: deadline.toISOString() } : {}),
          },
        }
      : {}),
  };
  return { ok: true, message };
}

/**
 * The message's escalation: its own settings over the policy's, the fallback's text when it
 * gives none; undefined when off; a field error when on but incomplete.
 */
function resolveEscalation(
  request: MessageRequest,
  policyUnreadAfterMs: number | undefined,
): { unreadAfterMs: number; text: string } | FieldError | undefined {
  const own = request.escalation;
  if (own === false) return undefined;
  if (own === undefined && policyUnreadAfterMs === undefined) return undefined;
  const unreadAfterMs = own?.unreadAfter ? parseDuration(own.unreadAfter)! : policyUnreadAfterMs;
  if (unreadAfterMs === undefined) {
    return {
      field: 'escalation.unreadAfter',
      reason: 'required: the policy sets no escalateUnreadAfterSeconds',
    };
  }
  const text = own?.text ?? request.sms?.text;
  if (text === undefined) {
    return { field: 'escalation.text', reason: 'required: the nudge is an SMS, and sms.text is not given' };
  }
  return { unreadAfterMs, text };
}

/** JSON with sorted keys, so the same request hashes the same whatever its key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

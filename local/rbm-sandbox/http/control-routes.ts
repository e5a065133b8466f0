import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { rbmRegions } from '../../../shared/rbm/regions.ts';
import { e164Pattern } from '../../common/e164.ts';
import { BodyTooLargeError, phoneQuery, readBody, sendJson } from '../../common/http-server.ts';
import { pushConcurrencies } from '../webhook/push-window.ts';
import type { SandboxControls } from './sandbox-controls.ts';

/**
 * The sandbox's own HTTP API under /sandbox: ground truth to read and rules,
 * user actions, faults and webhook behaviour to set, so a test in another
 * process or the local stack can drive the sandbox. No auth: it only listens
 * on 127.0.0.1. Bodies are validated with the same shapes as the in-process API.
 */

export const distribution = z.union([
  z.number().nonnegative(),
  z.object({ min: z.number().nonnegative(), max: z.number().nonnegative() }),
  z.object({ median: z.number().nonnegative(), spread: z.number().nonnegative().optional() }),
]);
export const probability = z.number().min(0).max(1);

export const phoneRulesSchema = z.strictObject({
  rcs: z.boolean().optional(),
  region: z.enum(rbmRegions).optional(),
  features: z.array(z.string()).optional(),
  offline: z
    .array(z.strictObject({ afterMs: z.number().nonnegative().optional(), forMs: z.number().positive() }))
    .optional(),
  latency: distribution.optional(),
  inFlight: distribution.optional(),
  racesRevoke: z
    .union([
      z.boolean(),
      z.strictObject({
        answer: z.union([z.literal(200), z.literal(404), z.literal('either')]).optional(),
        deliveredAfterMs: z.number().nonnegative().nullable().optional(),
        times: z.number().int().positive().optional(),
      }),
    ])
    .optional(),
  silentTtl: z.boolean().optional(),
  neverReads: z.boolean().optional(),
  readReceipts: z.boolean().optional(),
  read: z.strictObject({ probability: probability.optional(), delay: distribution.optional() }).optional(),
  reply: z
    .strictObject({
      probability: probability.optional(),
      delay: distribution.optional(),
      typing: z.boolean().optional(),
      text: z.string().optional(),
      suggestion: z.strictObject({ postbackData: z.string(), text: z.string() }).optional(),
    })
    .optional(),
  unsubscribe: z
    .strictObject({ probability: probability.optional(), delay: distribution.optional() })
    .optional(),
});

export const userActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().min(1), agentId: z.string().optional() }),
  z.strictObject({
    type: z.literal('suggestion'),
    postbackData: z.string(),
    text: z.string(),
    agentId: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('typing'), agentId: z.string().optional() }),
  z.strictObject({ type: z.literal('unsubscribe'), agentId: z.string().optional() }),
  z.strictObject({ type: z.literal('subscribe'), agentId: z.string().optional() }),
  z.strictObject({ type: z.literal('read'), messageId: z.string() }),
]);

export const faultRulesSchema = z.array(
  z.strictObject({
    endpoint: z.enum(['send', 'revoke', 'agentEvent', 'capabilities', 'batchGet', '*']),
    kind: z.enum(['error', 'rate-limit', 'slow', 'drop']),
    rate: probability.optional(),
    status: z.number().int().min(400).max(599).optional(),
    retryAfterSeconds: z.number().nonnegative().optional(),
    delayMs: z.number().nonnegative().optional(),
    phase: z.enum(['before', 'after']).optional(),
    times: z.number().int().positive().optional(),
  }),
);

export const webhookSettingsSchema = z.strictObject({
  url: z.url().nullable().optional(),
  clientToken: z.string().min(1).optional(),
  duplicateRate: probability.optional(),
  reorderRate: probability.optional(),
  reorderDelayMs: z.number().nonnegative().optional(),
  minBackoffMs: z.number().positive().optional(),
  maxBackoffMs: z.number().positive().optional(),
  retentionMs: z.number().positive().optional(),
  ackDeadlineMs: z.number().nonnegative().nullable().optional(),
  ackDeadlineRealMs: z.number().nonnegative().optional(),
  concurrency: z.enum(pushConcurrencies).optional(),
  batchReceipts: z
    .strictObject({ windowMs: z.number().nonnegative(), maxReceipts: z.number().int().positive() })
    .nullable()
    .optional(),
});

const launchEventSchema = z.strictObject({
  agentId: z.string().optional(),
  oldLaunchState: z.string(),
  newLaunchState: z.string(),
  regionId: z.string().optional(),
  comment: z.string().optional(),
});

const receiptBatchSchema = z.strictObject({
  agentId: z.string().optional(),
  phoneNumber: z.string(),
  receipts: z
    .array(z.strictObject({ messageId: z.string(), receiptType: z.enum(['DELIVERED', 'READ']) }))
    .min(1),
});

export function controlRoutes(sandbox: SandboxControls) {
  return async (
    req: IncomingMessage,
    res: ServerResponse,
    segments: string[],
    query: URLSearchParams,
  ): Promise<void> => {
    const method = req.method ?? 'GET';
    const [, area, key, action, ...rest] = segments;
    let raw: Buffer;
    try {
      raw = await readBody(req, 1024 * 1024);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: error.message });
      throw error;
    }
    let body: unknown = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return sendJson(res, 400, { error: 'body is not JSON' });
      }
    }
    const parse = <T>(schema: z.ZodType<T>): T | undefined => {
      const result = schema.safeParse(body);
      if (result.success) return result.data;
      sendJson(res, 400, { error: z.prettifyError(result.error) });
      return undefined;
    };
    const phoneKey = (value: string | undefined): string | undefined => {
      if (value && e164Pattern.test(value)) return value;
      sendJson(res, 400, {
        error: `not an E.164 number: ${JSON.stringify(value)} (expected +<digits>; "+" may be sent as %2B)`,
      });
      return undefined;
    };
    if (rest.length > 0) return sendJson(res, 404, { error: 'no such sandbox route' });

    // Ground truth.
    if (method === 'GET' && area === 'truth') {
      if (key === undefined) return sendJson(res, 200, sandbox.truth.snapshot(sandbox.clock.now()));
      if (key === 'messages' && action) {
        const message = sandbox.truth.message(action);
        return message ? sendJson(res, 200, message) : sendJson(res, 404, { error: 'no such message' });
      }
      if (key === 'messages') {
        const given = phoneQuery(query, 'phoneNumber');
        if (given === undefined) return sendJson(res, 200, structuredClone(sandbox.truth.messagesTo()));
        const phoneNumber = phoneKey(given);
        if (!phoneNumber) return;
        return sendJson(res, 200, structuredClone(sandbox.truth.messagesTo(phoneNumber)));
      }
      if (key === 'phones' && action) {
        const phone = sandbox.truth.phone(action);
        return phone ? sendJson(res, 200, phone) : sendJson(res, 404, { error: 'no such phone' });
      }
      if (key === 'webhook') return sendJson(res, 200, sandbox.truth.snapshot(sandbox.clock.now()).webhook);
      if (key === 'calls' && action === undefined) {
        const given = phoneQuery(query, 'phoneNumber');
        if (given === undefined) return sendJson(res, 200, sandbox.truth.callsTo());
        const phoneNumber = phoneKey(given);
        if (!phoneNumber) return;
        return sendJson(res, 200, sandbox.truth.callsTo(phoneNumber));
      }
    }
    if (method === 'GET' && area === 'clock' && key === undefined) {
      return sendJson(res, 200, {
        now: sandbox.clock.now(),
        iso: new Date(sandbox.clock.now()).toISOString(),
      });
    }

    // Phones: rules and user actions.
    if (area === 'phones' && key) {
      const number = phoneKey(key);
      if (!number) return;
      if (method === 'GET' && action === undefined) return sendJson(res, 200, sandbox.profile(number));
      if (method === 'PUT' && action === undefined) {
        const rules = parse(phoneRulesSchema);
        return rules && sendJson(res, 200, sandbox.setPhone(number, rules));
      }
      if (method === 'POST' && action === 'actions') {
        const act = parse(userActionSchema);
        if (!act) return;
        if (act.type === 'read') {
          return sendJson(res, sandbox.readMessage(act.messageId) ? 200 : 409, { read: act.messageId });
        }
        const { agentId, ...userAction } = act;
        sandbox.userAction(number, userAction, agentId);
        return sendJson(res, 200, { ok: true });
      }
    }

    // Faults and webhook behaviour.
    if (area === 'faults' && key === undefined) {
      if (method === 'GET') return sendJson(res, 200, sandbox.faults());
      if (method === 'PUT') {
        const rules = parse(faultRulesSchema);
        if (!rules) return;
        sandbox.setFaults(rules);
        return sendJson(res, 200, sandbox.faults());
      }
    }
    if (area === 'webhook') {
      if (method === 'GET' && key === undefined) return sendJson(res, 200, sandbox.webhookSettings());
      if (method === 'PUT' && key === undefined) {
        const settings = parse(webhookSettingsSchema);
        return settings && sendJson(res, 200, sandbox.configureWebhook(settings));
      }
      if (method === 'GET' && key === 'delivery') return sendJson(res, 200, sandbox.webhookDelivery);
      if (method === 'POST' && key === 'handshake')
        return sendJson(res, 200, await sandbox.registerWebhook());
      if (method === 'POST' && key === 'agent-launch-events') {
        const event = parse(launchEventSchema);
        return event && sendJson(res, 200, { eventId: sandbox.emitAgentLaunchEvent(event) });
      }
      if (method === 'POST' && key === 'receipt-batches') {
        const batch = parse(receiptBatchSchema);
        if (!batch) return;
        sandbox.emitReceiptBatch(batch.phoneNumber, batch.receipts, batch.agentId);
        return sendJson(res, 200, { ok: true });
      }
    }
    sendJson(res, 404, { error: `no such sandbox route: ${method} /${segments.join('/')}` });
  };
}

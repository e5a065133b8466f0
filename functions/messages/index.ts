import { randomUUID } from 'node:crypto';
import * as ff from '@google-cloud/functions-framework';
import { formatRetryAfter, retryAfterSeconds } from '../../shared/http/retry-after.ts';
import { callbackProblem } from '../../shared/messages/callback.ts';
import { type CreateResult, createMessages } from '../../shared/messages/create.ts';
import { publicMessage, readMessageView } from '../../shared/messages/read.ts';
import {
  batchRequestSchema,
  type FieldError,
  fieldErrors,
  messageRequestSchema,
  type PreparedMessage,
  prepareMessage,
} from '../../shared/messages/request.ts';
import { capabilityChecker, lazyRbmClient } from '../../shared/rbm/lazy-client.ts';
import { createRuntime, lazyScheduler } from '../../shared/runtime.ts';

/**
 * The business's API (private: Cloud Run lets only the business's service
 * account invoke it).
 *   POST /messages              send (or register) one message with a deadline
 *   POST /messages:batch        up to 500 at once
 *   GET  /messages/{id}         the message and its timeline
 *   POST /messages/{id}/revoke  revoke now
 * A body that is not JSON is refused by functions-framework's body parser
 * before this code runs (400, its own HTML page): docs/messages-api.md.
 */
const runtime = createRuntime('messages', ['rbm', 'tasks', 'capabilities']);
const { config } = runtime;
const checker = capabilityChecker(config);
const deps = {
  ...runtime,
  rbm: lazyRbmClient(config),
  capabilities: () => checker,
  capabilityDefault: config.CAPABILITY_CHECK,
  scheduler: lazyScheduler(config),
};

type Reply = { status: number; body: unknown; retryAfterMs?: number; allow?: string };

ff.http(
  'messages',
  runtime.traced(async (req, res) => {
    let reply: Reply;
    try {
      reply = await route(req);
    } catch (error) {
      runtime.log.error({ event: 'messages.failed', error }, 'messages request failed; the caller may retry');
      reply = { status: 503, body: { error: 'temporarily unavailable, retry' } };
    }
    if (reply.retryAfterMs !== undefined) res.set('Retry-After', formatRetryAfter(reply.retryAfterMs));
    if (reply.allow) res.set('Allow', reply.allow);
    res.status(reply.status).json(reply.body);
  }),
);

async function route(req: ff.Request): Promise<Reply> {
  const path = req.path.replace(/\/+$/, '');
  const one = /^\/messages\/([^/]+)$/.exec(path);
  const revoke = /^\/messages\/([^/]+)\/revoke$/.exec(path);
  const allowed =
    path === '/messages' || path === '/messages:batch' || revoke ? 'POST' : one ? 'GET' : undefined;
  if (!allowed) return { status: 404, body: { error: `no route for ${req.method} ${req.path}` } };
  if (req.method !== allowed) {
    return {
      status: 405,
      allow: allowed,
      body: { error: `${req.method} not allowed on ${req.path}; use ${allowed}` },
    };
  }
  if (path === '/messages') return createOne(req.body);
  if (path === '/messages:batch') return createBatch(req.body);
  const messageId = pathId((one ?? revoke)![1]!);
  if (!messageId) return { status: 404, body: { error: `no message ${req.path}` } };
  return one ? read(messageId) : revokeNow(messageId);
}

/**
 * A message id from the path: a document id (no "/" once decoded), UUIDs in
 * lower case as the platform reports them. Anything else cannot name a message.
 */
function pathId(raw: string): string | undefined {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (id.includes('/') || id === '.' || id === '..' || Buffer.byteLength(id) > 1500) return undefined;
  return /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i.test(id) ? id.toLowerCase() : id;
}

function prepare(
  body: unknown,
): { ok: true; message: PreparedMessage } | { ok: false; errors: FieldError[] } {
  const parsed = messageRequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const prepared = prepareMessage(parsed.data, deps.now(), {
    agentId: config.RBM_AGENT_ID,
    newId: randomUUID,
  });
  const callback =
    prepared.ok && callbackProblem(prepared.message.callback, config.OUTCOME_CALLBACK_LOOPBACK_HTTP);
  return callback ? { ok: false, errors: [callback] } : prepared;
}

async function createOne(body: unknown): Promise<Reply> {
  const prepared = prepare(body);
  if (!prepared.ok) return { status: 400, body: { errors: prepared.errors } };
  const [result] = await createMessages([prepared.message], deps);
  return toReply(result!);
}

async function createBatch(body: unknown): Promise<Reply> {
  const batch = batchRequestSchema.safeParse(body);
  if (!batch.success) return { status: 400, body: { errors: fieldErrors(batch.error) } };
  const prepared = batch.data.messages.map(prepare);
  const valid = prepared.flatMap((p) => (p.ok ? [p.message] : []));
  const created = await createMessages(valid, deps);
  let next = 0;
  const results = prepared.map((p, index) => {
    if (!p.ok) return { index, ...idOf(batch.data.messages[index]), status: 400, errors: p.errors };
    const reply = toReply(created[next++]!);
    const retry =
      reply.retryAfterMs === undefined ? {} : { retryAfterSeconds: retryAfterSeconds(reply.retryAfterMs) };
    return { index, ...(reply.body as object), ...retry };
  });
  return { status: 200, body: { results } };
}

/** The messageId an invalid batch item gave, if any, so the caller can match the answer. */
function idOf(item: unknown): { messageId?: string } {
  const id = (item as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'string' ? { messageId: id } : {};
}

function toReply(result: CreateResult): Reply {
  switch (result.status) {
    case 200:
    case 201:
      return { status: result.status, body: view(result) };
    case 400:
      return { status: 400, body: { messageId: result.messageId, status: 400, errors: result.errors } };
    case 502:
    case 503:
      return {
        status: result.status,
        body: { messageId: result.messageId, status: result.status, error: result.error },
        ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
      };
    default:
      return {
        status: result.status,
        body: { messageId: result.messageId, status: result.status, error: result.error },
      };
  }
}

function view(result: Extract<CreateResult, { message: unknown }>) {
  return { messageId: result.messageId, status: result.status, message: publicMessage(result.message) };
}

async function read(messageId: string): Promise<Reply> {
  const found = await readMessageView(deps.db(), messageId);
  return found ? { status: 200, body: found } : { status: 404, body: { error: `no message ${messageId}` } };
}

async function revokeNow(messageId: string): Promise<Reply> {
  const found = await readMessageView(deps.db(), messageId);
  if (!found?.message.tracked) return { status: 404, body: { error: `no tracked message ${messageId}` } };
  const now = deps.now();
  await deps.scheduler().schedule({ step: 'manual', messageId, sequence: 0, at: now }, now);
  return { status: 202, body: { messageId, accepted: true, message: found.message } };
}

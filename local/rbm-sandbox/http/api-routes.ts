import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody, sendJson } from '../../common/http-server.ts';
import { ApiError, googleError, missingCredentialMessage } from '../api/google-errors.ts';
import {
  type ApiCall,
  type ApiHost,
  type ApiReply,
  batchGetUsers,
  createAgentEvent,
  createAgentMessage,
  deleteAgentMessage,
  getCapabilities,
} from '../api/handlers.ts';
import type { Timers } from '../core/timers.ts';
import type { Endpoint, Faults } from '../faults.ts';
import type { SandboxLog } from '../log.ts';
import type { PhoneNetwork } from '../phones/network.ts';
import type { Truth } from '../truth.ts';

/**
 * Generous upper bound on what the server reads; the 250 KB rule itself answers 400 (validation.ts).
 * Over it: 400 INVALID_ARGUMENT "Request payload size exceeds the limit: N bytes.", the answer
 * Google APIs give for an oversized request body.
 */
export const maxReadBytes = 4 * 1024 * 1024;

/** A request that has taken effect on the platform, just before its answer is written. */
export interface TakenEffect {
  endpoint: Endpoint;
  phone: string;
  messageId?: string;
  /** The status about to be sent. */
  status: number;
  /** The caller's TCP port, to tell which local process sent it. */
  remotePort: number | undefined;
}

/** Called synchronously between a request's effect and its answer (chaos runs kill the caller here). */
export type EffectHook = (effect: TakenEffect) => void;

interface Route {
  endpoint: Endpoint;
  handler: (network: PhoneNetwork, call: ApiCall) => ApiReply;
  messageId?: string;
}

/** Matches /v1/phones/{E.164}/... (and /v1/users:batchGet, `phone` '') to one of the methods. */
function route(method: string, segments: string[]): (Route & { phone: string }) | null {
  if (method === 'POST' && segments.length === 2 && segments[0] === 'v1' && segments[1] === 'users:batchGet')
    return { endpoint: 'batchGet', handler: batchGetUsers, phone: '' };
  const [v1, phones, phone, collection, messageId, ...rest] = segments;
  if (v1 !== 'v1' || phones !== 'phones' || !phone || rest.length > 0) return null;
  if (method === 'POST' && collection === 'agentMessages' && messageId === undefined)
    return { endpoint: 'send', handler: createAgentMessage, phone };
  if (method === 'DELETE' && collection === 'agentMessages' && messageId !== undefined)
    return { endpoint: 'revoke', handler: deleteAgentMessage, phone, messageId };
  if (method === 'POST' && collection === 'agentEvents' && messageId === undefined)
    return { endpoint: 'agentEvent', handler: createAgentEvent, phone };
  if (method === 'GET' && collection === 'capabilities' && messageId === undefined)
    return { endpoint: 'capabilities', handler: getCapabilities, phone };
  return null;
}

/**
 * The platform API: bearer auth (any non-empty token, or exactly `accessToken`
 * when set), then any injected fault, then the method itself; every error in
 * Google's JSON shape.
 */
export function apiRoutes(deps: {
  network: PhoneNetwork;
  faults: Faults;
  timers: Timers;
  log: SandboxLog;
  truth: Truth;
  accessToken: string | null;
  onEffect: () => EffectHook | null;
}) {
  return async (
    req: IncomingMessage,
    res: ServerResponse,
    segments: string[],
    query: URLSearchParams,
    host: ApiHost = 'global',
  ): Promise<void> => {
    const matched = route(req.method ?? 'GET', segments);
    if (!matched) {
      sendJson(res, 404, googleError(404, `Method not found: ${req.method} /${segments.join('/')}`));
      return;
    }
    // Every request that names a method is in the truth, with the host it was addressed to.
    const call = {
      at: deps.timers.now(),
      endpoint: matched.endpoint,
      host,
      phoneNumber: matched.phone === '' ? null : matched.phone,
      userCount: null as number | null,
      status: 0,
    };
    deps.truth.apiCalls.push(call);
    res.once('finish', () => {
      call.status = res.statusCode;
    });
    const auth = /^Bearer\s+(\S.*)$/i.exec(req.headers.authorization ?? '');
    if (!auth) {
      req.resume();
      sendJson(res, 401, googleError(401, missingCredentialMessage), {
        'www-authenticate': 'Bearer realm="https://accounts.google.com/"',
      });
      return;
    }
    if (deps.accessToken !== null && auth[1]!.trim() !== deps.accessToken) {
      req.resume();
      sendJson(
        res,
        401,
        googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.'),
      );
      return;
    }

    const fault = deps.faults.decide(matched.endpoint);
    if (fault.kind !== 'none') deps.log.faultInjected(matched.endpoint, fault.kind);
    if (fault.kind === 'drop' && fault.phase === 'before') {
      res.socket?.destroy();
      return;
    }
    if (fault.kind === 'error' && fault.phase === 'before') {
      req.resume();
      sendJson(res, fault.status, googleError(fault.status, 'The service is currently unavailable.'));
      return;
    }
    if (fault.kind === 'rate-limit') {
      req.resume();
      sendJson(res, 429, googleError(429, 'Quota exceeded. Retry later.'), {
        'retry-after': String(fault.retryAfterSeconds),
      });
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req, maxReadBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(
          res,
          400,
          googleError(400, `Request payload size exceeds the limit: ${maxReadBytes} bytes.`),
        );
        return;
      }
      throw error;
    }
    if (fault.kind === 'slow') {
      // The answer comes late in clock time; the request takes effect when it answers.
      await new Promise<void>((resolve) => deps.timers.after(fault.delayMs, resolve));
    }

    let reply: ApiReply;
    let headers: Record<string, string> = {};
    try {
      reply = matched.handler(deps.network, {
        phone: matched.phone,
        query,
        body,
        host,
        now: deps.timers.now(),
        ...(matched.messageId !== undefined && { messageId: matched.messageId }),
      });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      reply = { status: error.code, body: error.body };
      headers = error.headers;
    }
    if (matched.endpoint === 'batchGet') {
      const users = (safeJson(body) as { users?: unknown } | null)?.users;
      call.userCount = Array.isArray(users) ? users.length : null;
    }
    if (fault.kind === 'drop') {
      res.socket?.destroy();
      return;
    }
    deps.onEffect()?.({
      endpoint: matched.endpoint,
      phone: matched.phone,
      ...(matched.messageId !== undefined && { messageId: matched.messageId }),
      status: fault.kind === 'error' ? fault.status : reply.status,
      remotePort: req.socket.remotePort,
    });
    if (fault.kind === 'error') {
      sendJson(res, fault.status, googleError(fault.status, 'The service is currently unavailable.'));
      return;
    }
    sendJson(res, reply.status, reply.body, headers);
  };
}

function safeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
}

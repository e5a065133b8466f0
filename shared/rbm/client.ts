import type { AuthClient } from 'google-auth-library';
import { parseRetryAfter } from '../http/retry-after.ts';

/**
 * The RBM calls the product makes (docs/rbm-platform.md): send, revoke, agent
 * event, and the capability checks (one number, or a batch of one region's). Each returns what happened, with status and latency, and never
 * throws for an HTTP or network outcome: the caller's rules decide what a
 * 404 or a 503 means for the message.
 */
export type RbmResult =
  | { ok: true; status: number; body: unknown; latencyMs: number }
  | {
      ok: false;
      /** HTTP status, or 0 when no answer came (network error, timeout). */
      status: number;
      error: string;
      retryAfterMs?: number;
      latencyMs: number;
    };

/** Each call names its agent; without one, the deployment's default agent (RBM_AGENT_ID). */
export interface RbmClient {
  sendMessage(phoneNumber: string, messageId: string, body: object, agentId?: string): Promise<RbmResult>;
  revokeMessage(phoneNumber: string, messageId: string, agentId?: string): Promise<RbmResult>;
  sendAgentEvent(phoneNumber: string, eventId: string, body: object, agentId?: string): Promise<RbmResult>;
  /** phones.getCapabilities: 200 `{features}` when reachable over RBM, 404 when not. */
  getCapabilities(phoneNumber: string, requestId: string, agentId?: string): Promise<RbmResult>;
  /** users.batchGet: `{reachableUsers, ...}`; the numbers must all be of this host's region. */
  batchGetUsers(phoneNumbers: readonly string[], agentId?: string): Promise<RbmResult>;
}

export interface RbmClientSettings {
  baseUrl: string;
  /** The default agent. */
  agentId: string;
  timeoutMs: number;
  auth: Pick<AuthClient, 'getRequestHeaders'>;
  now?: () => number;
}

export function createRbmClient(settings: RbmClientSettings): RbmClient {
  const base = settings.baseUrl.replace(/\/+$/, '');
  const now = settings.now ?? (() => performance.now());
  const phonePath = (phone: string) => `${base}/v1/phones/${encodeURIComponent(phone)}`;
  const agent = (agentId = settings.agentId) => `agentId=${encodeURIComponent(agentId)}`;

  async function call(method: string, url: string, body?: object): Promise<RbmResult> {
    const started = now();
    try {
      const headers = await settings.auth.getRequestHeaders(url);
      if (body) headers.set('content-type', 'application/json');
      const response = await fetch(url, {
        method,
        headers,
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      const text = await response.text();
      const latencyMs = Math.round(now() - started);
      const parsed = parseJson(text);
      if (response.ok) return { ok: true, status: response.status, body: parsed, latencyMs };
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return {
        ok: false,
        status: response.status,
        error: errorMessage(parsed) ?? (text.slice(0, 200) || response.statusText),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        latencyMs,
      };
    } catch (error) {
      const latencyMs = Math.round(now() - started);
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const message = timedOut ? `no answer within ${settings.timeoutMs} ms` : String(error);
      return { ok: false, status: 0, error: message, latencyMs };
    }
  }

  return {
    sendMessage: (phone, messageId, body, agentId) =>
      call(
        'POST',
        `${phonePath(phone)}/agentMessages?messageId=${encodeURIComponent(messageId)}&${agent(agentId)}`,
        body,
      ),
    revokeMessage: (phone, messageId, agentId) =>
      call('DELETE', `${phonePath(phone)}/agentMessages/${encodeURIComponent(messageId)}?${agent(agentId)}`),
    sendAgentEvent: (phone, eventId, body, agentId) =>
      call(
        'POST',
        `${phonePath(phone)}/agentEvents?eventId=${encodeURIComponent(eventId)}&${agent(agentId)}`,
        body,
      ),
    getCapabilities: (phone, requestId, agentId) =>
      call(
        'GET',
        `${phonePath(phone)}/capabilities?requestId=${encodeURIComponent(requestId)}&${agent(agentId)}`,
      ),
    batchGetUsers: (phoneNumbers, agentId = settings.agentId) =>
      call('POST', `${base}/v1/users:batchGet`, { users: phoneNumbers, agentId }),
  };
}

function parseJson(text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Google's error shape: { error: { code, message, status } }. */
function errorMessage(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown; status?: unknown } } | null)?.error;
  if (!error || typeof error.message !== 'string') return undefined;
  return typeof error.status === 'string' ? `${error.status}: ${error.message}` : error.message;
}

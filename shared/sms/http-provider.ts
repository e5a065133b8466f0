import { createHmac } from 'node:crypto';
import { parseRetryAfter } from '../rbm/client.ts';
import { type Exchange, firstHeader, parseJson, post } from './transport.ts';
import type { SmsProvider, SmsRequest, SmsResult } from './types.ts';

export interface HttpSmsSettings {
  /** The provider's send endpoint, e.g. https://sms.example.com/v1/messages. */
  url: string;
  /** Shared secret of the X-Signature HMAC. */
  secret: string;
  timeoutMs: number;
  clock?: () => number;
}

/**
 * The generic HTTPS provider (docs/sms-sandbox.md "Shape 1", docs/fallback.md):
 *   POST {url}  Content-Type: application/json
 *   Idempotency-Key: <messageId>
 *   X-Signature: sha256=<lowercase hex HMAC-SHA256(secret, raw body)>
 *   {"to": "+E.164", "text": "...", "idempotencyKey": "<messageId>"}
 *   -> 2xx {"id": "...", ...}; errors {"error": {"code", "message"}}
 * The provider deduplicates by key and replays the first result, so every
 * failure short of a 4xx is retried with the same key without risk of a
 * second SMS.
 */
export function createHttpSmsProvider(settings: HttpSmsSettings): SmsProvider {
  return {
    name: 'http',
    async send(request: SmsRequest): Promise<SmsResult> {
      const body = JSON.stringify({
        to: request.to,
        text: request.text,
        idempotencyKey: request.idempotencyKey,
      });
      const exchange = await post(settings.url, {
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': request.idempotencyKey,
          'x-signature': signBody(settings.secret, body),
        },
        body,
        timeoutMs: settings.timeoutMs,
        ...(settings.clock ? { clock: settings.clock } : {}),
      });
      return classify(exchange);
    },
  };
}

/** `sha256=` and the lowercase hex HMAC-SHA256 of the exact bytes sent. */
export function signBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

function classify(exchange: Exchange): SmsResult {
  const base = { provider: 'http' as const, latencyMs: exchange.latencyMs };
  if (exchange.kind === 'not_sent') return { ...base, kind: 'transient', status: 0, error: exchange.error };
  if (exchange.kind === 'no_answer') {
    if (exchange.status !== undefined && exchange.status >= 200 && exchange.status < 300) {
      return { ...base, kind: 'sent', status: exchange.status };
    }
    return { ...base, kind: 'ambiguous', status: exchange.status ?? 0, error: exchange.error };
  }
  const { status } = exchange;
  const parsed = parseJson(exchange.body);
  if (status >= 200 && status < 300) {
    const id = (parsed as { id?: unknown } | undefined)?.id;
    return { ...base, kind: 'sent', status, ...(typeof id === 'string' ? { providerId: id } : {}) };
  }
  const error = errorText(parsed, exchange.body, status);
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(firstHeader(exchange.headers['retry-after']));
    return {
      ...base,
      kind: 'transient',
      status,
      error,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  return { ...base, kind: 'permanent', status, error };
}

/** `{error: {code, message}}` -> "code: message"; otherwise the head of the body. */
function errorText(parsed: unknown, raw: string, status: number): string {
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error === 'object') {
    const parts = [error.code, error.message].filter((p) => typeof p === 'string' && p.length > 0);
    if (parts.length > 0) return parts.join(': ');
  }
  return raw.trim().slice(0, 200) || `HTTP ${status}`;
}

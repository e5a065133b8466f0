import { createHmac } from 'node:crypto';
import { type AnswerReading, classifyExchange } from './classify.ts';
import { post } from './transport.ts';
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
      return classifyExchange(exchange, reading);
    },
  };
}

/** `sha256=` and the lowercase hex HMAC-SHA256 of the exact bytes sent. */
export function signBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** The generic provider's answers: every 429 and 5xx is safe to retry, because the key deduplicates. */
const reading: AnswerReading = {
  provider: 'http',
  idField: 'id',
  failure: (status) => (status === 429 || status >= 500 ? 'transient' : 'permanent'),
  authHint: 'check SMS_HTTP_SECRET',
  /** `{error: {code, message}}` -> "code: message". */
  errorText(parsed) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (!error || typeof error !== 'object') return undefined;
    const parts = [error.code, error.message].filter((p) => typeof p === 'string' && p.length > 0);
    return parts.length > 0 ? parts.join(': ') : undefined;
  },
};

import { parseRetryAfter } from '../http/retry-after.ts';
import { type Exchange, firstHeader, parseJson } from './transport.ts';
import type { SmsResult } from './types.ts';

/** How one provider's answers read: what differs between providers, and nothing else. */
export interface AnswerReading {
  provider: 'http' | 'twilio';
  /** The field of a 2xx body that holds the provider's id for the SMS. */
  idField: string;
  /** The provider's error body as one line, when it has its documented shape. */
  errorText(parsed: unknown): string | undefined;
  /** What a non-2xx status means: retry safely, maybe sent, or final. */
  failure(status: number): 'transient' | 'ambiguous' | 'permanent';
  /** Added to a 401/403's error: what to check. */
  authHint?: string;
}

/**
 * One provider call's exchange as an SmsResult. Common to every provider:
 * nothing sent is transient; a lost answer is ambiguous unless a 2xx status
 * line arrived (the provider accepted it); a 2xx is sent, with the provider's id.
 */
export function classifyExchange(exchange: Exchange, reading: AnswerReading): SmsResult {
  const base = { provider: reading.provider, latencyMs: exchange.latencyMs };
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
    const id = (parsed as Record<string, unknown> | undefined)?.[reading.idField];
    return { ...base, kind: 'sent', status, ...(typeof id === 'string' ? { providerId: id } : {}) };
  }
  let error = reading.errorText(parsed) ?? (exchange.body.trim().slice(0, 200) || `HTTP ${status}`);
  const kind = reading.failure(status);
  if (kind === 'transient') {
    const retryAfterMs = parseRetryAfter(firstHeader(exchange.headers['retry-after']));
    return { ...base, kind, status, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  if ((status === 401 || status === 403) && reading.authHint) error = `${error} (${reading.authHint})`;
  return { ...base, kind, status, error };
}

import { randomBytes } from 'node:crypto';
import type { WebhookPoster } from './post.ts';

/**
 * The webhook registration handshake (docs/rbm-platform.md#handshake):
 * the platform POSTs {"clientToken", "secret"}; a webhook that recognises the
 * token answers 200 with the secret as the plain-text body. Anything else and
 * the webhook is not registered.
 */

export type HandshakeResult =
  | { ok: true; url: string }
  | {
      ok: false;
      url: string;
      /**
       * 'unreachable': no connection (refused, reset, bad URL). 'timeout': connected but no
       * answer within the real-time handshake timeout. 'bad-status': answered, not 200.
       * 'wrong-secret': 200 without the secret as the body.
       */
      reason: 'unreachable' | 'timeout' | 'bad-status' | 'wrong-secret';
      status: number | null;
      detail: string;
    };

/** Thrown by startRbmSandbox when the handshake is required and fails. */
export class WebhookHandshakeError extends Error {
  readonly result: Extract<HandshakeResult, { ok: false }>;
  constructor(result: Extract<HandshakeResult, { ok: false }>) {
    super(`RBM sandbox: webhook handshake with ${result.url} failed (${result.reason}): ${result.detail}`);
    this.name = 'WebhookHandshakeError';
    this.result = result;
  }
}

/**
 * Runs the handshake. `timeoutMs` is REAL time, not clock time: the webhook
 * needs real time to answer whatever the clock's scale, and a ManualClock
 * that nobody advances must not let a silent webhook hang start-up.
 */
export async function handshake(
  poster: WebhookPoster,
  url: string,
  clientToken: string,
  timeoutMs: number,
): Promise<HandshakeResult> {
  const secret = randomBytes(16).toString('hex');
  const result = await poster.post(
    url,
    JSON.stringify({ clientToken, secret }),
    { 'content-type': 'application/json', 'x-goog-webhook-type': 'verification' },
    { clockMs: null, realMs: timeoutMs, name: 'handshake timeout' },
  );
  if (result.status === null && result.timedOut) {
    return {
      ok: false,
      url,
      reason: 'timeout',
      status: null,
      detail: `the webhook accepted the connection but sent no answer within ${timeoutMs} ms of real time (handshakeTimeoutMs)`,
    };
  }
  if (result.status === null)
    return { ok: false, url, reason: 'unreachable', status: null, detail: result.error };
  if (result.status !== 200) {
    return {
      ok: false,
      url,
      reason: 'bad-status',
      status: result.status,
      detail: `answered ${result.status}, expected 200 with the secret as the body`,
    };
  }
  if (result.body !== secret) {
    return {
      ok: false,
      url,
      reason: 'wrong-secret',
      status: 200,
      detail: `answered 200 but the body was not the secret (${result.body.length} bytes)`,
    };
  }
  return { ok: true, url };
}

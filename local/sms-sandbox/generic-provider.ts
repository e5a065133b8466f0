import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { e164Pattern } from '../common/e164.ts';
import { sendJson } from '../common/http-server.ts';
import { type SmsFailures, withholdAnswer } from './failures.ts';
import type { Outbox } from './outbox.ts';
import { signatureHeader, verifyGenericSignature } from './signing.ts';

/**
 * A generic HTTPS SMS provider, the shape this project defines for its own
 * fallback adapter:
 *   POST /v1/messages
 *   Content-Type: application/json
 *   Idempotency-Key: <key>                    (or "idempotencyKey" in the body; both must agree)
 *   X-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>
 *   { "to": "+E.164", "text": "...", "idempotencyKey": "...", "from"?: "...", "reference"?: "..." }
 * -> 201 { id, status: "accepted", to, idempotencyKey, createdAt }
 * A repeated key with the same to/text answers the original result again
 * (header Idempotent-Replayed: true) and sends nothing; with other content 422.
 * Errors: { error: { code, message } }; 401 for a bad or missing signature.
 */

export const genericPath = '/v1/messages';

const body = z.looseObject({
  to: z.string().regex(e164Pattern, 'to must be an E.164 number'),
  text: z.string().min(1).max(1_600),
  idempotencyKey: z.string().min(1).max(255).optional(),
  from: z.string().optional(),
  reference: z.string().optional(),
});

interface Stored {
  to: string;
  text: string;
  status: number;
  body: unknown;
}

function error(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  sendJson(res, status, { error: { code, message } }, headers);
}

export function genericProvider(deps: { outbox: Outbox; failures: SmsFailures; secret: () => string }) {
  const results = new Map<string, Stored>();
  const { outbox, failures } = deps;

  return (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const rejected = (to: string | null, key: string | null, status: number, text: string | null = null) =>
      outbox.attempt({
        shape: 'generic',
        to,
        text,
        idempotencyKey: key,
        status,
        outcome: 'rejected',
        smsId: null,
      });

    // Signature first, over the raw bytes: a request that fails it is not even parsed.
    if (!verifyGenericSignature(deps.secret(), raw, req.headers[signatureHeader] as string | undefined)) {
      rejected(null, null, 401);
      return error(res, 401, 'invalid_signature', `missing or invalid ${signatureHeader} header`);
    }
    let parsed: z.infer<typeof body>;
    try {
      const result = body.safeParse(JSON.parse(raw.toString('utf8')));
      if (!result.success) {
        rejected(null, null, 400);
        return error(res, 400, 'invalid_request', z.prettifyError(result.error));
      }
      parsed = result.data;
    } catch {
      rejected(null, null, 400);
      return error(res, 400, 'invalid_request', 'body is not JSON');
    }
    const headerKey = req.headers['idempotency-key'] as string | undefined;
    if (headerKey && parsed.idempotencyKey && headerKey !== parsed.idempotencyKey) {
      rejected(parsed.to, headerKey, 400, parsed.text);
      return error(res, 400, 'invalid_request', 'Idempotency-Key header and body idempotencyKey differ');
    }
    const key = headerKey ?? parsed.idempotencyKey;
    if (!key) {
      rejected(parsed.to, null, 400, parsed.text);
      return error(res, 400, 'invalid_request', 'an idempotency key is required (Idempotency-Key header)');
    }

    const earlier = results.get(key);
    if (earlier) {
      if (earlier.to !== parsed.to || earlier.text !== parsed.text) {
        rejected(parsed.to, key, 422, parsed.text);
        return error(
          res,
          422,
          'idempotency_key_reused',
          'this idempotency key was used for a different message',
        );
      }
      outbox.attempt({
        shape: 'generic',
        to: parsed.to,
        text: parsed.text,
        idempotencyKey: key,
        status: earlier.status,
        outcome: 'replayed',
        smsId: (earlier.body as { id: string }).id,
      });
      return sendJson(res, earlier.status, earlier.body, { 'idempotent-replayed': 'true' });
    }

    const failure = failures.decide('generic', parsed.to);
    const fail = (outcome: 'failed' | 'sent-then-failed', smsId: string | null) => {
      if (failure!.kind === 'drop' || failure!.kind === 'hang') {
        outbox.attempt({
          shape: 'generic',
          to: parsed.to,
          text: parsed.text,
          idempotencyKey: key,
          status: null,
          outcome,
          smsId,
        });
        withholdAnswer(res, failure!.kind);
        return;
      }
      const { status, retryAfterSeconds } = failure as { status: number; retryAfterSeconds: number | null };
      outbox.attempt({
        shape: 'generic',
        to: parsed.to,
        text: parsed.text,
        idempotencyKey: key,
        status,
        outcome,
        smsId,
      });
      error(
        res,
        status,
        status === 429 ? 'rate_limited' : 'provider_error',
        'injected failure',
        retryAfterSeconds === null ? {} : { 'retry-after': String(retryAfterSeconds) },
      );
    };
    if (failure?.phase === 'before') return fail('failed', null);

    const sms = outbox.accept(
      {
        shape: 'generic',
        id: `sms_${outbox.hex32()}`,
        to: parsed.to,
        from: parsed.from ?? null,
        text: parsed.text,
        idempotencyKey: key,
      },
      { remotePort: req.socket.remotePort },
    );
    const reply = {
      id: sms.id,
      status: 'accepted',
      to: sms.to,
      idempotencyKey: key,
      createdAt: new Date(sms.acceptedAt).toISOString(),
    };
    // The result is kept once the SMS went out, whatever the answer: a retry replays it.
    results.set(key, { to: parsed.to, text: parsed.text, status: 201, body: reply });
    if (failure) return fail('sent-then-failed', sms.id);
    outbox.attempt({
      shape: 'generic',
      to: sms.to,
      text: sms.text,
      idempotencyKey: key,
      status: 201,
      outcome: 'sent',
      smsId: sms.id,
    });
    sendJson(res, 201, reply);
  };
}

import { createHmac, randomUUID } from 'node:crypto';
import { ManualClock } from '../../../local/common/clock.ts';
import {
  type SmsSandbox,
  type SmsSandboxOptions,
  startSmsSandbox,
} from '../../../local/sms-sandbox/index.ts';

/** Shared set-up for the SMS sandbox tests: clients for both provider shapes, signing computed here. */

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON under test.
export type Json = any;

export const start = Date.UTC(2026, 0, 1, 12, 0, 0);
export const secret = 'test-sms-secret';
export const twilioAccount = { accountSid: `AC${'1'.repeat(32)}`, authToken: 'test-auth-token' };

export async function smsRig(options: Partial<SmsSandboxOptions> = {}) {
  const clock = new ManualClock(start);
  const sandbox = await startSmsSandbox({
    clock,
    seed: 3,
    genericSecret: secret,
    twilio: twilioAccount,
    logLevel: 'silent',
    ...options,
  });
  return { clock, sandbox, generic: genericClient(sandbox), twilio: twilioClient(sandbox) };
}

export interface Reply {
  status: number;
  body: Json;
  headers: Headers;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, headers: res.headers };
}

/** The generic provider's client: X-Signature = sha256=hex(HMAC-SHA256(secret, raw body)), computed here. */
export function genericClient(sandbox: SmsSandbox) {
  return {
    send: async (
      fields: { to: string; text: string; idempotencyKey?: string } & Record<string, unknown>,
      options: { key?: string | null; sign?: string | null; rawBody?: string } = {},
    ): Promise<Reply> => {
      const idempotencyKey = fields.idempotencyKey ?? randomUUID();
      const raw = options.rawBody ?? JSON.stringify({ ...fields, idempotencyKey });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const key = options.key === undefined ? idempotencyKey : options.key;
      if (key !== null) headers['idempotency-key'] = key;
      const signWith = options.sign === undefined ? secret : options.sign;
      if (signWith !== null)
        headers['x-signature'] = `sha256=${createHmac('sha256', signWith).update(raw).digest('hex')}`;
      return reply(await fetch(`${sandbox.url}/v1/messages`, { method: 'POST', headers, body: raw }));
    },
  };
}

/** Twilio's Messages API as twilio-node calls it: form-encoded, HTTP basic auth. */
export function twilioClient(sandbox: SmsSandbox) {
  return {
    send: async (
      form: Record<string, string>,
      options: { accountSid?: string; user?: string; password?: string | null } = {},
    ): Promise<Reply> => {
      const accountSid = options.accountSid ?? twilioAccount.accountSid;
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (options.password !== null) {
        const user = options.user ?? twilioAccount.accountSid;
        const password = options.password ?? twilioAccount.authToken;
        headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      }
      return reply(
        await fetch(`${sandbox.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
          method: 'POST',
          headers,
          body: new URLSearchParams(form).toString(),
        }),
      );
    },
  };
}

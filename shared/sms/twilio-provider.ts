import { type AnswerReading, classifyExchange } from './classify.ts';
import { post } from './transport.ts';
import type { SmsProvider, SmsRequest, SmsResult } from './types.ts';

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** Sender: a number (or alphanumeric sender id), a Messaging Service, or both. */
  from?: string;
  messagingServiceSid?: string;
  /** https://api.twilio.com in production; the SMS sandbox's URL locally. */
  baseUrl: string;
  timeoutMs: number;
  clock?: () => number;
}

/**
 * Twilio's Messages REST API (https://www.twilio.com/docs/messaging/api/message-resource):
 *   POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json
 *   HTTP basic auth AccountSid:AuthToken; form-encoded To, From and/or MessagingServiceSid, Body
 *   -> 201 Message resource {sid: "SM...", status, ...}
 *   errors {code, message, more_info, status} (https://www.twilio.com/docs/usage/twilios-response)
 *
 * Twilio has no idempotency key for creating a message, so the answer decides
 * whether a retry is safe, as Twilio documents it:
 * - 429 (error 20429): "never processed and is always safe to retry" -> transient;
 * - 503 (error 20503): "temporarily unavailable ... try again with exponential back-off" -> transient;
 * - 500 (error 20500), and any other 5xx: sending an SMS is "not idempotent. If you get a 500
 *   ... and you retry ..., it is possible for a customer to receive multiple messages"
 *   (https://www.twilio.com/docs/api/errors/20500) -> ambiguous;
 * - no answer after the request went out -> ambiguous.
 * The fallback rules never retry an ambiguous Twilio send (law 4, docs/architecture.md#lifecycle-laws).
 */
export function createTwilioSmsProvider(settings: TwilioSettings): SmsProvider {
  const base = settings.baseUrl.replace(/\/+$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  const reading = twilioReading(settings.accountSid);

  return {
    name: 'twilio',
    async send(request: SmsRequest): Promise<SmsResult> {
      const form = new URLSearchParams({ To: request.to, Body: request.text });
      if (settings.from) form.set('From', settings.from);
      if (settings.messagingServiceSid) form.set('MessagingServiceSid', settings.messagingServiceSid);
      const exchange = await post(url, {
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization,
        },
        body: form.toString(),
        timeoutMs: settings.timeoutMs,
        ...(settings.clock ? { clock: settings.clock } : {}),
      });
      return classifyExchange(exchange, reading);
    },
  };
}

/** Twilio's answers, as its docs classify them (see above). */
function twilioReading(accountSid: string): AnswerReading {
  return {
    provider: 'twilio',
    idField: 'sid',
    failure: (status) =>
      status === 429 || status === 503 ? 'transient' : status >= 500 ? 'ambiguous' : 'permanent',
    authHint: `check TWILIO_ACCOUNT_SID ${accountSid} and TWILIO_AUTH_TOKEN`,
    /** `{code, message, more_info}` -> "21211 Invalid 'To' Phone Number (https://...)". */
    errorText(parsed) {
      const body = parsed as { code?: unknown; message?: unknown; more_info?: unknown } | undefined;
      if (!body || typeof body !== 'object' || typeof body.message !== 'string') return undefined;
      const code = typeof body.code === 'number' || typeof body.code === 'string' ? `${body.code} ` : '';
      const more = typeof body.more_info === 'string' ? ` (${body.more_info})` : '';
      return `${code}${body.message}${more}`;
    },
  };
}

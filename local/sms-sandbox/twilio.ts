import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { e164Pattern } from '../common/e164.ts';
import { sendJson } from '../common/http-server.ts';
import { type SmsFailures, withholdAnswer } from './failures.ts';
import type { Outbox } from './outbox.ts';

/**
 * Twilio's Messages REST API, the part a fallback sender uses:
 *   POST /2010-04-01/Accounts/{AccountSid}/Messages.json
 *   HTTP basic auth AccountSid:AuthToken, form-encoded To, From or MessagingServiceSid, Body
 *   -> 201 and the Message resource (sid "SM" + 32 hex, status "queued", or "accepted" via a
 *      Messaging Service), https://www.twilio.com/docs/messaging/api/message-resource
 * Errors in Twilio's JSON shape { code, message, more_info, status },
 * https://www.twilio.com/docs/usage/twilios-response. Like the real API there is
 * no idempotency key: posting twice sends twice.
 */

export const twilioPathPattern = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

interface TwilioError {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

function twilioError(status: number, code: number, message: string): TwilioError {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/** Twilio's error codes for the statuses the failure injection answers with. */
function injectedError(status: number): TwilioError {
  if (status === 429) return twilioError(429, 20429, 'Too Many Requests');
  if (status === 503) return twilioError(503, 20503, 'Service Unavailable');
  if (status >= 500) return twilioError(status, 20500, 'Internal Server Error');
  return twilioError(status, 20001, 'Unknown parameters');
}

function rfc2822(ms: number): string {
  // Twilio's date_created looks like "Tue, 27 Nov 2018 16:14:39 +0000".
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function twilioProvider(deps: {
  outbox: Outbox;
  failures: SmsFailures;
  credentials: () => { accountSid: string; authToken: string };
}) {
  const { outbox, failures } = deps;
  return (req: IncomingMessage, res: ServerResponse, raw: Buffer, pathAccountSid: string) => {
    const { accountSid, authToken } = deps.credentials();
    const rejected = (to: string | null, error: TwilioError, text: string | null = null) => {
      outbox.attempt({
        shape: 'twilio',
        to,
        text,
        idempotencyKey: null,
        status: error.status,
        outcome: 'rejected',
        smsId: null,
      });
      sendJson(res, error.status, error);
    };

    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const [user = '', pass = ''] = basic
      ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(/:(.*)/s)
      : [];
    if (!basic || !sameText(user, accountSid) || !sameText(pass, authToken)) {
      res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
      return rejected(null, twilioError(401, 20003, 'Authenticate'));
    }
    if (pathAccountSid !== accountSid) {
      return rejected(
        null,
        twilioError(
          404,
          20404,
          `The requested resource /2010-04-01/Accounts/${pathAccountSid}/Messages.json was not found`,
        ),
      );
    }
    const form = new URLSearchParams(raw.toString('utf8'));
    const to = form.get('To');
    const from = form.get('From');
    const serviceSid = form.get('MessagingServiceSid');
    const text = form.get('Body');
    if (!to) return rejected(null, twilioError(400, 21604, "A 'To' phone number is required."), text);
    if (!e164Pattern.test(to))
      return rejected(to, twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`), text);
    if (!from && !serviceSid)
      return rejected(to, twilioError(400, 21603, "A 'From' phone number is required."), text);
    if (!text) return rejected(to, twilioError(400, 21602, 'Message body is required.'), text);
    if (text.length > 1_600) {
      return rejected(
        to,
        twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.'),
        text,
      );
    }

    const failure = failures.decide('twilio', to);
    const fail = (outcome: 'failed' | 'sent-then-failed', smsId: string | null) => {
      if (failure!.kind === 'drop' || failure!.kind === 'hang') {
        outbox.attempt({ shape: 'twilio', to, text, idempotencyKey: null, status: null, outcome, smsId });
        withholdAnswer(res, failure!.kind);
        return;
      }
      const { status, retryAfterSeconds } = failure as { status: number; retryAfterSeconds: number | null };
      outbox.attempt({ shape: 'twilio', to, text, idempotencyKey: null, status, outcome, smsId });
      sendJson(
        res,
        status,
        injectedError(status),
        retryAfterSeconds === null ? {} : { 'retry-after': String(retryAfterSeconds) },
      );
    };
    if (failure?.phase === 'before') return fail('failed', null);

    const sms = outbox.accept(
      {
        shape: 'twilio',
        id: `SM${outbox.hex32()}`,
        to,
        from: from ?? serviceSid,
        text,
        idempotencyKey: null,
      },
      { remotePort: req.socket.remotePort },
    );
    if (failure) return fail('sent-then-failed', sms.id);
    outbox.attempt({
      shape: 'twilio',
      to,
      text,
      idempotencyKey: null,
      status: 201,
      outcome: 'sent',
      smsId: sms.id,
    });
    const created = rfc2822(sms.acceptedAt);
    const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${sms.id}`;
    sendJson(res, 201, {
      sid: sms.id,
      account_sid: accountSid,
      messaging_service_sid: serviceSid,
      to,
      from: from ?? null,
      body: text,
      // A Messaging Service picks the sender later: the message starts "accepted", otherwise "queued".
      status: serviceSid && !from ? 'accepted' : 'queued',
      // GSM-7: one segment up to 160 characters, then 153 per segment.
      num_segments: String(text.length <= 160 ? 1 : Math.ceil(text.length / 153)),
      num_media: '0',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      price: null,
      price_unit: 'USD',
      error_code: null,
      error_message: null,
      date_created: created,
      date_updated: created,
      date_sent: null,
      uri: `${uri}.json`,
      subresource_uris: { media: `${uri}/Media.json` },
    });
  };
}

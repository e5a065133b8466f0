import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../../shared/log/index.ts';
import { type Clock, SystemClock } from '../common/clock.ts';
import {
  BodyTooLargeError,
  type Listening,
  listen,
  parseUrl,
  phoneQuery,
  readBody,
  sendJson,
} from '../common/http-server.ts';
import { defaultLogger } from '../common/log.ts';
import { Prng } from '../common/random.ts';
import { type SmsFailureRule, SmsFailures } from './failures.ts';
import { genericPath, genericProvider } from './generic-provider.ts';
import { Outbox } from './outbox.ts';
import { type SmsRecord, SmsRecords } from './records.ts';
import { twilioPathPattern, twilioProvider } from './twilio.ts';

export interface SmsSandboxOptions {
  /** The shared clock (timestamps only: the SMS sandbox sets no timers). Default: SystemClock at `timeScale`. */
  clock?: Clock;
  timeScale?: number;
  port?: number;
  seed?: number | string;
  /** Shared secret of the generic provider's X-Signature. */
  genericSecret?: string;
  /** Twilio account the Twilio-shaped endpoint accepts. */
  twilio?: { accountSid?: string; authToken?: string };
  failures?: SmsFailureRule[];
  /** Numbers that accept SMS but never receive them. */
  unreachable?: string[];
  logger?: Logger;
  logLevel?: string;
}

export const defaultGenericSecret = 'sms-sandbox-secret';
export const defaultTwilioAccount = {
  accountSid: `AC${'0'.repeat(32)}`,
  authToken: 'sms-sandbox-auth-token',
};

const failureRules = z.array(
  z.strictObject({
    shape: z.enum(['generic', 'twilio', '*']).optional(),
    to: z.string().optional(),
    kind: z.enum(['status', 'drop', 'hang']).optional(),
    status: z.number().int().min(400).max(599).optional(),
    retryAfterSeconds: z.number().nonnegative().optional(),
    rate: z.number().min(0).max(1).optional(),
    times: z.number().int().positive().optional(),
    phase: z.enum(['before', 'after']).optional(),
  }),
);

/** A local SMS provider in two shapes (generic HMAC-signed JSON, Twilio Messages API) with a ground truth. */
export class SmsSandbox {
  readonly url: string;
  readonly port: number;
  readonly clock: Clock;
  readonly records: SmsRecords;
  /** Base URL to give a Twilio client (its API host). */
  readonly twilioBaseUrl: string;
  readonly genericUrl: string;
  readonly #failures: SmsFailures;
  readonly #outbox: Outbox;
  readonly #listening: Listening;
  readonly #settings: { genericSecret: string; twilio: { accountSid: string; authToken: string } };
  #stopped: Promise<void> | null = null;

  constructor(parts: {
    listening: Listening;
    clock: Clock;
    records: SmsRecords;
    failures: SmsFailures;
    outbox: Outbox;
    settings: { genericSecret: string; twilio: { accountSid: string; authToken: string } };
  }) {
    this.#listening = parts.listening;
    this.url = parts.listening.url;
    this.port = parts.listening.port;
    this.clock = parts.clock;
    this.records = parts.records;
    this.#failures = parts.failures;
    this.#outbox = parts.outbox;
    this.#settings = parts.settings;
    this.twilioBaseUrl = this.url;
    this.genericUrl = `${this.url}${genericPath}`;
  }

  get genericSecret(): string {
    return this.#settings.genericSecret;
  }

  get twilio(): { accountSid: string; authToken: string } {
    return { ...this.#settings.twilio };
  }

  /** SMS accepted (optionally to one number). */
  sent(to?: string): SmsRecord[] {
    return this.records.sent(to);
  }

  /** SMS that reached `to`: more than one with the same text is a duplicate. */
  deliveredTo(to: string): SmsRecord[] {
    return this.records.deliveredTo(to);
  }

  setFailures(rules: SmsFailureRule[]): void {
    this.#failures.set(rules);
  }

  /** The next `count` requests (of `shape`, default any) fail with `status` (default 503). */
  failNext(count: number, status = 503, shape: 'generic' | 'twilio' | '*' = '*'): void {
    this.#failures.set([...this.#failures.list(), { shape, status, times: count }]);
  }

  /**
   * Calls `hook` synchronously once each SMS is accepted and before the
   * provider answers (`null`: none). A chaos run kills the caller there: the
   * SMS went out, the caller never heard.
   */
  onAccepted(hook: ((sms: SmsRecord, caller: { remotePort: number | undefined }) => void) | null): void {
    this.#outbox.onAccepted = hook;
  }

  setUnreachable(numbers: string[]): void {
    this.#outbox.unreachable.clear();
    for (const n of numbers) this.#outbox.unreachable.add(n);
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#listening.close();
    return this.#stopped;
  }

  /** @internal the /sandbox control routes. */
  control(
    req: IncomingMessage,
    res: ServerResponse,
    segments: string[],
    query: URLSearchParams,
    raw: Buffer,
  ) {
    const method = req.method ?? 'GET';
    const [, area] = segments;
    if (segments.length === 2 && method === 'GET' && area === 'sms') {
      // An unencoded "+" in ?to= arrives as a space: read it back as "+".
      const to = phoneQuery(query, 'to');
      return sendJson(res, 200, this.records.sent(to));
    }
    if (segments.length === 2 && method === 'GET' && area === 'truth') {
      return sendJson(res, 200, this.records.snapshot(this.clock.now()));
    }
    if (segments.length === 2 && area === 'failures' && method === 'GET') {
      return sendJson(res, 200, this.#failures.list());
    }
    if (segments.length === 2 && area === 'failures' && method === 'PUT') {
      let parsed: ReturnType<typeof failureRules.safeParse>;
      try {
        parsed = failureRules.safeParse(JSON.parse(raw.toString('utf8')));
      } catch {
        return sendJson(res, 400, { error: 'body is not JSON' });
      }
      if (!parsed.success) return sendJson(res, 400, { error: z.prettifyError(parsed.error) });
      this.#failures.set(parsed.data);
      return sendJson(res, 200, this.#failures.list());
    }
    sendJson(res, 404, { error: `no such sandbox route: ${method} /${segments.join('/')}` });
  }
}

export async function startSmsSandbox(options: SmsSandboxOptions = {}): Promise<SmsSandbox> {
  const clock = options.clock ?? new SystemClock({ scale: options.timeScale ?? 1 });
  const root = new Prng(options.seed ?? 1);
  const records = new SmsRecords();
  const outbox = new Outbox({ records, ids: root.fork('sms-ids'), now: () => clock.now() });
  for (const n of options.unreachable ?? []) outbox.unreachable.add(n);
  const failures = new SmsFailures(root.fork('sms-failures'), options.failures);
  const settings = {
    genericSecret: options.genericSecret ?? defaultGenericSecret,
    twilio: { ...defaultTwilioAccount, ...options.twilio },
  };
  const generic = genericProvider({ outbox, failures, secret: () => settings.genericSecret });
  const twilio = twilioProvider({ outbox, failures, credentials: () => settings.twilio });
  const logger = options.logger ?? defaultLogger(options.logLevel);

  let sandbox: SmsSandbox | undefined;
  const listening = await listen(async (req, res) => {
    const { segments, query, path } = parseUrl(req);
    let raw: Buffer;
    try {
      raw = await readBody(req, 1024 * 1024);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: error.message });
      throw error;
    }
    if (req.method === 'POST' && path === genericPath) return generic(req, res, raw);
    const twilioMatch = twilioPathPattern.exec(path);
    if (req.method === 'POST' && twilioMatch)
      return twilio(req, res, raw, decodeURIComponent(twilioMatch[1]!));
    if (segments[0] === 'sandbox' && sandbox) return sandbox.control(req, res, segments, query, raw);
    sendJson(res, 404, { error: { code: 'not_found', message: `no route ${req.method} ${path}` } });
  }, options.port);

  sandbox = new SmsSandbox({ listening, clock, records, failures, outbox, settings });
  logger.child({ component: 'sms-sandbox' }).info({ url: listening.url }, 'SMS sandbox listening');
  return sandbox;
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { type SmsSandbox, startSmsSandbox } from '../../../local/sms-sandbox/index.ts';
import type { SmsProviderName } from '../../../shared/sms/types.ts';
import { type FirestoreTestContext, useFirestoreEmulator } from '../../helpers/firestore.ts';
import { type ServedFunction, serveFunction } from '../../helpers/functions.ts';

/*
 * The real `fallback` function over HTTP, once per provider, against the
 * Firestore emulator and the SMS sandbox, on one manual clock.
 *
 * A function reads its configuration once, at cold start, so each provider
 * gets its own cold start: `vi.resetModules()` and a fresh import of the
 * function. The fresh import brings its own copy of shared/time/now.ts, so
 * the clock is installed in each copy.
 */

export const providers = ['http', 'twilio'] as const satisfies readonly SmsProviderName[];
export const maxAttempts = 4;
export const timeoutMs = 2_000;
export const secret = 'fallback-test-secret';
export const twilioAccount = { accountSid: `AC${'7'.repeat(32)}`, authToken: 'fallback-test-token' };
export const twilioFrom = '+15550009999';
export const start = Date.UTC(2026, 2, 1, 9, 0, 0);

export interface FallbackRig {
  readonly fs: FirestoreTestContext;
  readonly clock: ManualClock;
  readonly sms: SmsSandbox;
  /** The function's URL, configured for `provider`. */
  url(provider: SmsProviderName): string;
  /** A phone number no other test in the file uses, so sandbox records and failure rules stay apart. */
  phone(): string;
  now(): Date;
}

export interface RigOptions {
  /** Routes every provider call through this proxy (started after the sandbox, stopped with it). */
  proxy?: HoldingProxy;
}

export function useFallbackRig(options: RigOptions = {}): FallbackRig {
  const fs = useFirestoreEmulator();
  const clock = new ManualClock(start);
  let sms: SmsSandbox | undefined;
  const served = new Map<SmsProviderName, ServedFunction>();
  let numbers = 0;

  beforeAll(async () => {
    sms = await startSmsSandbox({
      clock,
      seed: 11,
      genericSecret: secret,
      twilio: twilioAccount,
      logLevel: 'silent',
    });
    const sandbox = sms;
    await options.proxy?.start(() => sandbox.url);
    const base = options.proxy?.url ?? sms.url;
    for (const provider of providers) {
      vi.resetModules();
      served.set(
        provider,
        await serveFunction('fallback', {
          GOOGLE_CLOUD_PROJECT: fs.projectId,
          FIRESTORE_EMULATOR_HOST: fs.host,
          LOG_LEVEL: 'silent',
          TASKS_LOCATION: 'us-central1',
          REVOKE_URL: 'http://127.0.0.1:9/revoke',
          FALLBACK_URL: 'http://127.0.0.1:9/fallback',
          TASKS_SERVICE_ACCOUNT: 'tasks@test-project.iam.gserviceaccount.com',
          TASKS_EMULATOR_HOST: '127.0.0.1:9',
          FALLBACK_MAX_ATTEMPTS: String(maxAttempts),
          SMS_PROVIDER: provider,
          SMS_TIMEOUT_MS: String(timeoutMs),
          SMS_HTTP_URL: `${base}/v1/messages`,
          SMS_HTTP_SECRET: secret,
          TWILIO_ACCOUNT_SID: twilioAccount.accountSid,
          TWILIO_AUTH_TOKEN: twilioAccount.authToken,
          TWILIO_FROM: twilioFrom,
          TWILIO_BASE_URL: base,
        }),
      );
      const time = await import('../../../shared/time/now.ts');
      time.useTimeSource(clock);
    }
  });

  afterAll(async () => {
    await Promise.all([...served.values()].map((s) => s.close()));
    await options.proxy?.stop();
    await sms?.stop();
  });

  beforeEach(() => sms?.setFailures([]));

  return {
    fs,
    clock,
    get sms() {
      if (!sms) throw new Error('SMS sandbox not started yet');
      return sms;
    },
    url(provider) {
      const function_ = served.get(provider);
      if (!function_) throw new Error(`fallback function for ${provider} not served yet`);
      return function_.url;
    },
    phone: () =>
      `+1555${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}${String(++numbers).padStart(4, '0')}`,
    now: () => new Date(clock.now()),
  };
}

export interface TaskAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON under test.
  body: any;
  retryAfter: string | null;
}

/** One delivery of the fallback task, as Cloud Tasks makes it (body from shared/tasks/scheduler.ts, X-CloudTasks-* headers). */
export async function deliverTask(
  url: string,
  messageId: string,
  options: { retryCount?: number; body?: unknown; method?: string } = {},
): Promise<TaskAnswer> {
  const res = await fetch(url, {
    method: options.method ?? 'POST',
    headers: {
      'content-type': 'application/json',
      'x-cloudtasks-queuename': 'rbm-fallback',
      'x-cloudtasks-taskname': `${messageId}-fallback-0`,
      'x-cloudtasks-taskretrycount': String(options.retryCount ?? 0),
      'x-cloudtasks-taskexecutioncount': String(options.retryCount ?? 0),
    },
    ...(options.method === 'GET'
      ? {}
      : { body: JSON.stringify(options.body ?? { step: 'fallback', messageId, sequence: 0 }) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, retryAfter: res.headers.get('retry-after') };
}

/**
 * An HTTP proxy in front of the sandbox that can hold requests: a send is
 * then "in flight" for as long as the test likes. Drops propagate: if the
 * sandbox drops the connection, so does the proxy.
 */
export class HoldingProxy {
  #server: http.Server | undefined;
  #holding = false;
  #held: Array<() => void> = [];
  #waiters: Array<{ count: number; resolve: () => void }> = [];
  #upstream: () => string = () => {
    throw new Error('proxy not started');
  };

  async start(upstream: () => string): Promise<void> {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const forward = () => this.#forward(req, Buffer.concat(chunks), res);
        if (!this.#holding) return forward();
        this.#held.push(forward);
        this.#notify();
      });
    });
    this.#upstream = upstream;
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    const address = this.#server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('proxy not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /** From now on requests wait until `release()`. */
  hold(): void {
    this.#holding = true;
  }

  /** Lets every held request (and later ones) through. */
  release(): void {
    this.#holding = false;
    for (const forward of this.#held.splice(0)) forward();
  }

  get heldCount(): number {
    return this.#held.length;
  }

  /** Resolves once `count` requests are being held. */
  waitHeld(count: number): Promise<void> {
    if (this.#held.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  #notify(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#held.length < w.count) return true;
      w.resolve();
      return false;
    });
  }

  #forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const target = new URL(req.url ?? '/', this.#upstream());
    const upstream = http.request(
      target,
      { method: req.method, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.socket?.destroy());
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    upstream.end(body);
  }

  async stop(): Promise<void> {
    this.release();
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { type SmsSandbox, startSmsSandbox } from '../../../local/sms-sandbox/index.ts';
import {
  createHttpSmsProvider,
  createTwilioSmsProvider,
  type SmsProvider,
} from '../../../shared/sms/index.ts';
import { secret, twilioAccount, twilioFrom } from './setup.ts';

/*
 * The two SMS providers on their own, against the SMS sandbox (which checks
 * the HMAC signature and Twilio's basic auth independently) and against
 * small local servers for the network failures the sandbox cannot stage.
 */
let sms: SmsSandbox;
let silent: http.Server;
let slowAfterBody: string;
const clock = new ManualClock(Date.UTC(2026, 2, 1));
const request = (to: string) => ({ to, text: 'Your code is 555123', idempotencyKey: `key-${to}` });

beforeAll(async () => {
  sms = await startSmsSandbox({
    clock,
    seed: 5,
    genericSecret: secret,
    twilio: twilioAccount,
    logLevel: 'silent',
  });
  // Reads the whole request and never answers.
  silent = http.createServer((req) => req.resume());
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  slowAfterBody = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
  await sms.stop();
});

const generic = (overrides: Partial<Parameters<typeof createHttpSmsProvider>[0]> = {}) =>
  createHttpSmsProvider({ url: sms.genericUrl, secret, timeoutMs: 1_000, ...overrides });
const twilio = (overrides: Partial<Parameters<typeof createTwilioSmsProvider>[0]> = {}) =>
  createTwilioSmsProvider({
    ...twilioAccount,
    from: twilioFrom,
    baseUrl: sms.twilioBaseUrl,
    timeoutMs: 1_000,
    ...overrides,
  });

describe('generic HTTPS provider', () => {
  it('signs the raw body as the sandbox verifies it and returns the provider id', async () => {
    const result = await generic().send(request('+15553000001'));
    expect(result).toMatchObject({ kind: 'sent', provider: 'http', status: 201 });
    expect(result.kind === 'sent' && result.providerId).toBe(sms.sent('+15553000001')[0]?.id);
  });

  it('a wrong secret is a permanent 401, nothing sent', async () => {
    const result = await generic({ secret: 'not-the-secret' }).send(request('+15553000002'));
    expect(result).toMatchObject({
      kind: 'permanent',
      status: 401,
      error: expect.stringMatching(/invalid_signature/),
    });
    expect(sms.sent('+15553000002')).toEqual([]);
  });

  it('429 is transient with its Retry-After; 500 is transient (the key makes the retry safe)', async () => {
    sms.setFailures([
      { to: '+15553000003', status: 429, retryAfterSeconds: 12, times: 1 },
      { to: '+15553000003', status: 500, times: 1 },
    ]);
    const provider = generic();
    expect(await provider.send(request('+15553000003'))).toMatchObject({
      kind: 'transient',
      status: 429,
      retryAfterMs: 12_000,
    });
    expect(await provider.send(request('+15553000003'))).toMatchObject({ kind: 'transient', status: 500 });
  });
});

describe('Twilio provider', () => {
  it('posts the form with basic auth and returns the SM sid', async () => {
    const result = await twilio().send(request('+15553000011'));
    expect(result).toMatchObject({ kind: 'sent', provider: 'twilio', status: 201 });
    expect(result.kind === 'sent' && result.providerId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sms.sent('+15553000011')[0]).toMatchObject({ from: twilioFrom, idempotencyKey: null });
  });

  it('a Messaging Service instead of From is accepted', async () => {
    const service = `MG${'3'.repeat(32)}`;
    const result = await twilio({ from: undefined, messagingServiceSid: service }).send(
      request('+15553000012'),
    );
    expect(result.kind).toBe('sent');
    expect(sms.sent('+15553000012')[0]?.from).toBe(service);
  });

  it('bad credentials: permanent 401 with what to check', async () => {
    const result = await twilio({ authToken: 'wrong' }).send(request('+15553000013'));
    expect(result).toMatchObject({ kind: 'permanent', status: 401 });
    expect(result.kind === 'permanent' && result.error).toMatch(
      /20003 .*check TWILIO_ACCOUNT_SID .* and TWILIO_AUTH_TOKEN/,
    );
  });

  it("parses Twilio's error shape for a 400", async () => {
    const result = await twilio().send(request('12345'));
    expect(result).toMatchObject({
      kind: 'permanent',
      status: 400,
      error: "21211 Invalid 'To' Phone Number: 12345 (https://www.twilio.com/docs/errors/21211)",
    });
  });

  it('429 and 503 are transient (Twilio documents them as not processed / retryable); 500 and 502 are ambiguous', async () => {
    const to = '+15553000014';
    sms.setFailures([
      { to, status: 429, retryAfterSeconds: 3, times: 1 },
      { to, status: 503, times: 1 },
      { to, status: 500, times: 1 },
      { to, status: 502, times: 1 },
    ]);
    const provider = twilio();
    const kinds = [];
    for (let i = 0; i < 4; i++) {
      const r = await provider.send(request(to));
      kinds.push([r.kind, r.status]);
    }
    expect(kinds).toEqual([
      ['transient', 429],
      ['transient', 503],
      ['ambiguous', 500],
      ['ambiguous', 502],
    ]);
  });
});

describe.each([
  ['http', (url: string) => generic({ url: `${url}/v1/messages`, timeoutMs: 300 })],
  ['twilio', (url: string) => twilio({ baseUrl: url, timeoutMs: 300 })],
] as const)('network failures (%s)', (_, make: (url: string) => SmsProvider) => {
  it('connection refused: the request never left, so it is transient (status 0)', async () => {
    const result = await make('http://127.0.0.1:9').send(request('+15553000021'));
    expect(result).toMatchObject({
      kind: 'transient',
      status: 0,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  it('timeout after the request was written: ambiguous', async () => {
    const result = await make(slowAfterBody).send(request('+15553000022'));
    expect(result).toMatchObject({ kind: 'ambiguous', status: 0, error: 'timed out after 300 ms' });
  });

  it('connection dropped after the request was written: ambiguous', async () => {
    sms.setFailures([{ to: '+15553000023', kind: 'drop', times: 1 }]);
    const result = await make(sms.url).send(request('+15553000023'));
    expect(result).toMatchObject({ kind: 'ambiguous', status: 0 });
  });
});

import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../../local/common/clock.ts';
import type { Population, RbmSandbox, RbmSandboxOptions } from '../../../local/rbm-sandbox/index.ts';
import { startRbmSandbox } from '../../../local/rbm-sandbox/index.ts';
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../helpers/webhook-receiver.ts';

/** Shared set-up for the RBM sandbox tests: a ManualClock, a webhook receiver, a sandbox, an API client. */

/** Parsed JSON under test: assertions read arbitrary fields and compare them with expect(). */
// biome-ignore lint/suspicious/noExplicitAny: the tests' job is to check these shapes.
export type Json = any;

export const clientToken = 'test-client-token';
export const agentId = 'test-agent';
export const start = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A predictable population: everyone RCS, always online, 1 s latency, nobody reads or replies. */
export const quietPopulation: Partial<Population> = {
  rcsProbability: 1,
  availability: null,
  latency: 1_000,
  inFlight: 100,
  read: { probability: 0, delay: 1_000 },
  reply: { probability: 0, delay: 1_000, typing: false, suggestionShare: 0, texts: ['OK'] },
  unsubscribe: { probability: 0, delay: 1_000 },
};

export interface Rig {
  clock: ManualClock;
  sandbox: RbmSandbox;
  receiver: WebhookReceiver;
  api: ReturnType<typeof rbmApi>;
  /** Moves the clock and waits until no webhook POST is waiting for an answer. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function rig(options: Partial<RbmSandboxOptions> = {}): Promise<Rig> {
  const clock = new ManualClock(start);
  const receiver = await startWebhookReceiver({ clientToken });
  const sandbox = await startRbmSandbox({
    clock,
    seed: 7,
    webhookUrl: receiver.url,
    clientToken,
    logLevel: 'silent',
    ...options,
    population: { ...quietPopulation, ...options.population },
  });
  return {
    clock,
    sandbox,
    receiver,
    api: rbmApi(sandbox.url),
    advance: async (ms) => {
      await clock.advance(ms);
      await sandbox.idle();
    },
    close: async () => {
      await sandbox.stop();
      await receiver.close();
    },
  };
}

export interface ApiResult {
  status: number;
  body: Json;
  headers: Headers;
}

/** A thin client of the platform API, as an agent would call it. */
export function rbmApi(baseUrl: string, token = 'any-token') {
  const call = async (
    method: string,
    path: string,
    body?: string | object,
    auth = true,
  ): Promise<ApiResult> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    call,
    send: (phone: string, body: object | string, ids: { messageId?: string; agentId?: string } = {}) =>
      call(
        'POST',
        `/v1/phones/${phone}/agentMessages?messageId=${ids.messageId ?? randomUUID()}&agentId=${ids.agentId ?? agentId}`,
        body,
      ),
    text: (
      phone: string,
      text: string,
      ids: { messageId?: string; agentId?: string } = {},
      extra: object = {},
    ) =>
      call(
        'POST',
        `/v1/phones/${phone}/agentMessages?messageId=${ids.messageId ?? randomUUID()}&agentId=${ids.agentId ?? agentId}`,
        { contentMessage: { text }, ...extra },
      ),
    revoke: (phone: string, messageId: string, agent = agentId) =>
      call('DELETE', `/v1/phones/${phone}/agentMessages/${messageId}?agentId=${agent}`),
    agentEvent: (phone: string, body: object, ids: { eventId?: string; agentId?: string } = {}) =>
      call(
        'POST',
        `/v1/phones/${phone}/agentEvents?eventId=${ids.eventId ?? randomUUID()}&agentId=${ids.agentId ?? agentId}`,
        body,
      ),
    capabilities: (phone: string, query = `requestId=${randomUUID()}&agentId=${agentId}`) =>
      call('GET', `/v1/phones/${phone}/capabilities?${query}`),
  };
}

export interface Delivered {
  request: ReceivedRequest;
  envelope: Json;
  /** The decoded message.data bytes. */
  data: Buffer;
  payload: Json;
}

/** Unwraps a Pub/Sub-push delivery. */
export function unwrap(request: ReceivedRequest): Delivered {
  const envelope = request.json as Json;
  const data = Buffer.from(envelope.message.data, 'base64');
  return { request, envelope, data, payload: JSON.parse(data.toString('utf8')) };
}

export function payloads(receiver: WebhookReceiver): Json[] {
  return receiver.deliveries().map((r) => unwrap(r).payload);
}

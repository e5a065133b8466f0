import type { IncomingMessage, ServerResponse } from 'node:http';
import { rbmRegions } from '../../shared/rbm/regions.ts';
import { type Clock, SystemClock } from '../common/clock.ts';
import { type Listening, listen, parseUrl, sendJson } from '../common/http-server.ts';
import { defaultLogger } from '../common/log.ts';
import { Prng } from '../common/random.ts';
import { Timers } from './core/timers.ts';
import { type FaultRule, Faults } from './faults.ts';
import { apiRoutes, type EffectHook } from './http/api-routes.ts';
import { controlRoutes } from './http/control-routes.ts';
import type { AgentLaunchFields, BatchReceipt } from './http/sandbox-controls.ts';
import { type SandboxLog, sandboxLog } from './log.ts';
import {
  defaultAgentId,
  defaultClientToken,
  defaultHandshakeTimeoutMs,
  defaultWebhookSettings,
  type RbmSandboxOptions,
  type WebhookSettings,
} from './options.ts';
import { conversationIdFor, PhoneNetwork } from './phones/network.ts';
import { defaultPopulation, type PhoneProfile, type PhoneRules, type Population } from './phones/profiles.ts';
import { Truth, type UserAction } from './truth.ts';
import { DeliveryQueue, type DeliveryStats } from './webhook/delivery-queue.ts';
import { type HandshakeResult, handshake, WebhookHandshakeError } from './webhook/handshake.ts';
import { WebhookPoster } from './webhook/post.ts';
import { Publisher } from './webhook/publisher.ts';

/**
 * A local RBM platform: the API on 127.0.0.1, simulated phones behind it, and
 * the webhook side that posts signed Pub/Sub-push envelopes to the agent.
 * Started with startRbmSandbox(); the handle is also the in-process control
 * and ground-truth API (the same operations are served over HTTP under /sandbox).
 */
export class RbmSandbox {
  readonly url: string;
  readonly port: number;
  readonly clock: Clock;
  readonly seed: number | string;
  readonly truth: Truth;
  /** The start-up handshake's result; `null` when there was none (no webhook URL, or 'skip'). */
  handshake: HandshakeResult | null = null;

  readonly #timers: Timers;
  readonly #network: PhoneNetwork;
  readonly #faults: Faults;
  readonly #queue: DeliveryQueue;
  readonly #publisher: Publisher;
  readonly #poster: WebhookPoster;
  readonly #log: SandboxLog;
  readonly #listening: Listening;
  readonly #defaultAgentId: string;
  readonly #handshakeTimeoutMs: number;
  /** Shared with the queue and the publisher, which read it on every step. */
  readonly #settings: { current: WebhookSettings };
  readonly #effectHook: { current: EffectHook | null };
  #stopped: Promise<void> | null = null;

  /** Use startRbmSandbox(). */
  constructor(parts: {
    listening: Listening;
    clock: Clock;
    seed: number | string;
    timers: Timers;
    truth: Truth;
    network: PhoneNetwork;
    faults: Faults;
    queue: DeliveryQueue;
    publisher: Publisher;
    poster: WebhookPoster;
    log: SandboxLog;
    settings: { current: WebhookSettings };
    effectHook: { current: EffectHook | null };
    defaultAgentId: string;
    handshakeTimeoutMs: number;
  }) {
    this.#effectHook = parts.effectHook;
    this.#listening = parts.listening;
    this.url = parts.listening.url;
    this.port = parts.listening.port;
    this.clock = parts.clock;
    this.seed = parts.seed;
    this.#timers = parts.timers;
    this.truth = parts.truth;
    this.#network = parts.network;
    this.#faults = parts.faults;
    this.#queue = parts.queue;
    this.#publisher = parts.publisher;
    this.#poster = parts.poster;
    this.#log = parts.log;
    this.#settings = parts.settings;
    this.#defaultAgentId = parts.defaultAgentId;
    this.#handshakeTimeoutMs = parts.handshakeTimeoutMs;
  }

  /** Explicit rules for one number, effective now ("offline for 20 minutes" is `{ offline: [{ forMs: 1_200_000 }] }`). */
  setPhone(phoneNumber: string, rules: PhoneRules): PhoneProfile {
    return this.#network.setRules(phoneNumber, rules);
  }

  /** A number's current profile (drawn from the seed on first use). */
  profile(phoneNumber: string): PhoneProfile {
    return this.#network.phone(phoneNumber).profile;
  }

  /** The user of `phoneNumber` does something now: types, replies, taps a suggestion, opts out or in. */
  userAction(phoneNumber: string, action: UserAction, agentId?: string): void {
    const phone = this.#network.phone(phoneNumber);
    this.#network.behaviour.act(phone, action, agentId ?? phone.lastAgentId ?? this.#defaultAgentId);
  }

  /** The user opens a delivered agent message now (READ). False if it is not delivered or already read. */
  readMessage(messageId: string): boolean {
    const message = this.#network.message(messageId);
    return message ? this.#network.behaviour.read(message) : false;
  }

  setFaults(rules: FaultRule[]): void {
    this.#faults.set(rules);
  }

  /**
   * Calls `hook` synchronously after each API request took effect and before
   * its answer is written (`null`: none). A chaos run kills the calling process
   * there: the platform acted, the caller never heard.
   */
  onEffect(hook: EffectHook | null): void {
    this.#effectHook.current = hook;
  }

  faults(): FaultRule[] {
    return this.#faults.list();
  }

  webhookSettings(): WebhookSettings {
    return structuredClone(this.#settings.current);
  }

  /** Changes how payloads are delivered from now on (duplicates, reordering, backoff, batching, URL, token). */
  configureWebhook(changes: Partial<WebhookSettings>): WebhookSettings {
    const wasBatching = this.#settings.current.batchReceipts !== null;
    this.#settings.current = { ...this.#settings.current, ...changes };
    if (wasBatching && this.#settings.current.batchReceipts === null) this.#publisher.flushBatches();
    this.#queue.kick();
    return this.webhookSettings();
  }

  /** Runs the registration handshake against `url` (default: the configured one) and registers it on success. */
  async registerWebhook(url?: string): Promise<HandshakeResult> {
    const { clientToken } = this.#settings.current;
    const target = url ?? this.#settings.current.url;
    if (!target) throw new Error('RBM sandbox: no webhook URL to register');
    // Bounded in REAL time, so a webhook that never answers cannot hang start-up (with a
    // ManualClock nobody advances) and a healthy one is not cut off at a high time scale.
    const result = await handshake(this.#poster, target, clientToken, this.#handshakeTimeoutMs);
    this.handshake = result;
    if (result.ok) {
      this.#log.handshakeOk(target);
      this.configureWebhook({ url: target });
    } else {
      this.#log.handshakeFailed(target, result.reason, result.detail);
    }
    return result;
  }

  /** Posts an AgentLaunchEvent (attributes.type "agent_launch_event"). Returns its eventId. */
  emitAgentLaunchEvent(fields: AgentLaunchFields): string {
    const { agentId, ...rest } = fields;
    return this.#publisher.agentLaunchEvent({ agentId: agentId ?? this.#defaultAgentId, ...rest });
  }

  /** Posts one Business-Messages-shaped payload carrying several receipts. */
  emitReceiptBatch(phoneNumber: string, receipts: BatchReceipt[], agentId?: string): void {
    this.#publisher.receiptBatch(agentId ?? this.#defaultAgentId, phoneNumber, receipts);
  }

  /** The conversation id a number's receipts carry in the batched shape. */
  conversationId(phoneNumber: string): string {
    return conversationIdFor(phoneNumber);
  }

  /** Payloads waiting for a 200 from the webhook. */
  get webhookBacklog(): number {
    return this.#queue.length;
  }

  /** The delivery queue's flow control: POSTs in flight now, the most at once so far, the adaptive window. */
  get webhookDelivery(): DeliveryStats {
    return this.#queue.stats();
  }

  /**
   * Resolves once no webhook POST is waiting for an answer, so a test can
   * advance a ManualClock knowing the queue's next step is on the clock.
   */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** Stops the server, cancels every timer and aborts webhook requests in flight. Idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#timers.stop();
      this.#poster.abortAll();
      await this.#listening.close();
      this.#log.stopped();
    })();
    return this.#stopped;
  }
}

export async function startRbmSandbox(options: RbmSandboxOptions = {}): Promise<RbmSandbox> {
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? defaultHandshakeTimeoutMs;
  if (!(handshakeTimeoutMs > 0 && Number.isFinite(handshakeTimeoutMs)))
    throw new RangeError(`handshakeTimeoutMs must be a number of real ms > 0, got ${handshakeTimeoutMs}`);
  const clock = options.clock ?? new SystemClock({ scale: options.timeScale ?? 1 });
  const seed = options.seed ?? 1;
  const root = new Prng(seed);
  const timers = new Timers(clock);
  const truth = new Truth();
  const log = sandboxLog(options.logger ?? defaultLogger(options.logLevel));
  const population: Population = mergePopulation(options.population);
  const settings: { current: WebhookSettings } = {
    current: {
      ...defaultWebhookSettings,
      ...options.webhook,
      // Not registered until the handshake succeeds (or is skipped).
      url: null,
      clientToken: options.clientToken ?? defaultClientToken,
    },
  };
  const poster = new WebhookPoster(timers);
  const queue = new DeliveryQueue({
    timers,
    prng: root.fork('webhook'),
    poster,
    log,
    behaviour: () => settings.current,
    records: truth.webhook,
  });
  const publisher = new Publisher({
    timers,
    ids: root.fork('ids'),
    queue,
    batching: () => settings.current.batchReceipts,
    conversationId: conversationIdFor,
  });
  const network = new PhoneNetwork({ timers, root, truth, publisher, population });
  for (const [number, rules] of Object.entries(options.phones ?? {})) network.setRules(number, rules);
  const faults = new Faults(root.fork('faults'), options.faults);

  let control: ReturnType<typeof controlRoutes> | undefined;
  const effectHook: { current: EffectHook | null } = { current: null };
  const api = apiRoutes({
    network,
    faults,
    timers,
    log,
    truth,
    accessToken: options.accessToken ?? null,
    onEffect: () => effectHook.current,
  });
  const listening = await listen(async (req: IncomingMessage, res: ServerResponse) => {
    const { segments, query } = parseUrl(req);
    if (segments[0] === 'v1') return api(req, res, segments, query);
    // A regional host (https://{region}-rcsbusinessmessaging.googleapis.com): here one port, so
    // the host a call was addressed to is a path prefix, /r/{region}/v1/... (docs/rbm-sandbox.md).
    const region = rbmRegions.find((r) => r === segments[1]);
    if (segments[0] === 'r' && region && segments[2] === 'v1') {
      return api(req, res, segments.slice(2), query, region);
    }
    if (segments[0] === 'sandbox' && control) return control(req, res, segments, query);
    sendJson(res, 404, { error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } });
  }, options.port);

  const sandbox = new RbmSandbox({
    listening,
    clock,
    seed,
    timers,
    truth,
    network,
    faults,
    queue,
    publisher,
    poster,
    log,
    settings,
    effectHook,
    defaultAgentId: options.defaultAgentId ?? defaultAgentId,
    handshakeTimeoutMs,
  });
  control = controlRoutes(sandbox);
  log.started(listening.url, seed);

  if (options.webhookUrl) {
    const mode = options.handshake ?? 'required';
    if (mode === 'skip') {
      sandbox.configureWebhook({ url: options.webhookUrl });
    } else {
      const result = await sandbox.registerWebhook(options.webhookUrl);
      if (!result.ok && mode === 'required') {
        await sandbox.stop();
        throw new WebhookHandshakeError(result);
      }
      // 'report': deliver anyway so a half-configured local stack still sees traffic.
      if (!result.ok) sandbox.configureWebhook({ url: options.webhookUrl });
    }
  }
  return sandbox;
}

function mergePopulation(given: Partial<Population> = {}): Population {
  return {
    ...defaultPopulation,
    ...given,
    read: { ...defaultPopulation.read, ...given.read },
    reply: { ...defaultPopulation.reply, ...given.reply },
    unsubscribe: { ...defaultPopulation.unsubscribe, ...given.unsubscribe },
  };
}

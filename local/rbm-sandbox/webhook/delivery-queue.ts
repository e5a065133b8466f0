import type { Prng } from '../../common/random.ts';
import type { Timers } from '../core/timers.ts';
import type { SandboxLog } from '../log.ts';
import type { WebhookDeliveryTruth } from '../truth.ts';
import { buildEnvelope, signature } from './envelope.ts';
import type { WebhookPoster } from './post.ts';
import { type PushConcurrency, PushWindow } from './push-window.ts';

/**
 * The platform's delivery queue, as documented
 * (docs/rbm-platform.md#retries-and-the-delivery-queue): all agents of a
 * partner share ONE in-order queue, so the head is retried until the webhook
 * answers 200 and a slow or failing webhook holds up everything behind it. Anything but 200 is a failure;
 * with `concurrency: 'adaptive'` several POSTs may wait for an answer at once (push-window.ts), but a
 * failure still holds everything behind it until the failed payload is acknowledged;
 * retries back off exponentially from 10 s up to 600 s between tries (Pub/Sub
 * RetryPolicy defaults, https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions#retrypolicy)
 * for up to 7 days. Delivery is at least once: `duplicateRate` redelivers an
 * acknowledged payload; `reorderRate` holds a payload back so later ones
 * overtake it. All in clock time, except the real-time floor of the ack
 * deadline (see QueueBehaviour.ackDeadlineRealMs).
 */

export interface QueueBehaviour {
  url: string | null;
  clientToken: string;
  duplicateRate: number;
  reorderRate: number;
  reorderDelayMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  retentionMs: number;
  /**
   * The ack deadline, in clock ms: no answer by then and the attempt counts as failed (Pub/Sub
   * push: 10 s by default). `null`: no deadline, a silent webhook holds the queue for good.
   */
  ackDeadlineMs: number | null;
  /**
   * Real-time floor of the ack deadline: an attempt fails only once BOTH `ackDeadlineMs` of clock
   * time AND this many real ms have passed, so a healthy webhook never times out at a high time
   * scale and a ManualClock still decides when the deadline is due. 0: the clock alone decides.
   */
  ackDeadlineRealMs: number;
  /**
   * `serial`: one POST waits for an answer at a time. `adaptive`: Pub/Sub push's slow start
   * (push-window.ts). Either way a failed payload is retried before anything behind it is posted.
   */
  concurrency: PushConcurrency;
}

interface Item {
  data: Buffer;
  attributes: Record<string, string>;
  pubsubMessageId: string;
  record: WebhookDeliveryTruth;
  failures: number;
  /** ready: may be posted now; posting: waiting for its answer; backing-off: failed, its retry not yet due. */
  state: 'ready' | 'posting' | 'backing-off';
}

/** What the queue's flow control is doing, for the demo's summary and for tests. */
export interface DeliveryStats {
  concurrency: PushConcurrency;
  /** POSTs waiting for an answer now. */
  inFlight: number;
  /** The most POSTs that were waiting for an answer at once since start. */
  maxInFlight: number;
  /** The adaptive window's size (how many may wait at once when adaptive). */
  window: number;
}

export function backoffMs(
  failures: number,
  behaviour: Pick<QueueBehaviour, 'minBackoffMs' | 'maxBackoffMs'>,
): number {
  return Math.min(behaviour.maxBackoffMs, behaviour.minBackoffMs * 2 ** Math.max(0, failures - 1));
}

export class DeliveryQueue {
  readonly #items: Item[] = [];
  readonly #timers: Timers;
  readonly #prng: Prng;
  readonly #poster: WebhookPoster;
  readonly #log: SandboxLog;
  readonly #behaviour: () => QueueBehaviour;
  readonly #records: WebhookDeliveryTruth[];
  readonly #window = new PushWindow();
  readonly #inFlight = new Set<Promise<void>>();
  #maxInFlight = 0;
  /** Payloads that failed and are not yet acknowledged: while there is one, nothing new is posted. */
  #failed = 0;

  constructor(deps: {
    timers: Timers;
    prng: Prng;
    poster: WebhookPoster;
    log: SandboxLog;
    behaviour: () => QueueBehaviour;
    records: WebhookDeliveryTruth[];
  }) {
    this.#timers = deps.timers;
    this.#prng = deps.prng;
    this.#poster = deps.poster;
    this.#log = deps.log;
    this.#behaviour = deps.behaviour;
    this.#records = deps.records;
  }

  /** Queues one payload; `record` is its ground-truth entry. */
  publish(
    data: Buffer,
    attributes: Record<string, string>,
    pubsubMessageId: string,
    record: WebhookDeliveryTruth,
  ): void {
    this.#records.push(record);
    const item: Item = { data, attributes, pubsubMessageId, record, failures: 0, state: 'ready' };
    const behaviour = this.#behaviour();
    if (this.#prng.chance(behaviour.reorderRate)) {
      record.reordered = true;
      this.#timers.after(behaviour.reorderDelayMs, () => this.#push(item));
      return;
    }
    this.#push(item);
  }

  /** Payloads not yet acknowledged (the head first). */
  get length(): number {
    return this.#items.length;
  }

  /** Resolves once no POST is waiting for an answer: from then on only the clock moves the queue. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  stats(): DeliveryStats {
    return {
      concurrency: this.#behaviour().concurrency,
      inFlight: this.#inFlight.size,
      maxInFlight: this.#maxInFlight,
      window: this.#window.size,
    };
  }

  /** Starts delivering again, e.g. after the webhook URL was set. */
  kick(): void {
    this.#pump();
  }

  #push(item: Item): void {
    this.#items.push(item);
    this.#pump();
  }

  #pump(): void {
    if (this.#timers.stopped) return;
    const behaviour = this.#behaviour();
    if (!behaviour.url) return;
    const limit = this.#window.limit(behaviour.concurrency);
    for (const item of this.#items) {
      if (this.#inFlight.size >= limit) return;
      if (item.state !== 'ready') continue;
      // Head of line: while a failed payload waits for its retry, nothing that has not failed goes.
      if (this.#failed > 0 && item.failures === 0) continue;
      this.#start(item, behaviour);
    }
  }

  #start(item: Item, behaviour: QueueBehaviour): void {
    item.state = 'posting';
    const attempt: Promise<void> = this.#attempt(item, behaviour).finally(() => {
      this.#inFlight.delete(attempt);
      this.#pump();
    });
    this.#inFlight.add(attempt);
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight.size);
  }

  async #attempt(item: Item, behaviour: QueueBehaviour): Promise<void> {
    const envelope = buildEnvelope({
      data: item.data,
      attributes: item.attributes,
      pubsubMessageId: item.pubsubMessageId,
      publishedAt: item.record.createdAt,
    });
    const at = this.#timers.now();
    const result = await this.#poster.post(
      behaviour.url!,
      JSON.stringify(envelope),
      {
        'content-type': 'application/json',
        'x-goog-signature': signature(behaviour.clientToken, item.data),
        'x-goog-webhook-type': webhookTypeOf(item.record.kind),
        'user-agent': 'rbm-sandbox (APIs-Google-like Pub/Sub push)',
      },
      {
        clockMs: behaviour.ackDeadlineMs,
        realMs: behaviour.ackDeadlineMs === null ? null : behaviour.ackDeadlineRealMs,
        name: 'ack deadline',
      },
    );
    if (this.#timers.stopped) return;
    item.record.attempts.push(
      result.status === null ? { at, status: null, error: result.error } : { at, status: result.status },
    );
    const adaptive = this.#behaviour().concurrency === 'adaptive';
    if (result.status === 200) {
      this.#remove(item);
      item.record.ackedAt = this.#timers.now();
      if (adaptive) this.#window.acknowledged();
      if (!item.record.duplicate && this.#prng.chance(this.#behaviour().duplicateRate)) this.#redeliver(item);
      return;
    }
    if (adaptive) this.#window.failed();
    if (item.failures === 0) this.#failed += 1;
    item.failures += 1;
    const now = this.#timers.now();
    if (now - item.record.createdAt >= behaviour.retentionMs) {
      this.#remove(item);
      item.record.droppedAt = now;
      this.#log.webhookDropped(item.pubsubMessageId, item.failures);
      return;
    }
    const delay = backoffMs(item.failures, behaviour);
    this.#log.webhookRetry(
      item.pubsubMessageId,
      result.status,
      result.status === null ? result.error : null,
      delay,
    );
    item.state = 'backing-off';
    this.#timers.after(delay, () => {
      item.state = 'ready';
      this.#pump();
    });
  }

  /** Takes an acknowledged or dropped payload off the queue. */
  #remove(item: Item): void {
    this.#items.splice(this.#items.indexOf(item), 1);
    if (item.failures > 0) this.#failed -= 1;
  }

  /** At-least-once: the same Pub/Sub message (same id, same bytes) comes again later. */
  #redeliver(item: Item): void {
    const record: WebhookDeliveryTruth = {
      ...item.record,
      messageIds: [...item.record.messageIds],
      attempts: [],
      ackedAt: null,
      duplicate: true,
      reordered: false,
      droppedAt: null,
    };
    this.#records.push(record);
    this.#items.push({ ...item, record, failures: 0, state: 'ready' });
  }
}

/**
 * The X-Goog-Webhook-Type the platform sends (docs/rbm-platform.md#webhook-type). Which label a
 * launch event gets is not documented; `agent_callback` for it, `message_callback` for the rest,
 * is the sandbox's choice, after what public integrations accept.
 */
export function webhookTypeOf(kind: WebhookDeliveryTruth['kind']): string {
  return kind === 'agent-launch-event' ? 'agent_callback' : 'message_callback';
}

import type { Clock } from '../common/clock.ts';
import { deadlineExceededStatus, statusForHttp, unreachableStatus } from './attempt-status.ts';
import { MinHeap } from './heap.ts';
import { type HttpOutcome, sendHttp } from './http-attempt.ts';
import type { OidcSigner } from './oidc.ts';
import type { ResolvedQueue } from './queue-config.ts';
import { nextAttemptAt, retriesExhausted } from './retry-policy.ts';
import type { AttemptInfo, TaskRecord, TaskStore } from './store.ts';

/** One dispatch attempt, as tests and the CLI log see it. Times are ms on the emulator's clock. */
export interface AttemptRecord {
  task: string;
  taskId: string;
  queue: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The X-CloudTasks-TaskRetryCount that was sent (attempt - 1). */
  retryCount: number;
  scheduleTime: number;
  dispatchTime: number;
  responseTime?: number;
  /** HTTP status, when the target answered. */
  status?: number;
  outcome:
    | 'in-flight'
    | 'succeeded'
    | 'http-error'
    | 'deadline-exceeded'
    | 'unreachable'
    | 'cancelled'
    | 'lost';
  error?: string;
  /** What became of the task after this attempt. */
  next?: 'done' | 'retry' | 'dropped' | 'deleted' | 'stopped';
  nextAttemptAt?: number;
}

interface HeapEntry {
  at: number;
  seq: number;
  version: number;
  task: TaskRecord;
}

interface QueueRuntime {
  heap: MinHeap<HeapEntry>;
  inFlight: number;
  tokens: number;
  tokensAt: number;
  wake?: { at: number; cancel: () => void };
}

type Settlement = HttpOutcome | { kind: 'deadline' } | { kind: 'cancelled' };

/** Headers a task may not set: Cloud Tasks computes or reserves them (HttpRequest.headers docs). */
function isReservedHeader(lower: string): boolean {
  return (
    lower === 'host' ||
    lower === 'content-length' ||
    lower === 'user-agent' ||
    lower.startsWith('x-google-') ||
    lower.startsWith('x-appengine-') ||
    lower.startsWith('x-cloudtasks-')
  );
}

/**
 * Decides when each pending task goes out and what happens after: a per-queue
 * heap ordered by schedule time, one clock timer per queue for the next due
 * task, max_concurrent_dispatches and a token bucket for max_dispatches_per_second
 * (RateLimits docs: "Each queue has a token bucket that holds tokens, up to the
 * maximum specified by max_burst_size"), a dispatch deadline per attempt, and the
 * retry policy on failure. Every timer goes through the shared Clock so a
 * ManualClock drives it all.
 */
export class Dispatcher {
  readonly #clock: Clock;
  readonly #store: TaskStore;
  readonly #signer: OidcSigner;
  readonly #onAttempt: ((attempt: AttemptRecord) => void) | undefined;
  readonly #queues = new Map<string, QueueRuntime>();
  readonly #inFlight = new Set<{ settle: (s: Settlement) => void }>();
  #history: AttemptRecord[] = [];
  #idleWaiters: Array<() => void> = [];
  #stopped = false;
  /** Set while cancelling, so cancelled attempts do not start new ones. */
  #cancelling = false;
  /** An injected fault: decides, per due task, that it vanishes instead of being dispatched. */
  #loses: ((task: { name: string; queue: string }) => boolean) | null = null;

  constructor(deps: {
    clock: Clock;
    store: TaskStore;
    signer: OidcSigner;
    onAttempt?: (attempt: AttemptRecord) => void;
  }) {
    this.#clock = deps.clock;
    this.#store = deps.store;
    this.#signer = deps.signer;
    this.#onAttempt = deps.onAttempt;
  }

  /** Attempts under way (HTTP request sent, outcome not yet known). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Puts a new (or rescheduled) task on its queue's timeline and dispatches it if due. */
  enqueue(task: TaskRecord): void {
    this.#runtime(task.queue).heap.push({
      at: task.scheduleTime,
      seq: task.seq,
      version: task.version,
      task,
    });
    this.#pump(task.queue);
  }

  /** Dispatches whatever is due now on every queue. */
  pumpAll(): void {
    for (const queue of this.#store.queues()) this.#pump(queue.name);
  }

  /** Dispatches everything due now (within rate limits) and waits until every attempt has an outcome. */
  async runDueTasks(): Promise<void> {
    this.pumpAll();
    await this.idle();
  }

  /** Resolves once no attempt is in flight. */
  idle(): Promise<void> {
    if (this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Fault injection: each due task for which `decide` answers true leaves the
   * queue without an HTTP request, as if it had been dispatched and acknowledged
   * (`null` turns it off). Cloud Tasks aims at once-only delivery but a task can
   * still be lost to its target (a purged queue, an operator's delete), and the
   * product must recover from that with its sweep.
   */
  loseDispatches(decide: ((task: { name: string; queue: string }) => boolean) | null): void {
    this.#loses = decide;
  }

  history(): AttemptRecord[] {
    return this.#history.map((a) => ({ ...a }));
  }

  /** Cancels in-flight attempts and timers, forgets history; used by stop() and reset(). */
  cancelAll(): void {
    this.#cancelling = true;
    try {
      for (const attempt of [...this.#inFlight]) attempt.settle({ kind: 'cancelled' });
    } finally {
      this.#cancelling = false;
    }
    for (const q of this.#queues.values()) {
      q.wake?.cancel();
      q.wake = undefined;
    }
    this.#queues.clear();
  }

  reset(): void {
    this.cancelAll();
    this.#history = [];
  }

  stop(): void {
    this.#stopped = true;
    this.cancelAll();
  }

  #runtime(queue: string): QueueRuntime {
    let q = this.#queues.get(queue);
    if (!q) {
      const { rate } = this.#store.getQueue(queue);
      q = {
        heap: new MinHeap<HeapEntry>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq)),
        inFlight: 0,
        tokens: rate.maxBurstSize,
        tokensAt: this.#clock.now(),
      };
      this.#queues.set(queue, q);
    }
    return q;
  }

  #isLive(e: HeapEntry): boolean {
    return this.#store.isPending(e.task) && !e.task.dispatching && e.version === e.task.version;
  }

  #pump(queueName: string): void {
    if (this.#stopped) return;
    const cfg = this.#store.getQueue(queueName);
    const q = this.#runtime(queueName);
    const now = this.#clock.now();
    const { maxBurstSize, maxDispatchesPerSecond, maxConcurrentDispatches } = cfg.rate;
    q.tokens = Math.min(maxBurstSize, q.tokens + ((now - q.tokensAt) / 1000) * maxDispatchesPerSecond);
    q.tokensAt = now;
    let wakeAt: number | undefined;
    for (;;) {
      let top = q.heap.peek();
      while (top && !this.#isLive(top)) {
        q.heap.pop();
        top = q.heap.peek();
      }
      if (!top) break;
      if (top.at > now) {
        wakeAt = top.at;
        break;
      }
      // At the concurrency limit a finishing attempt pumps again; no timer needed.
      if (q.inFlight >= maxConcurrentDispatches) break;
      if (q.tokens < 1 - 1e-9) {
        wakeAt = now + Math.ceil(((1 - q.tokens) / maxDispatchesPerSecond) * 1000);
        break;
      }
      q.heap.pop();
      q.tokens -= 1;
      this.#dispatch(top.task, q);
    }
    this.#arm(q, queueName, wakeAt);
  }

  #arm(q: QueueRuntime, queueName: string, at: number | undefined): void {
    if (q.wake && q.wake.at === at) return;
    q.wake?.cancel();
    q.wake = undefined;
    if (at === undefined) return;
    const cancel = this.#clock.schedule(at, () => {
      if (q.wake?.cancel === cancel) q.wake = undefined;
      this.#pump(queueName);
    });
    q.wake = { at, cancel };
  }

  #headers(task: TaskRecord, now: number): Record<string, string> {
    const { http } = task;
    const headers: Record<string, string> = {};
    const authFromToken = http.oidcToken !== undefined || http.oauthToken !== undefined;
    for (const [name, value] of Object.entries(http.headers)) {
      const lower = name.toLowerCase();
      if (isReservedHeader(lower) || (authFromToken && lower === 'authorization')) continue;
      headers[name] = value;
    }
    // Request headers of HTTP target tasks
    // (https://cloud.google.com/tasks/docs/creating-http-target-tasks#handler).
    headers['User-Agent'] = 'Google-Cloud-Tasks';
    headers['X-CloudTasks-QueueName'] = task.queueId;
    headers['X-CloudTasks-TaskName'] = task.taskId;
    headers['X-CloudTasks-TaskRetryCount'] = String(task.dispatchCount - 1);
    headers['X-CloudTasks-TaskExecutionCount'] = String(task.executionCount);
    headers['X-CloudTasks-TaskETA'] = (task.scheduleTime / 1000).toFixed(6);
    if (task.previousResponse !== undefined) {
      headers['X-CloudTasks-TaskPreviousResponse'] = String(task.previousResponse);
    }
    if (http.oidcToken) {
      const audience = http.oidcToken.audience || http.url;
      headers.Authorization = `Bearer ${this.#signer.sign(http.oidcToken.serviceAccountEmail, audience, now)}`;
    } else if (http.oauthToken) {
      // No local OAuth server can mint a Google access token; a recognisable placeholder stands in.
      headers.Authorization = `Bearer local-oauth-token.${http.oauthToken.serviceAccountEmail}`;
    }
    return headers;
  }

  #dispatch(task: TaskRecord, q: QueueRuntime): void {
    const now = this.#clock.now();
    if (this.#loses?.({ name: task.name, queue: task.queue })) {
      this.#lose(task, now);
      return;
    }
    task.dispatching = true;
    task.dispatchCount += 1;
    q.inFlight += 1;
    const attempt: AttemptInfo = { scheduleTime: task.scheduleTime, dispatchTime: now };
    // "first_attempt: Only dispatch_time will be set" (Task docs).
    task.firstAttempt ??= { scheduleTime: task.scheduleTime, dispatchTime: now };
    task.lastAttempt = attempt;
    const record = this.#recordAttempt(task, task.dispatchCount, now, 'in-flight');
    const request = sendHttp({
      url: task.http.url,
      method: task.http.httpMethod,
      headers: this.#headers(task, now),
      body: task.http.body,
    });
    let settled = false;
    const handle = {
      settle: (s: Settlement) => {
        if (settled) return;
        settled = true;
        cancelDeadline();
        this.#inFlight.delete(handle);
        if (s.kind === 'deadline' || s.kind === 'cancelled') request.abort();
        q.inFlight -= 1;
        task.dispatching = false;
        if (s.kind === 'cancelled') {
          record.outcome = 'cancelled';
          record.next = 'stopped';
        } else {
          this.#complete(task, q, attempt, record, s);
        }
        this.#onAttempt?.({ ...record });
        if (!this.#cancelling && this.#store.hasQueue(task.queue)) this.#pump(task.queue);
        if (this.#inFlight.size === 0) {
          const waiters = this.#idleWaiters;
          this.#idleWaiters = [];
          for (const resolve of waiters) resolve();
        }
      },
    };
    // "If the worker does not respond by this deadline then the request is
    // cancelled and the attempt is marked as a DEADLINE_EXCEEDED failure" (Task.dispatch_deadline).
    const cancelDeadline = this.#clock.schedule(now + task.dispatchDeadlineMs, () =>
      handle.settle({ kind: 'deadline' }),
    );
    this.#inFlight.add(handle);
    void request.result.then((outcome) => handle.settle(outcome));
  }

  /** Starts the history entry of attempt number `attempt` of `task`, dispatched `now`. */
  #recordAttempt(
    task: TaskRecord,
    attempt: number,
    now: number,
    outcome: AttemptRecord['outcome'],
  ): AttemptRecord {
    const record: AttemptRecord = {
      task: task.name,
      taskId: task.taskId,
      queue: task.queue,
      attempt,
      retryCount: attempt - 1,
      scheduleTime: task.scheduleTime,
      dispatchTime: now,
      outcome,
    };
    this.#history.push(record);
    return record;
  }

  #lose(task: TaskRecord, now: number): void {
    const record = this.#recordAttempt(task, task.dispatchCount + 1, now, 'lost');
    record.next = 'dropped';
    this.#store.finish(task, 'lost', now);
    this.#onAttempt?.({ ...record });
  }

  #complete(
    task: TaskRecord,
    q: QueueRuntime,
    attempt: AttemptInfo,
    record: AttemptRecord,
    s: HttpOutcome | { kind: 'deadline' },
  ): void {
    const now = this.#clock.now();
    attempt.responseTime = now;
    record.responseTime = now;
    let status: number | undefined;
    let retryAfter: string | undefined;
    if (s.kind === 'response') {
      status = s.status;
      retryAfter = s.retryAfter;
      record.status = status;
      record.outcome = status >= 200 && status < 300 ? 'succeeded' : 'http-error';
      attempt.responseStatus = statusForHttp(status);
    } else if (s.kind === 'deadline') {
      record.outcome = 'deadline-exceeded';
      attempt.responseStatus = deadlineExceededStatus;
    } else {
      record.outcome = 'unreachable';
      record.error = s.message;
      attempt.responseStatus = unreachableStatus(s.message);
    }
    // Deleted while the attempt was out: the outcome no longer matters.
    if (!this.#store.isPending(task)) {
      record.next = 'deleted';
      return;
    }
    if (status !== undefined) task.responseCount += 1;
    if (record.outcome === 'succeeded') {
      record.next = 'done';
      this.#store.finish(task, 'succeeded', now);
      return;
    }
    // X-CloudTasks-TaskExecutionCount "does not include failures due to 5XX error codes".
    if (status !== undefined && status < 500) task.executionCount += 1;
    task.previousResponse = status;
    const cfg: ResolvedQueue = this.#store.getQueue(task.queue);
    const firstAttemptAt = task.firstAttempt?.dispatchTime ?? now;
    if (retriesExhausted({ attempts: task.dispatchCount, firstAttemptAt, failedAt: now }, cfg.retry)) {
      record.next = 'dropped';
      this.#store.finish(task, 'failed', now);
      return;
    }
    const at = nextAttemptAt({ failedAt: now, retry: task.dispatchCount, status, retryAfter }, cfg.retry);
    record.next = 'retry';
    record.nextAttemptAt = at;
    task.scheduleTime = at;
    task.version += 1;
    q.heap.push({ at, seq: task.seq, version: task.version, task });
  }
}

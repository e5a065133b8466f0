import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudTasksClient } from '@google-cloud/tasks';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { ManualClock } from '../../local/common/clock.ts';
import {
  type QueueConfig,
  startTasksEmulator,
  type TasksEmulator,
  type TasksEmulatorOptions,
} from '../../local/tasks-emulator/index.ts';

export interface ReceivedRequest {
  index: number;
  method: string;
  /** Path and query. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Clock time the request arrived. */
  receivedAt: number;
  answeredAt?: number;
  status?: number;
  /** The emulator gave up on it (dispatch deadline) before an answer went out. */
  cancelled?: boolean;
}

/** How the target answers one request: after `delayMs` of clock time, or never (`hang`). */
export interface Reply {
  status?: number;
  delayMs?: number;
  hang?: boolean;
  headers?: Record<string, string>;
  body?: string;
}

export type Responder = (request: ReceivedRequest) => Reply;

/** A local HTTP target that records what Cloud Tasks sends and answers as the test says, on the test's clock. */
export class TargetServer {
  readonly requests: ReceivedRequest[] = [];
  /** Most requests open at once since the last reset. */
  maxConcurrent = 0;
  readonly #clock: ManualClock;
  readonly #server: http.Server;
  #responder: Responder = () => ({ status: 200 });
  #held = 0;
  #open = 0;
  #port = 0;

  constructor(clock: ManualClock) {
    this.#clock = clock;
    this.#server = http.createServer((req, res) => this.#handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  url(path = '/task'): string {
    return `http://127.0.0.1:${this.#port}${path}`;
  }

  /** Requests waiting on the clock (a delayed or hanging reply). */
  get held(): number {
    return this.#held;
  }

  respond(responder: Responder | Reply): void {
    this.#responder = typeof responder === 'function' ? responder : () => responder;
  }

  reset(): void {
    this.requests.length = 0;
    this.maxConcurrent = 0;
    this.#responder = () => ({ status: 200 });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record: ReceivedRequest = {
        index: this.requests.length,
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        receivedAt: this.#clock.now(),
      };
      this.requests.push(record);
      this.#open += 1;
      this.maxConcurrent = Math.max(this.maxConcurrent, this.#open);
      const reply = this.#responder(record);
      let state: 'open' | 'held' | 'done' = 'open';
      let cancelTimer = () => {};
      const finish = () => {
        if (state === 'held') this.#held -= 1;
        state = 'done';
        this.#open -= 1;
      };
      const send = () => {
        if (state === 'done') return;
        const status = reply.status ?? 200;
        record.status = status;
        record.answeredAt = this.#clock.now();
        finish();
        res.writeHead(status, reply.headers ?? {});
        res.end(reply.body ?? '');
      };
      res.on('close', () => {
        if (state === 'done') return;
        record.cancelled = true;
        cancelTimer();
        finish();
      });
      if (reply.hang) {
        state = 'held';
        this.#held += 1;
      } else if (reply.delayMs && reply.delayMs > 0) {
        state = 'held';
        this.#held += 1;
        cancelTimer = this.#clock.schedule(this.#clock.now() + reply.delayMs, send);
      } else {
        send();
      }
    });
  }
}

export interface TasksHarness {
  readonly clock: ManualClock;
  readonly emulator: TasksEmulator;
  readonly client: CloudTasksClient;
  readonly target: TargetServer;
  queuePath(queueId: string): string;
  taskPath(queueId: string, taskId: string): string;
  /** Waits (in real time, briefly) until every in-flight attempt is either answered or held by the target on the clock. */
  settle(): Promise<void>;
  /** Moves the clock forward, stopping at every timer on the way and settling I/O between them, so retry times are exact. */
  advance(ms: number): Promise<void>;
  advanceTo(time: number): Promise<void>;
}

export interface HarnessOptions {
  queues?: QueueConfig[];
  /** Clock start (ms since epoch). Default 2026-01-01T00:00:00Z. */
  start?: number;
  emulator?: Omit<TasksEmulatorOptions, 'clock' | 'queues'>;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Starts the emulator for a test file (beforeAll/afterAll) on a ManualClock,
 * with a recording HTTP target and a real CloudTasksClient; resets tasks,
 * history and the target's script before each test.
 */
export function useTasksEmulator(options: HarnessOptions = {}): TasksHarness {
  let clock: ManualClock | undefined;
  let emulator: TasksEmulator | undefined;
  let client: CloudTasksClient | undefined;
  let target: TargetServer | undefined;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is available inside tests only (after beforeAll)`);
    return value;
  };

  beforeAll(async () => {
    clock = new ManualClock(options.start ?? Date.UTC(2026, 0, 1));
    target = new TargetServer(clock);
    await target.start();
    emulator = await startTasksEmulator({ ...options.emulator, clock, queues: options.queues ?? [] });
    client = new CloudTasksClient(emulator.clientOptions());
  });

  beforeEach(() => {
    emulator?.reset();
    target?.reset();
  });

  afterAll(async () => {
    await client?.close();
    await emulator?.stop();
    await target?.close();
  });

  const harness: TasksHarness = {
    get clock() {
      return need(clock, 'clock');
    },
    get emulator() {
      return need(emulator, 'emulator');
    },
    get client() {
      return need(client, 'client');
    },
    get target() {
      return need(target, 'target');
    },
    queuePath: (queueId) => harness.emulator.queuePath(queueId),
    taskPath: (queueId, taskId) => `${harness.emulator.queuePath(queueId)}/tasks/${taskId}`,
    async settle() {
      const giveUpAt = Date.now() + 5_000;
      for (;;) {
        await turn();
        if (harness.emulator.inFlight === harness.target.held) {
          await turn();
          if (harness.emulator.inFlight === harness.target.held) return;
        }
        if (Date.now() > giveUpAt) {
          throw new Error(
            `dispatches did not settle: ${harness.emulator.inFlight} in flight, ${harness.target.held} held by the target`,
          );
        }
      }
    },
    async advanceTo(time) {
      const c = harness.clock;
      for (;;) {
        await harness.settle();
        const next = c.nextAt();
        if (next === undefined || next > time) break;
        await c.advanceTo(Math.max(next, c.now()));
      }
      await c.advanceTo(Math.max(time, c.now()));
      await harness.settle();
    },
    advance: (ms) => harness.advanceTo(harness.clock.now() + ms),
  };
  return harness;
}

/** ms since epoch -> protobuf Timestamp, for task.scheduleTime. */
export function timestamp(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}

/** protobuf Timestamp (as the client returns it, seconds possibly a string) -> ms since epoch. */
export function millis(
  ts: { seconds?: number | string | null | { toString(): string }; nanos?: number | null } | null | undefined,
): number {
  if (!ts) return Number.NaN;
  return Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1000) / 1000;
}

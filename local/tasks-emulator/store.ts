import { alreadyExists, notFound } from '../common/grpc-errors.ts';
import type { ResolvedQueue } from './queue-config.ts';

export type HttpMethod = 'POST' | 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';

export interface HttpTarget {
  url: string;
  httpMethod: HttpMethod;
  headers: Record<string, string>;
  body: Buffer;
  /** `audience` empty = the task URL, decided at dispatch. */
  oidcToken?: { serviceAccountEmail: string; audience: string };
  oauthToken?: { serviceAccountEmail: string; scope: string };
}

export interface AttemptInfo {
  scheduleTime: number;
  dispatchTime: number;
  responseTime?: number;
  responseStatus?: { code: number; message: string };
}

/** One pending task. Times are ms on the emulator's clock. */
export interface TaskRecord {
  name: string;
  queue: string;
  queueId: string;
  taskId: string;
  http: HttpTarget;
  scheduleTime: number;
  createTime: number;
  dispatchDeadlineMs: number;
  dispatchCount: number;
  responseCount: number;
  /** Attempts answered with a status below 500: X-CloudTasks-TaskExecutionCount. */
  executionCount: number;
  previousResponse?: number;
  firstAttempt?: AttemptInfo;
  lastAttempt?: AttemptInfo;
  dispatching: boolean;
  /** Bumped on every (re)schedule, so the dispatcher can skip stale heap entries. */
  version: number;
  /** Creation order, to break ties between equal schedule times. */
  seq: number;
}

/** 'lost': removed by an injected fault without being dispatched (a chaos run's lost dispatch). */
export type FinishedOutcome = 'succeeded' | 'failed' | 'deleted' | 'lost';

export interface FinishedTask {
  name: string;
  queue: string;
  outcome: FinishedOutcome;
  at: number;
  dispatchCount: number;
}

/**
 * Queues, pending tasks, and the names of tasks that finished recently.
 * CreateTask: "If a task's ID is identical to that of an existing task or a
 * task that was deleted or executed recently then the call will fail with
 * ALREADY_EXISTS ... another task with the same name can't be created for
 * ~1hour after the original task was deleted or executed" (~9 days for
 * queue.yaml queues) (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks/create).
 * The retention is `nameRetentionMs`.
 */
export class TaskStore {
  readonly nameRetentionMs: number;
  readonly #queues = new Map<string, ResolvedQueue>();
  readonly #tasks = new Map<string, TaskRecord>();
  /** name -> time until which it cannot be reused; insertion order is expiry order. */
  readonly #tombstones = new Map<string, number>();
  #finished: FinishedTask[] = [];
  #seq = 0;

  constructor(nameRetentionMs: number) {
    this.nameRetentionMs = nameRetentionMs;
  }

  addQueue(queue: ResolvedQueue): void {
    if (this.#queues.has(queue.name)) throw alreadyExists(`Queue ${queue.name} already exists`);
    this.#queues.set(queue.name, queue);
  }

  getQueue(name: string): ResolvedQueue {
    const queue = this.#queues.get(name);
    if (!queue) throw notFound(`Queue ${name} does not exist`);
    return queue;
  }

  hasQueue(name: string): boolean {
    return this.#queues.has(name);
  }

  queues(): ResolvedQueue[] {
    return [...this.#queues.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  nextSeq(): number {
    return this.#seq++;
  }

  /** Adds a task unless its name is taken or was used within the retention window. */
  insertTask(task: TaskRecord, now: number): void {
    if (this.#tasks.has(task.name)) throw alreadyExists(`Task ${task.name} already exists`);
    this.#purgeTombstones(now);
    const until = this.#tombstones.get(task.name);
    if (until !== undefined && until > now) {
      throw alreadyExists(
        `Task ${task.name} was deleted or executed recently; its name cannot be reused until ${new Date(until).toISOString()}`,
      );
    }
    this.#tombstones.delete(task.name);
    this.#tasks.set(task.name, task);
  }

  getTask(name: string): TaskRecord {
    const task = this.#tasks.get(name);
    if (!task) throw notFound(`Task ${name} does not exist (it may have executed, failed or been deleted)`);
    return task;
  }

  /** True while `task` is still the pending task stored under its name. */
  isPending(task: TaskRecord): boolean {
    return this.#tasks.get(task.name) === task;
  }

  tasks(queue?: string): TaskRecord[] {
    const all = [...this.#tasks.values()];
    return queue === undefined ? all : all.filter((t) => t.queue === queue);
  }

  /** Removes a task for good and remembers its name. */
  finish(task: TaskRecord, outcome: FinishedOutcome, now: number): void {
    if (!this.isPending(task)) return;
    this.#tasks.delete(task.name);
    this.#tombstones.delete(task.name);
    this.#tombstones.set(task.name, now + this.nameRetentionMs);
    this.#finished.push({
      name: task.name,
      queue: task.queue,
      outcome,
      at: now,
      dispatchCount: task.dispatchCount,
    });
  }

  finished(): FinishedTask[] {
    return this.#finished.map((f) => ({ ...f }));
  }

  /** Forgets tasks, names and outcomes; keeps queues. */
  clear(): void {
    this.#tasks.clear();
    this.#tombstones.clear();
    this.#finished = [];
  }

  #purgeTombstones(now: number): void {
    for (const [name, until] of this.#tombstones) {
      if (until > now) break;
      this.#tombstones.delete(name);
    }
  }
}

import type { Firestore } from '@google-cloud/firestore';
import type { Clock } from '../common/clock.ts';
import { readAll } from './read-all.ts';

/*
 * Notes, for each message, the clock time at which it was first seen
 * terminal (no dueAt left), by polling the messages not yet seen so: the
 * polled set shrinks as they settle, so a wait for thousands of messages does
 * not re-read the ones already ended. Its resolution is one poll interval of
 * real time (times the clock's scale).
 */

export interface Settlement {
  deadline: number | null;
  settledAt: number;
  /** Times the sweep re-drove it: each is a fault recovered by the sweep. */
  redrives: number;
}

export class SettleTracker {
  readonly settled = new Map<string, Settlement>();
  readonly #db: Firestore;
  readonly #clock: Clock;
  readonly #everyMs: number;
  readonly #pending = new Set<string>();
  /** Each watched message's status as last read (a settled one's, when it settled). */
  readonly #status = new Map<string, string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #polling: Promise<void> = Promise.resolve();
  #stopped = false;

  readonly #onError: (error: unknown) => void;

  constructor(db: Firestore, clock: Clock, everyRealMs: number, onError: (error: unknown) => void) {
    this.#db = db;
    this.#clock = clock;
    this.#everyMs = everyRealMs;
    this.#onError = onError;
  }

  watch(messageIds: Iterable<string>): void {
    for (const id of messageIds) if (!this.settled.has(id)) this.#pending.add(id);
    if (this.#timer === undefined && !this.#stopped) this.#schedule();
  }

  /** Watched messages by status as last read; not yet read: 'unread'. */
  byStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const id of [...this.settled.keys(), ...this.#pending]) {
      const status = this.#status.get(id) ?? 'unread';
      counts[status] = (counts[status] ?? 0) + 1;
    }
    return counts;
  }

  /** Polls once more now and stops. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#polling;
    await this.#poll();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#polling = this.#poll()
        .catch(this.#onError) // the next poll tries again
        .finally(() => {
          if (!this.#stopped) this.#schedule();
        });
    }, this.#everyMs);
  }

  async #poll(): Promise<void> {
    const snapshots = await readAll(
      this.#db,
      [...this.#pending].map((id) => `messages/${id}`),
    );
    const now = this.#clock.now();
    for (const snapshot of snapshots) {
      const data = snapshot.data();
      this.#status.set(snapshot.id, data?.status ?? 'missing');
      if (!data || data.dueAt !== undefined) continue;
      this.#pending.delete(snapshot.id);
      const deadline = data.deadline?.toMillis?.() ?? null;
      this.settled.set(snapshot.id, { deadline, settledAt: now, redrives: data.redrives ?? 0 });
    }
  }
}

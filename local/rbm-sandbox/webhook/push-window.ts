/**
 * How many webhook POSTs may wait for an answer at once.
 *
 * `serial`: one. `adaptive`: Pub/Sub push's flow control as the sandbox
 * models it (docs/rbm-platform.md#delivery-rate): Pub/Sub adjusts its push
 * rate to the rate of successful answers with a slow start, so the window
 * opens at 3, grows by one per acknowledged push (one round of successful
 * answers doubles it), halves on each failure (an answer other than 200, or
 * no answer within the ack deadline) and stops growing at 3,000. The numbers
 * are the sandbox's model of that, not published constants.
 */
export const pushConcurrencies = ['serial', 'adaptive'] as const;
export type PushConcurrency = (typeof pushConcurrencies)[number];

/** For the command lines that take it as a flag. */
export function isPushConcurrency(value: string): value is PushConcurrency {
  return (pushConcurrencies as readonly string[]).includes(value);
}

export const adaptiveWindow = { initial: 3, max: 3_000 } as const;

export class PushWindow {
  #size: number = adaptiveWindow.initial;

  /** POSTs allowed to wait for an answer at once under `concurrency`. */
  limit(concurrency: PushConcurrency): number {
    return concurrency === 'adaptive' ? this.#size : 1;
  }

  /** The adaptive window's current size (kept while serial, so switching back resumes it). */
  get size(): number {
    return this.#size;
  }

  acknowledged(): void {
    this.#size = Math.min(adaptiveWindow.max, this.#size + 1);
  }

  failed(): void {
    this.#size = Math.max(1, Math.floor(this.#size / 2));
  }
}

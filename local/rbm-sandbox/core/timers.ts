import type { Clock } from '../../common/clock.ts';

/**
 * Every timer the sandbox sets goes through the shared Clock and is tracked
 * here, so tests drive it with a ManualClock and stop() can cancel whatever
 * is still pending: nothing outlives the sandbox.
 */
export class Timers {
  readonly clock: Clock;
  #cancels = new Set<() => void>();
  #stopped = false;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  now(): number {
    return this.clock.now();
  }

  /** Runs `fn` at clock time `at` (or at once on the next tick if `at` has passed). Returns a cancel function. */
  at(at: number, fn: () => void): () => void {
    if (this.#stopped) return () => {};
    let cancelClock: () => void = () => {};
    const cancel = () => {
      this.#cancels.delete(cancel);
      cancelClock();
    };
    this.#cancels.add(cancel);
    cancelClock = this.clock.schedule(at, () => {
      this.#cancels.delete(cancel);
      if (!this.#stopped) fn();
    });
    return cancel;
  }

  /** Runs `fn` `ms` from now in clock time. */
  after(ms: number, fn: () => void): () => void {
    return this.at(this.clock.now() + Math.max(0, ms), fn);
  }

  get pending(): number {
    return this.#cancels.size;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  stop(): void {
    this.#stopped = true;
    for (const cancel of [...this.#cancels]) cancel();
  }
}

/**
 * One notion of time shared by the local emulators and sandboxes, so a test or
 * the demo can run a 10-minute OTP deadline in milliseconds (ManualClock) or
 * in seconds (a scaled SystemClock) while every component agrees on "now".
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, in this clock's time. */
  now(): number;
  /** Calls `fn` once the clock reaches `at` (ms since epoch). Returns a cancel function. */
  schedule(at: number, fn: () => void): () => void;
}

/** Wall-clock time, optionally running `scale` times faster than real time from `origin` on. */
export class SystemClock implements Clock {
  readonly scale: number;
  readonly #realOrigin: number;
  readonly #origin: number;

  /**
   * `realOrigin`: the wall-clock moment the clock reads `origin`; give both to
   * make another process's clock read exactly the same (the stack's function processes).
   */
  constructor(options: { scale?: number; origin?: number; realOrigin?: number } = {}) {
    this.scale = options.scale ?? 1;
    if (!(this.scale > 0)) throw new RangeError(`clock scale must be > 0, got ${this.scale}`);
    this.#realOrigin = options.realOrigin ?? Date.now();
    this.#origin = options.origin ?? this.#realOrigin;
  }

  /** What another process needs to build the same clock. */
  get settings(): { scale: number; origin: number; realOrigin: number } {
    return { scale: this.scale, origin: this.#origin, realOrigin: this.#realOrigin };
  }

  now(): number {
    return this.#origin + (Date.now() - this.#realOrigin) * this.scale;
  }

  schedule(at: number, fn: () => void): () => void {
    // setTimeout caps at 2^31-1 ms, and may fire a millisecond early by Date.now() (which a
    // large scale magnifies): a timer that wakes before its time re-arms for the rest.
    const maxDelay = 2 ** 31 - 1;
    let handle: NodeJS.Timeout;
    const arm = () => {
      const delay = (at - this.now()) / this.scale;
      handle = setTimeout(delay <= 0 ? fn : arm, Math.min(Math.max(0, Math.ceil(delay)), maxDelay));
      handle.unref?.();
    };
    arm();
    return () => clearTimeout(handle);
  }
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Time that moves only when told. `advance` fires due timers in time order,
 * setting `now` to each timer's time first and letting pending I/O callbacks
 * run between timers, so work a timer starts can schedule further timers that
 * also fall inside the advanced window.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  schedule(at: number, fn: () => void): () => void {
    const timer: Timer = { at, seq: this.#seq++, fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Time of the earliest timer not yet fired, if any: lets a driver step from timer to timer. */
  nextAt(): number | undefined {
    let next: number | undefined;
    for (const t of this.#timers) if (next === undefined || t.at < next) next = t.at;
    return next;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError('time only moves forward');
    await this.advanceTo(this.#now + ms);
  }

  async advanceTo(target: number): Promise<void> {
    for (;;) {
      await yieldToEventLoop();
      const next = this.#nextDue(target);
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = Math.max(this.#now, target);
    await yieldToEventLoop();
  }

  #nextDue(target: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) {
      if (t.at > target) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

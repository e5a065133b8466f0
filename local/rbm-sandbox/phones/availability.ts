import type { Prng } from '../../common/random.ts';

export interface Window {
  from: number;
  to: number;
}

/**
 * When a phone is online. Either a schedule drawn from the seed (alternating
 * exponential online/offline spells, generated lazily as time goes on) or
 * explicit offline windows from a rule, which replace the drawn schedule.
 */
export class Availability {
  #explicit: Window[] | null = null;
  #drawn: Window[] = [];
  #drawnUntil: number;
  readonly #prng: Prng;
  readonly #means: { meanOnlineMs: number; meanOfflineMs: number } | null;

  constructor(prng: Prng, means: { meanOnlineMs: number; meanOfflineMs: number } | null, origin: number) {
    this.#prng = prng;
    this.#means = means;
    this.#drawnUntil = origin;
    if (means) {
      // Start in the steady state: offline with the long-run offline share.
      const offlineShare = means.meanOfflineMs / (means.meanOnlineMs + means.meanOfflineMs);
      if (prng.chance(offlineShare)) {
        const to = origin + Math.round(prng.exponential(means.meanOfflineMs));
        this.#drawn.push({ from: origin, to });
        this.#drawnUntil = to;
      }
    }
  }

  setExplicit(windows: Window[]): void {
    this.#explicit = [...windows].sort((a, b) => a.from - b.from);
  }

  isOnline(t: number): boolean {
    return this.#windowAt(t) === undefined;
  }

  /** `t` if the phone is online then, else the end of the offline spell that holds `t`. */
  nextOnline(t: number): number {
    let at = t;
    for (let w = this.#windowAt(at); w; w = this.#windowAt(at)) at = w.to;
    return at;
  }

  /** Offline windows that start at or before `until` (for the ground truth). */
  windows(until: number): Window[] {
    if (this.#explicit) return this.#explicit.filter((w) => w.from <= until);
    this.#extend(until);
    return this.#drawn.filter((w) => w.from <= until);
  }

  #windowAt(t: number): Window | undefined {
    if (this.#explicit) return this.#explicit.find((w) => w.from <= t && t < w.to);
    this.#extend(t);
    return this.#drawn.find((w) => w.from <= t && t < w.to);
  }

  #extend(until: number): void {
    if (!this.#means) return;
    while (this.#drawnUntil <= until) {
      const from =
        this.#drawnUntil + Math.max(1, Math.round(this.#prng.exponential(this.#means.meanOnlineMs)));
      const to = from + Math.max(1, Math.round(this.#prng.exponential(this.#means.meanOfflineMs)));
      this.#drawn.push({ from, to });
      this.#drawnUntil = to;
    }
  }
}

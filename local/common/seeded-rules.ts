import type { Prng } from './random.ts';

/** What every injected-fault rule has: a share of matching requests it hits, and an optional cap. */
export interface RateRule {
  /** Share of matching requests hit, 0..1 (default 1). */
  rate?: number;
  /** Hit at most this many requests, then stand down. */
  times?: number;
}

/**
 * An ordered list of fault rules: for each request the first rule that
 * matches, still has hits left and whose seeded draw hits, wins. Shared by the
 * RBM sandbox's API faults and the SMS sandbox's failures.
 */
export class SeededRules<R extends RateRule> {
  #rules: Array<{ rule: R; hits: number }> = [];
  readonly #prng: Prng;

  constructor(prng: Prng, rules: R[] = []) {
    this.#prng = prng;
    this.set(rules);
  }

  set(rules: R[]): void {
    this.#rules = rules.map((rule) => ({ rule: { ...rule }, hits: 0 }));
  }

  list(): R[] {
    return this.#rules.map(({ rule }) => ({ ...rule }));
  }

  /** The rule that hits this request, if any (and counts the hit). */
  take(matches: (rule: R) => boolean): R | null {
    for (const entry of this.#rules) {
      const { rule } = entry;
      if (!matches(rule)) continue;
      if (rule.times !== undefined && entry.hits >= rule.times) continue;
      if (!this.#prng.chance(rule.rate ?? 1)) continue;
      entry.hits += 1;
      return rule;
    }
    return null;
  }
}

/**
 * A tiny seedable PRNG (mulberry32) and the distributions the sandbox draws
 * from. Everything random in the sandbox comes from here, so the same seed
 * and the same inputs give the same ground truth.
 */

/** 32-bit string/number hash (FNV-1a) used to turn a seed plus a label into a stream seed. */
export function hashSeed(...parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5;
  for (const char of parts.join('\u0000')) {
    h ^= char.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Time spans in ms: a fixed value, a uniform range, or a log-normal around a median. */
export type Distribution = number | { min: number; max: number } | { median: number; spread?: number };

export class Prng {
  readonly seed: number;
  #state: number;

  constructor(seed: number | string) {
    this.seed = typeof seed === 'number' ? seed >>> 0 : hashSeed(seed);
    this.#state = this.seed;
  }

  /** An independent stream named `label`: draws on one stream never shift another. */
  fork(...label: ReadonlyArray<string | number>): Prng {
    return new Prng(hashSeed(this.seed, ...label));
  }

  /** Uniform in [0, 1): mulberry32. */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(probability: number): boolean {
    if (probability <= 0) return false;
    if (probability >= 1) return true;
    return this.next() < probability;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** A draw from `d`, rounded to whole ms and never negative. */
  sample(d: Distribution): number {
    if (typeof d === 'number') return Math.max(0, Math.round(d));
    if ('median' in d) return Math.max(0, Math.round(d.median * Math.exp((d.spread ?? 0.5) * this.normal())));
    return Math.max(0, Math.round(this.uniform(d.min, d.max)));
  }

  /** RFC 4122 version-4 UUID built from this stream, so generated ids are reproducible too. */
  uuid(): string {
    const bytes = Array.from({ length: 16 }, () => Math.floor(this.next() * 256));
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

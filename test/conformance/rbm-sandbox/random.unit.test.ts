import { describe, expect, it } from 'vitest';
import { Prng } from '../../../local/common/random.ts';

describe('sandbox PRNG (mulberry32)', () => {
  it('matches the reference mulberry32 (written out here in its usual one-function form)', () => {
    const reference = (seed: number) => {
      let a = seed;
      return () => {
        a += 0x6d2b79f5;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    };
    for (const seed of [1, 42, 123_456_789]) {
      const ours = new Prng(seed);
      const theirs = reference(seed);
      for (let i = 0; i < 100; i++) expect(ours.next()).toBe(theirs());
    }
    // The well-known first draw for seed 1.
    expect(new Prng(1).next()).toBeCloseTo(0.6270739405881613, 15);
  });

  it('repeats for the same seed, differs for another, and forks independent streams', () => {
    const draws = (p: Prng) => Array.from({ length: 5 }, () => p.next());
    expect(draws(new Prng('abc'))).toEqual(draws(new Prng('abc')));
    expect(draws(new Prng('abc'))).not.toEqual(draws(new Prng('abd')));
    const a = new Prng(9);
    const forkBefore = draws(a.fork('phone', '+1'));
    a.next();
    a.next();
    // A fork depends on the seed and its label only, not on draws made on the parent.
    expect(draws(a.fork('phone', '+1'))).toEqual(forkBefore);
    expect(draws(a.fork('phone', '+2'))).not.toEqual(forkBefore);
  });

  it('samples fixed, uniform and log-normal distributions within their bounds', () => {
    const p = new Prng(5);
    expect(p.sample(250)).toBe(250);
    for (let i = 0; i < 200; i++) {
      const u = p.sample({ min: 100, max: 200 });
      expect(u).toBeGreaterThanOrEqual(100);
      expect(u).toBeLessThanOrEqual(200);
    }
    const logNormal = Array.from({ length: 2_001 }, () => p.sample({ median: 1_000, spread: 0.5 })).sort(
      (x, y) => x - y,
    );
    expect(logNormal[1_000]).toBeGreaterThan(900);
    expect(logNormal[1_000]).toBeLessThan(1_100);
    expect(logNormal[0]).toBeGreaterThanOrEqual(0);
  });

  it('makes RFC 4122 version-4 UUIDs', () => {
    const p = new Prng(3);
    for (let i = 0; i < 50; i++)
      expect(p.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

import { describe, expect, it } from 'vitest';
import { Prng } from '../../../local/common/random.ts';
import { Availability } from '../../../local/rbm-sandbox/phones/availability.ts';

describe('phone availability', () => {
  it('explicit windows: offline inside, back online at the end, chained windows joined', () => {
    const a = new Availability(new Prng(1), null, 0);
    a.setExplicit([
      { from: 100, to: 200 },
      { from: 200, to: 250 },
    ]);
    expect(a.isOnline(99)).toBe(true);
    expect(a.isOnline(100)).toBe(false);
    expect(a.nextOnline(150)).toBe(250);
    expect(a.nextOnline(300)).toBe(300);
  });

  it('a drawn schedule alternates spells with the configured means', () => {
    const a = new Availability(new Prng(2), { meanOnlineMs: 1_000, meanOfflineMs: 250 }, 0);
    const windows = a.windows(1_000_000);
    expect(windows.length).toBeGreaterThan(600);
    expect(windows.length).toBeLessThan(1_000);
    const offline = windows.reduce((sum, w) => sum + (w.to - w.from), 0);
    // Offline share near 250 / 1250.
    expect(offline / 1_000_000).toBeGreaterThan(0.15);
    expect(offline / 1_000_000).toBeLessThan(0.25);
    for (const w of windows) {
      expect(a.isOnline(w.from)).toBe(false);
      expect(a.nextOnline(w.from)).toBe(w.to);
    }
  });

  it('no means: always online', () => {
    const a = new Availability(new Prng(3), null, 0);
    expect(a.isOnline(123_456_789)).toBe(true);
    expect(a.windows(1e12)).toEqual([]);
  });
});

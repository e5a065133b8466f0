import { describe, expect, it } from 'vitest';
import { ManualClock, SystemClock } from '../../../local/common/clock.ts';

describe('ManualClock', () => {
  it('fires due timers in time order and sets now to each timer time', async () => {
    const clock = new ManualClock(1_000);
    const seen: Array<[string, number]> = [];
    clock.schedule(3_000, () => seen.push(['b', clock.now()]));
    clock.schedule(2_000, () => seen.push(['a', clock.now()]));
    clock.schedule(9_000, () => seen.push(['late', clock.now()]));
    await clock.advance(5_000);
    expect(seen).toEqual([
      ['a', 2_000],
      ['b', 3_000],
    ]);
    expect(clock.now()).toBe(6_000);
    expect(clock.pending).toBe(1);
  });

  it('runs timers scheduled by a firing timer when they fall inside the window', async () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.schedule(10, () => {
      seen.push(clock.now());
      clock.schedule(clock.now() + 10, () => seen.push(clock.now()));
    });
    await clock.advance(25);
    expect(seen).toEqual([10, 20]);
  });

  it('tells when its next timer is due', async () => {
    const clock = new ManualClock(0);
    expect(clock.nextAt()).toBeUndefined();
    clock.schedule(30, () => {});
    const cancel = clock.schedule(10, () => {});
    expect(clock.nextAt()).toBe(10);
    cancel();
    expect(clock.nextAt()).toBe(30);
  });

  it('does not fire a cancelled timer and refuses to go back in time', async () => {
    const clock = new ManualClock(0);
    let fired = false;
    const cancel = clock.schedule(5, () => {
      fired = true;
    });
    cancel();
    await clock.advance(10);
    expect(fired).toBe(false);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
  });
});

describe('SystemClock', () => {
  it('runs scale times faster than real time', async () => {
    const clock = new SystemClock({ scale: 1_000, origin: 0 });
    const fired = await new Promise<number>((resolve) => clock.schedule(20_000, () => resolve(clock.now())));
    // 20 s of clock time at x1000 is 20 ms of real time; it fires at or after its time.
    expect(fired).toBeGreaterThanOrEqual(20_000);
  });

  it('rejects a non-positive scale', () => {
    expect(() => new SystemClock({ scale: 0 })).toThrow(RangeError);
  });
});

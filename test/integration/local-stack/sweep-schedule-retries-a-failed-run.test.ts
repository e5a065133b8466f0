import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { schedulerBackoffMs, startSweepSchedule, sweepRetry } from '../../../local/stack/sweep-schedule.ts';

// The local Cloud Scheduler: a sweep run that fails is retried as terraform/scheduler.tf's
// retry_config says (5, 10, 20 s), never past the next scheduled run.

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

async function sweepTarget(clock: ManualClock) {
  const calls: number[] = [];
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    calls.push(clock.now());
    req.resume();
    res.statusCode = answers.shift() ?? 200;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sweep`;
  return { url, calls, answers };
}

/** Waits (real time, briefly) until the schedule has heard the answer to call `n` and armed what follows. */
async function answered(clock: ManualClock, calls: number[], n: number, timersAfter: number) {
  for (let i = 0; i < 400 && !(calls.length === n && clock.pending === timersAfter); i++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  expect(calls).toHaveLength(n);
  expect(clock.pending).toBe(timersAfter);
}

describe('the local sweep schedule', () => {
  it('retries a failed run after 5 and 10 s, and stops retrying once a run succeeds', async () => {
    const clock = new ManualClock(0);
    const target = await sweepTarget(clock);
    target.answers.push(503, 503);
    const schedule = startSweepSchedule(clock, target.url, 60_000);
    stops.push(() => schedule.stop());
    await clock.advanceTo(60_000);
    await answered(clock, target.calls, 1, 2); // the next tick and a retry
    await clock.advanceTo(65_000);
    await answered(clock, target.calls, 2, 2);
    await clock.advanceTo(75_000);
    await answered(clock, target.calls, 3, 1); // succeeded: only the next tick
    expect(target.calls).toEqual([60_000, 65_000, 75_000]);
  });

  it('gives up after three retries, and an unreachable sweep counts as a failure', async () => {
    const clock = new ManualClock(0);
    const target = await sweepTarget(clock);
    const schedule = startSweepSchedule(clock, 'http://127.0.0.1:1/sweep', 60_000);
    stops.push(() => schedule.stop());
    await clock.advanceTo(60_000);
    for (let i = 0; i < 200 && clock.pending < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.nextAt()).toBe(65_000); // connection refused: retried
    schedule.stop();

    target.answers.push(500, 500, 500, 500, 500);
    const failing = startSweepSchedule(clock, target.url, 60_000);
    stops.push(() => failing.stop());
    await clock.advanceTo(120_000);
    await answered(clock, target.calls, 1, 2);
    for (const [at, n] of [
      [125_000, 2],
      [135_000, 3],
    ] as const) {
      await clock.advanceTo(at);
      await answered(clock, target.calls, n, 2);
    }
    await clock.advanceTo(155_000);
    await answered(clock, target.calls, 4, 1); // three retries spent: wait for the next tick
    expect(target.calls).toEqual([120_000, 125_000, 135_000, 155_000]);
  });

  it('never retries past the next scheduled run', async () => {
    const clock = new ManualClock(0);
    const target = await sweepTarget(clock);
    target.answers.push(500, 500, 500);
    const retry = { retryCount: 5, minBackoffMs: 30_000, maxBackoffMs: 60_000, maxDoublings: 0 };
    const schedule = startSweepSchedule(clock, target.url, 60_000, retry);
    stops.push(() => schedule.stop());
    await clock.advanceTo(60_000);
    await answered(clock, target.calls, 1, 2);
    await clock.advanceTo(90_000);
    await answered(clock, target.calls, 2, 1); // the next retry would be at the next tick: none
    await clock.advanceTo(120_000);
    await answered(clock, target.calls, 3, 2);
    expect(target.calls).toEqual([60_000, 90_000, 120_000]);
  });

  it("waits as Cloud Scheduler's RetryConfig describes: doubling, then linear, then the maximum", () => {
    // The example of Scheduler's reference: min 10 s, max 300 s, max_doublings 3.
    const example = { retryCount: 5, minBackoffMs: 10_000, maxBackoffMs: 300_000, maxDoublings: 3 };
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((k) => schedulerBackoffMs(k, example) / 1000)).toEqual([
      10, 20, 40, 80, 160, 240, 300, 300,
    ]);
    expect([0, 1, 2].map((k) => schedulerBackoffMs(k, sweepRetry) / 1000)).toEqual([5, 10, 20]);
  });
});

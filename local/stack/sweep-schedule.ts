import type { Clock } from '../common/clock.ts';

/**
 * Cloud Scheduler's retry_config for the sweep job (terraform/scheduler.tf): a failed run (no
 * answer, or not 2xx) is tried again after 5, 10 and 20 s, never past the next scheduled run.
 * A sweep instance that crashes mid-run is back at work seconds later, not a minute later.
 */
export const sweepRetry = { retryCount: 3, minBackoffMs: 5_000, maxBackoffMs: 20_000, maxDoublings: 2 };

/**
 * Cloud Scheduler's wait before retry `k` (0 = the first retry): starts at the minimum, doubles
 * `maxDoublings` times, then grows linearly by that step, capped at the maximum
 * (cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs#retryconfig).
 */
export function schedulerBackoffMs(k: number, retry: typeof sweepRetry): number {
  const doubled = retry.minBackoffMs * 2 ** Math.min(k, retry.maxDoublings);
  const linear =
    k > retry.maxDoublings ? retry.minBackoffMs * 2 ** retry.maxDoublings * (k - retry.maxDoublings) : 0;
  return Math.min(doubled + linear, retry.maxBackoffMs);
}

/**
 * Cloud Scheduler's part locally: POST the sweep function every `everyMs`
 * of clock time; a failed run is retried as `retry` says, and then left for
 * the next tick, as Scheduler does.
 */
export function startSweepSchedule(
  clock: Clock,
  url: string,
  everyMs: number,
  retry: typeof sweepRetry = sweepRetry,
): { stop(): void } {
  const cancels = new Set<() => void>();
  let stopped = false;
  const at = (time: number, run: () => void) => {
    const cancel = clock.schedule(time, () => {
      cancels.delete(cancel);
      run();
    });
    cancels.add(cancel);
  };
  const attempt = (nextTickAt: number, retriesDone: number) => {
    if (stopped) return;
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      .then((res) => {
        void res.body?.cancel();
        return res.ok;
      })
      .catch(() => false)
      .then((ok) => {
        if (ok || stopped || retriesDone >= retry.retryCount) return;
        const retryAt = clock.now() + schedulerBackoffMs(retriesDone, retry);
        if (retryAt < nextTickAt) at(retryAt, () => attempt(nextTickAt, retriesDone + 1));
      });
  };
  const tick = () => {
    if (stopped) return;
    const nextTickAt = clock.now() + everyMs;
    at(nextTickAt, tick);
    attempt(nextTickAt, 0);
  };
  at(clock.now() + everyMs, tick);
  return {
    stop() {
      stopped = true;
      for (const cancel of cancels) cancel();
      cancels.clear();
    },
  };
}

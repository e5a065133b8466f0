import type { Clock } from '../common/clock.ts';

/**
 * Cloud Scheduler's part locally: POST the sweep function every `everyMs`
 * of clock time. A failed call is left for the next tick, as Scheduler's
 * next run would.
 */
export function startSweepSchedule(clock: Clock, url: string, everyMs: number): { stop(): void } {
  let cancel = () => {};
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(
      () => {},
    );
    arm();
  };
  const arm = () => {
    cancel = clock.schedule(clock.now() + everyMs, tick);
  };
  arm();
  return {
    stop() {
      stopped = true;
      cancel();
    },
  };
}

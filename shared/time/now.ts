/**
 * The functions' notion of "now". Production reads the system clock. The
 * local stack and the tests run the functions in-process against emulators
 * that share one scaled or manual clock, and install it here so deadlines,
 * grace periods and task schedules all agree.
 */
export interface TimeSource {
  now(): number;
}

let source: TimeSource = { now: () => Date.now() };

export function now(): Date {
  return new Date(source.now());
}

/** For the local stack and tests only; production never calls it. */
export function useTimeSource(next: TimeSource): void {
  source = next;
}

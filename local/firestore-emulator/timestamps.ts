import { invalidArgument } from '../common/grpc-errors.ts';
import type { WireTimestamp } from './wire.ts';

/**
 * Server times (commit, update, read times) are integer microseconds since the
 * epoch: Firestore's own precision, and exact in a double until year ~2255.
 */
export type Micros = number;

// Firestore accepts timestamps from 0001-01-01 to 9999-12-31 inclusive.
const MIN_SECONDS = -62135596800;
const MAX_SECONDS = 253402300799;

export function microsToProto(us: Micros): { seconds: string; nanos: number } {
  const seconds = Math.floor(us / 1e6);
  return { seconds: String(seconds), nanos: (us - seconds * 1e6) * 1000 };
}

/** Reads a request timestamp (read time, precondition) as microseconds, truncating sub-microsecond nanos. */
export function protoToMicros(ts: WireTimestamp, what: string): Micros {
  const { seconds, nanos } = checkTimestamp(ts, what);
  return seconds * 1e6 + Math.floor(nanos / 1000);
}

/** Validates a timestamp's range, returning plain numbers. */
export function checkTimestamp(ts: WireTimestamp, what: string): { seconds: number; nanos: number } {
  const seconds = Number(ts.seconds ?? 0);
  const nanos = Number(ts.nanos ?? 0);
  if (!Number.isInteger(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw invalidArgument(
      `${what}: timestamp seconds out of range (0001-01-01 to 9999-12-31): ${ts.seconds}`,
    );
  }
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw invalidArgument(`${what}: timestamp nanos must be in [0, 999999999]: ${ts.nanos}`);
  }
  return { seconds, nanos };
}

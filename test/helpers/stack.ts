import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { ManualClock } from '../../local/common/clock.ts';
import { type Stack, type StackOptions, startStack } from '../../local/stack/start.ts';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON answer, read loosely by scenario tests.
type Json = any;

export interface StackHarness {
  readonly stack: Stack;
  readonly clock: ManualClock;
  /** Moves time forward timer by timer, letting every request the timers cause finish in between. */
  advance(ms: number): Promise<void>;
  /** POST /messages; returns the HTTP status and body. */
  send(body: Record<string, unknown>): Promise<{ status: number; body: Json }>;
  /** GET /messages/{id}: the product's view (message and timeline). */
  view(messageId: string): Promise<Json>;
}

/**
 * The whole local stack for one test file, on a ManualClock starting at
 * `start`: tests drive time, nothing sleeps.
 */
export function useStack(options: Omit<StackOptions, 'clock'> & { start?: number } = {}): StackHarness {
  const clock = new ManualClock(options.start ?? Date.UTC(2026, 10, 21, 9, 0, 0));
  let stack: Stack | undefined;
  beforeAll(async () => {
    // The sweep every 5 clock minutes by default: hours of scenario time stay quick to drive.
    stack = await startStack({
      sweepEveryMs: 300_000,
      ...options,
      clock,
      projectId: `stack-${randomUUID().slice(0, 8)}`,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const need = () => {
    if (!stack) throw new Error('the stack is not started yet');
    return stack;
  };
  return {
    get stack() {
      return need();
    },
    clock,
    async advance(ms) {
      const s = need();
      const target = clock.now() + ms;
      await s.settle();
      for (let next = clock.nextAt(); next !== undefined && next <= target; next = clock.nextAt()) {
        await clock.advanceTo(next);
        await s.settle();
      }
      await clock.advanceTo(target);
      await s.settle();
    },
    async send(body) {
      const response = await fetch(`${need().functions.urls.messages}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const result = { status: response.status, body: await response.json() };
      await need().settle();
      return result;
    },
    async view(messageId) {
      const response = await fetch(`${need().functions.urls.messages}/${messageId}`);
      return response.json();
    },
  };
}

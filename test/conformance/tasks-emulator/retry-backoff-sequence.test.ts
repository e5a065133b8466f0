import { describe, expect, it } from 'vitest';
import { useTasksEmulator } from '../../helpers/tasks.ts';

const h = useTasksEmulator({
  queues: [
    // The RetryConfig docs' example: min 10 s, max 300 s, 3 doublings -> 10, 20, 40, 80, 160, 240, 300, 300.
    {
      name: 'doc-example',
      retryConfig: { minBackoff: 10, maxBackoff: 300, maxDoublings: 3, maxAttempts: 9 },
    },
    { name: 'short', retryConfig: { minBackoff: '1s', maxBackoff: '10s', maxDoublings: 2, maxAttempts: 4 } },
    {
      name: 'by-duration',
      retryConfig: { minBackoff: 10, maxBackoff: 10, maxAttempts: -1, maxRetryDuration: '60s' },
    },
    {
      name: 'both-limits',
      retryConfig: { minBackoff: 1, maxBackoff: 1, maxAttempts: 2, maxRetryDuration: 5 },
    },
  ],
});

const create = async (queue: string, taskId: string) => {
  await h.client.createTask({
    parent: h.queuePath(queue),
    task: { name: h.taskPath(queue, taskId), httpRequest: { url: h.target.url(`/${taskId}`) } },
  });
};

/** Gaps between consecutive attempts, in seconds. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => (t - times[i]!) / 1000);

describe('failed attempts are retried on the queue backoff, then dropped', () => {
  it('retries at the exact times of the documented sequence and drops after max_attempts', async () => {
    h.target.respond({ status: 500 });
    const t0 = h.clock.now();
    await create('doc-example', 'doc');
    await h.advance(3 * 3_600_000);
    const times = h.target.requests.map((r) => r.receivedAt);
    expect(times[0]).toBe(t0);
    expect(gaps(times)).toEqual([10, 20, 40, 80, 160, 240, 300, 300]);
    expect(h.emulator.history().map((a) => a.next)).toEqual([...Array(8).fill('retry'), 'dropped']);
    expect(h.emulator.tasks()).toHaveLength(0);
    expect(h.emulator.finished()).toEqual([
      expect.objectContaining({
        name: h.taskPath('doc-example', 'doc'),
        outcome: 'failed',
        dispatchCount: 9,
      }),
    ]);
  });

  it('history records every attempt with time, status, retry count and outcome', async () => {
    h.target.respond((r) => ({ status: r.index < 2 ? 503 : 200 }));
    const t0 = h.clock.now();
    await create('short', 'hist');
    await h.advance(60_000);
    expect(h.emulator.history()).toEqual([
      expect.objectContaining({
        attempt: 1,
        retryCount: 0,
        dispatchTime: t0,
        status: 503,
        outcome: 'http-error',
        next: 'retry',
        nextAttemptAt: t0 + 1_000,
      }),
      expect.objectContaining({
        attempt: 2,
        retryCount: 1,
        dispatchTime: t0 + 1_000,
        status: 503,
        next: 'retry',
        nextAttemptAt: t0 + 3_000,
      }),
      expect.objectContaining({
        attempt: 3,
        retryCount: 2,
        dispatchTime: t0 + 3_000,
        status: 200,
        outcome: 'succeeded',
        next: 'done',
      }),
    ]);
    expect(h.emulator.finished()).toEqual([
      expect.objectContaining({ outcome: 'succeeded', dispatchCount: 3 }),
    ]);
  });

  it('treats an unreachable target as a failed attempt', async () => {
    const t0 = h.clock.now();
    await h.client.createTask({
      parent: h.queuePath('short'),
      // Port 9 (discard) on loopback: nothing listens there.
      task: { name: h.taskPath('short', 'nowhere'), httpRequest: { url: 'http://127.0.0.1:9/x' } },
    });
    await h.advance(60_000);
    const history = h.emulator.history();
    expect(history.map((a) => a.outcome)).toEqual(Array(4).fill('unreachable'));
    expect(history.map((a) => a.dispatchTime - t0)).toEqual([0, 1_000, 3_000, 7_000]);
    expect(h.emulator.finished()).toEqual([expect.objectContaining({ outcome: 'failed', dispatchCount: 4 })]);
  });

  it('with unlimited attempts, stops once max_retry_duration has passed since the first attempt', async () => {
    h.target.respond({ status: 500 });
    await create('by-duration', 'aged');
    await h.advance(10 * 60_000);
    // Attempts at 0, 10, ..., 60 s: the one at 60 s fails with 60 s elapsed and ends it.
    expect(gaps(h.target.requests.map((r) => r.receivedAt))).toEqual([10, 10, 10, 10, 10, 10]);
    expect(h.emulator.history().at(-1)?.next).toBe('dropped');
  });

  it('with both limits, keeps retrying until both are reached', async () => {
    h.target.respond({ status: 500 });
    await create('both-limits', 'both');
    await h.advance(60_000);
    // max_attempts 2 is reached at 1 s, but 5 s must also pass: attempts at 0..5 s.
    expect(h.target.requests).toHaveLength(6);
    expect(h.emulator.finished()).toEqual([expect.objectContaining({ outcome: 'failed', dispatchCount: 6 })]);
  });
});

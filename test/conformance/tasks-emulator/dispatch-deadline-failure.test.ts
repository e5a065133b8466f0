import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { millis, useTasksEmulator } from '../../helpers/tasks.ts';

const h = useTasksEmulator({ queues: [{ name: 'slow', retryConfig: { minBackoff: 5, maxAttempts: 2 } }] });

describe('no answer within dispatch_deadline is a failed attempt', () => {
  it('the default 10-minute deadline: cancelled at exactly 10 min, retried after backoff', async () => {
    h.target.respond({ hang: true });
    const t0 = h.clock.now();
    const name = h.taskPath('slow', 'hung');
    await h.client.createTask({
      parent: h.queuePath('slow'),
      task: { name, httpRequest: { url: h.target.url() } },
    });
    await h.advance(10 * 60_000 - 1);
    expect(h.emulator.history()).toEqual([expect.objectContaining({ outcome: 'in-flight' })]);
    await h.advance(1);
    expect(h.emulator.history()[0]).toMatchObject({
      outcome: 'deadline-exceeded',
      responseTime: t0 + 10 * 60_000,
      next: 'retry',
      nextAttemptAt: t0 + 10 * 60_000 + 5_000,
    });
    // The target saw the request go away.
    expect(h.target.requests[0]?.cancelled).toBe(true);
    const [task] = await h.client.getTask({ name });
    expect(task.lastAttempt?.responseStatus?.code).toBe(status.DEADLINE_EXCEEDED);
    // No answer: not counted as a response.
    expect(task.dispatchCount).toBe(1);
    expect(task.responseCount).toBe(0);
    expect(millis(task.scheduleTime)).toBe(t0 + 10 * 60_000 + 5_000);
  });

  it('a custom deadline: an answer after it is too late, one before it counts', async () => {
    // First attempt answers after 20 s (deadline 15 s), second after 10 s.
    h.target.respond((r) => ({ status: 200, delayMs: r.index === 0 ? 20_000 : 10_000 }));
    const t0 = h.clock.now();
    await h.client.createTask({
      parent: h.queuePath('slow'),
      task: { dispatchDeadline: { seconds: 15 }, httpRequest: { url: h.target.url() } },
    });
    await h.advance(60_000);
    expect(h.emulator.history()).toEqual([
      expect.objectContaining({ outcome: 'deadline-exceeded', dispatchTime: t0, responseTime: t0 + 15_000 }),
      expect.objectContaining({ outcome: 'succeeded', dispatchTime: t0 + 20_000, responseTime: t0 + 30_000 }),
    ]);
    expect(h.target.requests[0]?.status).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { millis, timestamp, useTasksEmulator } from '../../helpers/tasks.ts';

const h = useTasksEmulator({ queues: [{ name: 'later' }] });

describe('schedule_time is honoured', () => {
  it('dispatches nothing before schedule_time and dispatches at it, to the millisecond', async () => {
    const t0 = h.clock.now();
    const at = t0 + 10 * 60_000 + 250;
    await h.client.createTask({
      parent: h.queuePath('later'),
      task: {
        scheduleTime: timestamp(at),
        httpRequest: { url: h.target.url('/deadline') },
      },
    });
    await h.advanceTo(at - 1);
    expect(h.target.requests).toHaveLength(0);
    expect(h.emulator.tasks('later')).toEqual([
      expect.objectContaining({ scheduleTime: at, dispatchCount: 0 }),
    ]);
    await h.advanceTo(at);
    expect(h.target.requests.map((r) => r.receivedAt)).toEqual([at]);
    expect(h.emulator.tasks('later')).toHaveLength(0);
  });

  it('runs a task without schedule_time, or with one in the past, right away', async () => {
    const t0 = h.clock.now();
    await h.client.createTask({
      parent: h.queuePath('later'),
      task: { httpRequest: { url: h.target.url('/a') } },
    });
    const [past] = await h.client.createTask({
      parent: h.queuePath('later'),
      task: { scheduleTime: timestamp(t0 - 3_600_000), httpRequest: { url: h.target.url('/b') } },
    });
    // "If schedule_time is not set or is in the past then Cloud Tasks will set it to the current time."
    expect(millis(past.scheduleTime)).toBe(t0);
    await h.emulator.runDueTasks();
    expect(h.target.requests.map((r) => [r.path, r.receivedAt])).toEqual([
      ['/a', t0],
      ['/b', t0],
    ]);
  });

  it('dispatches tasks in schedule order, each at its own time', async () => {
    const t0 = h.clock.now();
    for (const [path, offset] of [
      ['/third', 30_000],
      ['/first', 10_000],
      ['/second', 20_000],
    ] as const) {
      await h.client.createTask({
        parent: h.queuePath('later'),
        task: { scheduleTime: timestamp(t0 + offset), httpRequest: { url: h.target.url(path) } },
      });
    }
    await h.advance(60_000);
    expect(h.target.requests.map((r) => [r.path, r.receivedAt - t0])).toEqual([
      ['/first', 10_000],
      ['/second', 20_000],
      ['/third', 30_000],
    ]);
  });
});

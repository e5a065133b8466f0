import { describe, expect, it } from 'vitest';
import { useTasksEmulator } from '../../helpers/tasks.ts';

const h = useTasksEmulator({
  queues: [
    { name: 'narrow', rateLimits: { maxConcurrentDispatches: 2 } },
    { name: 'wide', rateLimits: { maxConcurrentDispatches: 50 } },
  ],
});

async function createMany(queue: string, n: number) {
  for (let i = 0; i < n; i++) {
    await h.client.createTask({
      parent: h.queuePath(queue),
      task: { httpRequest: { url: h.target.url(`/${queue}/${i}`) } },
    });
  }
}

describe('max_concurrent_dispatches caps attempts in flight per queue', () => {
  it('never has more than 2 requests open on a queue limited to 2', async () => {
    h.target.respond({ status: 200, delayMs: 1_000 });
    const t0 = h.clock.now();
    await createMany('narrow', 5);
    await h.settle();
    expect(h.target.held).toBe(2);
    expect(h.emulator.tasks('narrow').filter((t) => t.dispatching)).toHaveLength(2);
    await h.advance(10_000);
    expect(h.target.maxConcurrent).toBe(2);
    // Two at a time, each slot refilled as soon as an answer comes back.
    expect(h.target.requests.map((r) => r.receivedAt - t0)).toEqual([0, 0, 1_000, 1_000, 2_000]);
    expect(h.emulator.finished().filter((f) => f.outcome === 'succeeded')).toHaveLength(5);
  });

  it('lets a wider queue run them all at once', async () => {
    h.target.respond({ status: 200, delayMs: 1_000 });
    await createMany('wide', 5);
    await h.settle();
    expect(h.target.held).toBe(5);
    await h.advance(1_000);
    expect(h.target.maxConcurrent).toBe(5);
  });
});

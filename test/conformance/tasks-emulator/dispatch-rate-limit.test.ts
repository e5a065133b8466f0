import { describe, expect, it } from 'vitest';
import { useTasksEmulator } from '../../helpers/tasks.ts';

const h = useTasksEmulator({
  queues: [
    // max_burst_size is derived from the rate: 2/s -> a bucket of 1 token.
    { name: 'two-per-second', rateLimits: { maxDispatchesPerSecond: 2 } },
    { name: 'burst-of-three', rateLimits: { maxDispatchesPerSecond: 1, maxBurstSize: 3 } },
  ],
});

async function createMany(queue: string, n: number) {
  for (let i = 0; i < n; i++) {
    await h.client.createTask({
      parent: h.queuePath(queue),
      task: { httpRequest: { url: h.target.url(`/${i}`) } },
    });
  }
}

describe('max_dispatches_per_second paces dispatches through a token bucket', () => {
  it('spaces dispatches 500 ms apart at 2 per second', async () => {
    const t0 = h.clock.now();
    await createMany('two-per-second', 4);
    await h.advance(5_000);
    expect(h.target.requests.map((r) => r.receivedAt - t0)).toEqual([0, 500, 1_000, 1_500]);
  });

  it('lets a full bucket go out at once, then refills at the rate', async () => {
    const t0 = h.clock.now();
    await createMany('burst-of-three', 5);
    await h.advance(5_000);
    expect(h.target.requests.map((r) => r.receivedAt - t0)).toEqual([0, 0, 0, 1_000, 2_000]);
  });

  it('reports the derived burst size on GetQueue', async () => {
    const [queue] = await h.client.getQueue({ name: h.queuePath('two-per-second') });
    expect(queue.rateLimits?.maxBurstSize).toBe(1);
  });
});

import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { useTasksEmulator } from '../../helpers/tasks.ts';

const RETENTION_MS = 3_600_000;
const h = useTasksEmulator({
  queues: [{ name: 'dedup', retryConfig: { maxAttempts: 1 } }],
  emulator: { nameRetentionMs: RETENTION_MS },
});

const create = (taskId: string, scheduleInMs = 0) =>
  h.client.createTask({
    parent: h.queuePath('dedup'),
    task: {
      name: h.taskPath('dedup', taskId),
      scheduleTime: { seconds: Math.floor((h.clock.now() + scheduleInMs) / 1000) },
      httpRequest: { url: h.target.url() },
    },
  });

describe('task name de-duplication (ALREADY_EXISTS)', () => {
  it('rejects a second task with the name of a pending task', async () => {
    await create('pending', 60_000);
    await expect(create('pending', 60_000)).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
    expect(h.emulator.tasks('dedup')).toHaveLength(1);
  });

  it('rejects the name of a task deleted less than the retention ago, accepts it after', async () => {
    await create('deleted', 60_000);
    await h.client.deleteTask({ name: h.taskPath('dedup', 'deleted') });
    await expect(create('deleted', 60_000)).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
    await h.advance(RETENTION_MS - 1);
    await expect(create('deleted', 60_000)).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
    await h.advance(1);
    const [task] = await create('deleted', 60_000);
    expect(task.name).toBe(h.taskPath('dedup', 'deleted'));
  });

  it('rejects the name of a task that ran successfully', async () => {
    await create('completed');
    await h.settle();
    expect(h.emulator.finished()).toEqual([expect.objectContaining({ outcome: 'succeeded' })]);
    await h.advance(30 * 60_000);
    await expect(create('completed')).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
      details: expect.stringContaining('deleted or executed recently'),
    });
  });

  it('rejects the name of a task whose retries ran out', async () => {
    h.target.respond({ status: 500 });
    await create('failed');
    await h.settle();
    expect(h.emulator.finished()).toEqual([expect.objectContaining({ outcome: 'failed' })]);
    await expect(create('failed')).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
  });

  it('does not block unnamed tasks, which get fresh ids', async () => {
    const parent = h.queuePath('dedup');
    const task = {
      scheduleTime: { seconds: Math.floor(h.clock.now() / 1000) + 60 },
      httpRequest: { url: h.target.url() },
    };
    const [a] = await h.client.createTask({ parent, task });
    const [b] = await h.client.createTask({ parent, task });
    expect(a.name).not.toBe(b.name);
  });
});

import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { useTasksEmulator } from '../../helpers/tasks.ts';

const h = useTasksEmulator({ queues: [{ name: 'del', retryConfig: { maxAttempts: 2, minBackoff: 1 } }] });

const create = (taskId: string) =>
  h.client.createTask({
    parent: h.queuePath('del'),
    task: { name: h.taskPath('del', taskId), httpRequest: { url: h.target.url() } },
  });

describe('DeleteTask of a task that is no longer pending is NOT_FOUND', () => {
  it('after the task ran successfully', async () => {
    await create('ran');
    await h.settle();
    expect(h.target.requests).toHaveLength(1);
    await expect(h.client.deleteTask({ name: h.taskPath('del', 'ran') })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it('after the task failed for good', async () => {
    h.target.respond({ status: 503 });
    await create('gave-up');
    await h.advance(10_000);
    expect(h.target.requests).toHaveLength(2);
    await expect(h.client.deleteTask({ name: h.taskPath('del', 'gave-up') })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it('after it was already deleted, and for a name never used', async () => {
    h.target.respond({ status: 500 });
    await create('twice');
    await h.settle();
    // Pending between attempts: deletable once.
    await h.client.deleteTask({ name: h.taskPath('del', 'twice') });
    await expect(h.client.deleteTask({ name: h.taskPath('del', 'twice') })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    await expect(h.client.deleteTask({ name: h.taskPath('del', 'never') })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    // The deleted task's retry never goes out.
    await h.advance(60_000);
    expect(h.target.requests).toHaveLength(1);
  });
});

import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { useTasksEmulator } from '../../helpers/tasks.ts';

const h = useTasksEmulator({
  queues: [{ name: 'crud', retryConfig: { minBackoff: 5, maxAttempts: 3 } }, { name: 'plain' }],
});

const inOneMinute = () => ({ seconds: Math.floor(h.clock.now() / 1000) + 60 });

describe('CreateTask / GetTask / ListTasks / DeleteTask through the real CloudTasksClient', () => {
  it('creates a named task and reads it back; BASIC omits the body, FULL returns it', async () => {
    const name = h.taskPath('crud', 'order-1');
    const [created] = await h.client.createTask({
      parent: h.queuePath('crud'),
      task: {
        name,
        scheduleTime: inOneMinute(),
        httpRequest: { url: h.target.url('/revoke'), httpMethod: 'PUT', body: Buffer.from('{"a":1}') },
      },
    });
    expect(created.name).toBe(name);
    expect(created.view).toBe('BASIC');
    expect(created.httpRequest?.body?.length ?? 0).toBe(0);
    expect(Number(created.scheduleTime?.seconds)).toBe(h.clock.now() / 1000 + 60);
    expect(Number(created.createTime?.seconds)).toBe(h.clock.now() / 1000);
    // Default dispatch deadline for HTTP tasks: 10 minutes.
    expect(Number(created.dispatchDeadline?.seconds)).toBe(600);
    expect(created.dispatchCount).toBe(0);

    const [basic] = await h.client.getTask({ name });
    expect(basic.httpRequest?.url).toBe(h.target.url('/revoke'));
    expect(basic.httpRequest?.httpMethod).toBe('PUT');
    expect(basic.httpRequest?.body?.length ?? 0).toBe(0);
    const [full] = await h.client.getTask({ name, responseView: 'FULL' });
    expect(full.view).toBe('FULL');
    expect(Buffer.from(full.httpRequest?.body ?? '').toString()).toBe('{"a":1}');
  });

  it('generates a task id when the task has no name', async () => {
    const [created] = await h.client.createTask({
      parent: h.queuePath('crud'),
      task: { scheduleTime: inOneMinute(), httpRequest: { url: h.target.url() } },
    });
    expect(created.name).toMatch(new RegExp(`^${h.queuePath('crud')}/tasks/\\d{19}$`));
    const [again] = await h.client.getTask({ name: created.name });
    expect(again.name).toBe(created.name);
  });

  it('lists tasks page by page with next_page_token', async () => {
    const ids = ['t1', 't2', 't3', 't4', 't5'];
    for (const id of ids) {
      await h.client.createTask({
        parent: h.queuePath('crud'),
        task: {
          name: h.taskPath('crud', id),
          scheduleTime: inOneMinute(),
          httpRequest: { url: h.target.url() },
        },
      });
    }
    const seen: string[] = [];
    let pageToken = '';
    const pageSizes: number[] = [];
    do {
      const [tasks, , response] = await h.client.listTasks(
        { parent: h.queuePath('crud'), pageSize: 2, pageToken },
        { autoPaginate: false },
      );
      pageSizes.push(tasks.length);
      seen.push(...tasks.map((t) => t.name ?? ''));
      pageToken = response?.nextPageToken ?? '';
    } while (pageToken);
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(ids.map((id) => h.taskPath('crud', id)));

    const [all] = await h.client.listTasks({ parent: h.queuePath('crud') });
    expect(all.map((t) => t.name)).toEqual(seen);
  });

  it('deletes a task: it is gone for GetTask and is never dispatched', async () => {
    const name = h.taskPath('crud', 'to-delete');
    await h.client.createTask({
      parent: h.queuePath('crud'),
      task: { name, scheduleTime: inOneMinute(), httpRequest: { url: h.target.url() } },
    });
    await h.client.deleteTask({ name });
    await expect(h.client.getTask({ name })).rejects.toMatchObject({ code: status.NOT_FOUND });
    await h.advance(120_000);
    expect(h.target.requests).toHaveLength(0);
    expect(h.emulator.finished()).toEqual([expect.objectContaining({ name, outcome: 'deleted' })]);
  });

  it('fills dispatchCount, responseCount, firstAttempt and lastAttempt like the service', async () => {
    h.target.respond({ status: 404 });
    const t0 = h.clock.now();
    const name = h.taskPath('crud', 'counted');
    await h.client.createTask({
      parent: h.queuePath('crud'),
      task: { name, httpRequest: { url: h.target.url() } },
    });
    await h.settle();
    const [task] = await h.client.getTask({ name });
    expect(task.dispatchCount).toBe(1);
    expect(task.responseCount).toBe(1);
    expect(Number(task.firstAttempt?.dispatchTime?.seconds) * 1000).toBe(t0);
    expect(task.firstAttempt?.responseTime ?? null).toBeNull();
    expect(Number(task.lastAttempt?.dispatchTime?.seconds) * 1000).toBe(t0);
    expect(Number(task.lastAttempt?.responseTime?.seconds) * 1000).toBe(t0);
    expect(task.lastAttempt?.responseStatus?.code).toBe(status.NOT_FOUND);
    // The task now waits for its retry, min_backoff (5 s) later.
    expect(Number(task.scheduleTime?.seconds) * 1000).toBe(t0 + 5_000);
  });
});

describe('queue lookup through the real CloudTasksClient', () => {
  it('GetQueue reports Cloud Tasks defaults for omitted settings', async () => {
    const [queue] = await h.client.getQueue({ name: h.queuePath('plain') });
    expect(queue.state).toBe('RUNNING');
    expect(queue.retryConfig?.maxAttempts).toBe(100);
    expect(Number(queue.retryConfig?.minBackoff?.seconds ?? 0)).toBe(0);
    expect(queue.retryConfig?.minBackoff?.nanos).toBe(100_000_000);
    expect(Number(queue.retryConfig?.maxBackoff?.seconds)).toBe(3600);
    expect(queue.retryConfig?.maxDoublings).toBe(16);
    expect(queue.rateLimits).toMatchObject({
      maxDispatchesPerSecond: 500,
      maxConcurrentDispatches: 1000,
      maxBurstSize: 100,
    });
  });

  it('ListQueues lists in lexicographic order; CreateQueue adds one; a second create is ALREADY_EXISTS', async () => {
    const parent = `projects/${h.emulator.projectId}/locations/${h.emulator.location}`;
    const name = `${parent}/queues/aaa-created`;
    const [created] = await h.client.createQueue({
      parent,
      queue: { name, retryConfig: { maxAttempts: 7, minBackoff: { seconds: 2 } } },
    });
    expect(created.retryConfig?.maxAttempts).toBe(7);
    expect(Number(created.retryConfig?.minBackoff?.seconds)).toBe(2);
    const [queues] = await h.client.listQueues({ parent });
    expect(queues.map((q) => q.name)).toEqual([name, h.queuePath('crud'), h.queuePath('plain')]);
    await expect(h.client.createQueue({ parent, queue: { name } })).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
    });
  });

  it('an unknown queue is NOT_FOUND for GetQueue and CreateTask', async () => {
    await expect(h.client.getQueue({ name: h.queuePath('nope') })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    await expect(
      h.client.createTask({ parent: h.queuePath('nope'), task: { httpRequest: { url: h.target.url() } } }),
    ).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('methods the emulator does not implement answer UNIMPLEMENTED, saying so', async () => {
    await expect(h.client.pauseQueue({ name: h.queuePath('plain') })).rejects.toMatchObject({
      code: status.UNIMPLEMENTED,
      details: expect.stringContaining('not implemented by the local Cloud Tasks emulator'),
    });
    await expect(h.client.runTask({ name: h.taskPath('plain', 'x') })).rejects.toMatchObject({
      code: status.UNIMPLEMENTED,
    });
  });
});

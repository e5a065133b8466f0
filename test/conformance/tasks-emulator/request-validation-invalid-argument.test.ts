import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { useTasksEmulator } from '../../helpers/tasks.ts';

const h = useTasksEmulator({ queues: [{ name: 'valid' }, { name: 'other' }] });

const DAY_S = 86_400;
const nowS = () => h.clock.now() / 1000;
const createNamed = (name: string) =>
  h.client.createTask({ parent: h.queuePath('valid'), task: { name, httpRequest: { url: h.target.url() } } });

describe('CreateTask rejects what Cloud Tasks rejects (INVALID_ARGUMENT)', () => {
  it('task names outside projects/P/locations/L/queues/Q/tasks/ID with ID [A-Za-z0-9_-]{1,500}', async () => {
    const bad = [
      h.taskPath('valid', 'has space'),
      h.taskPath('valid', 'dot.ted'),
      h.taskPath('valid', 'slash/inside'),
      h.taskPath('valid', 'x'.repeat(501)),
      `${h.queuePath('valid')}/task/abc`,
      'abc',
    ];
    for (const name of bad) {
      await expect(createNamed(name), name).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    }
    expect(h.emulator.tasks()).toHaveLength(0);
  });

  it('accepts the longest legal id and every allowed character', async () => {
    const [a] = await createNamed(h.taskPath('valid', 'x'.repeat(500)));
    const [b] = await createNamed(h.taskPath('valid', 'Az09_-'));
    expect(a.name).toBe(h.taskPath('valid', 'x'.repeat(500)));
    expect(b.name).toBe(h.taskPath('valid', 'Az09_-'));
  });

  it('a task name in another queue than the parent', async () => {
    await expect(createNamed(h.taskPath('other', 'misplaced'))).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });

  it('a malformed parent queue name, and GetTask of a malformed name', async () => {
    await expect(
      h.client.createTask({ parent: 'projects/p/queues/q', task: { httpRequest: { url: h.target.url() } } }),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(h.client.getTask({ name: 'tasks/x' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });

  it('schedule_time more than 30 days ahead; exactly 30 days is accepted', async () => {
    const create = (seconds: number) =>
      h.client.createTask({
        parent: h.queuePath('valid'),
        task: { scheduleTime: { seconds }, httpRequest: { url: h.target.url() } },
      });
    await expect(create(nowS() + 30 * DAY_S + 1)).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('30 days'),
    });
    const [ok] = await create(nowS() + 30 * DAY_S);
    expect(Number(ok.scheduleTime?.seconds)).toBe(nowS() + 30 * DAY_S);
  });

  it('a dispatch_deadline outside [15 s, 30 min]', async () => {
    const create = (seconds: number) =>
      h.client.createTask({
        parent: h.queuePath('valid'),
        task: { dispatchDeadline: { seconds }, httpRequest: { url: h.target.url() } },
      });
    await expect(create(14)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(create(30 * 60 + 1)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    const [ok] = await create(15);
    expect(Number(ok.dispatchDeadline?.seconds)).toBe(15);
  });

  it('a body on a GET, a missing or non-http URL', async () => {
    const create = (httpRequest: object) =>
      h.client.createTask({ parent: h.queuePath('valid'), task: { httpRequest } });
    await expect(
      create({ url: h.target.url(), httpMethod: 'GET', body: Buffer.from('x') }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
    await expect(create({ url: '' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(create({ url: 'ftp://127.0.0.1/x' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });
});

import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { useTasksEmulator } from '../../helpers/tasks.ts';

/*
 * The chaos run's lost dispatch: a due task chosen by the fault leaves the
 * queue without any HTTP request, as if it had been dispatched and
 * acknowledged; its name stays taken; the others go out as usual.
 */

const h = useTasksEmulator({ queues: [{ name: 'lossy' }] });

const create = (taskId: string) =>
  h.client.createTask({
    parent: h.queuePath('lossy'),
    task: { name: h.taskPath('lossy', taskId), httpRequest: { url: h.target.url(`/${taskId}`) } },
  });

afterEach(() => h.emulator.loseDispatches(null));

describe('lost dispatches (fault injection)', () => {
  it('a lost task sends nothing, is no longer pending, is recorded as lost; the rest are dispatched', async () => {
    h.emulator.loseDispatches((task) => task.name.endsWith('/lost'));
    await create('lost');
    await create('kept');
    await h.settle();

    expect(h.target.requests.map((r) => r.path)).toEqual(['/kept']);
    expect(h.emulator.tasks('lossy')).toEqual([]);
    expect(h.emulator.finished().map((f) => [f.name.split('/').at(-1), f.outcome])).toEqual(
      expect.arrayContaining([
        ['lost', 'lost'],
        ['kept', 'succeeded'],
      ]),
    );
    expect(h.emulator.history().find((a) => a.taskId === 'lost')).toMatchObject({
      outcome: 'lost',
      next: 'dropped',
    });
    // Its name stays taken, like any finished task's.
    await expect(create('lost')).rejects.toMatchObject({ code: status.ALREADY_EXISTS });
  });

  it('switched off, nothing is lost', async () => {
    h.emulator.loseDispatches(() => true);
    h.emulator.loseDispatches(null);
    await create('after');
    await h.settle();
    expect(h.target.requests.map((r) => r.path)).toEqual(['/after']);
  });
});

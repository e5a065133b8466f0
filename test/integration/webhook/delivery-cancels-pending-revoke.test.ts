import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { policies } from '../../../shared/lifecycle/policy.ts';
import { taskId } from '../../../shared/tasks/names.ts';
import { useTimeSource } from '../../../shared/time/now.ts';
import { postSigned, serverEvent, userEvent } from '../../helpers/rbm-events.ts';
import { useTasksEmulator } from '../../helpers/tasks.ts';
import { clientToken, registeredMessage, saveMessage, useWebhook } from '../../helpers/webhook-fixture.ts';

// The emulator and the function share one manual clock: nothing fires unless the test moves it.
const tasks = useTasksEmulator({
  queues: [{ name: 'rbm-revoke' }, { name: 'rbm-fallback' }],
  start: Date.now(),
  emulator: { location: 'us-central1', projectId: 'tasks-project' },
});
beforeAll(() => useTimeSource(tasks.clock));
const webhook = useWebhook({
  projectId: 'tasks-project',
  env: () => ({ TASKS_EMULATOR_HOST: `${tasks.emulator.host}:${tasks.emulator.port}` }),
});
const send = (payload: object) => postSigned(webhook.url, clientToken, payload);

/** Registers a message the way `messages` does: a revoke task (sequence 0) at the deadline. */
async function registerWithRevokeTask(messageId: string) {
  const name = tasks.taskPath('rbm-revoke', taskId(messageId, 'revoke'));
  await tasks.client.createTask({
    parent: tasks.queuePath('rbm-revoke'),
    task: {
      name,
      scheduleTime: { seconds: Math.floor(tasks.clock.now() / 1000) + 86_400 },
      httpRequest: { url: tasks.target.url('/revoke'), httpMethod: 'POST' },
    },
  });
  await saveMessage(webhook.fs.db, registeredMessage(messageId));
  return name;
}

describe('delivery cancels the pending revocation task', () => {
  it('DELIVERED deletes the scheduled revoke task', async () => {
    const id = randomUUID();
    const name = await registerWithRevokeTask(id);
    expect(tasks.emulator.tasks('rbm-revoke').map((t) => t.name)).toEqual([name]);
    expect((await send(userEvent('DELIVERED', { messageId: id }))).status).toBe(200);
    expect(tasks.emulator.tasks('rbm-revoke')).toEqual([]);
    await expect(tasks.client.getTask({ name })).rejects.toMatchObject({ code: 5 });
  });

  it('READ first also cancels it, and a task already gone is fine', async () => {
    const id = randomUUID();
    const name = await registerWithRevokeTask(id);
    await tasks.client.deleteTask({ name });
    expect((await send(userEvent('READ', { messageId: id }))).status).toBe(200);
    const doc = await webhook.fs.db.collection('messages').doc(id).get();
    expect(doc.get('status')).toBe('read');
  });
});

describe('platform expiry hands over to the revoke and fallback functions', () => {
  it('TTL_EXPIRATION_REVOKED schedules the fallback task (deterministic name) and cancels the revoke', async () => {
    const id = randomUUID();
    await registerWithRevokeTask(id);
    await send(serverEvent('TTL_EXPIRATION_REVOKED', id));
    expect(tasks.emulator.tasks('rbm-revoke')).toEqual([]);
    const fallback = tasks.emulator.tasks('rbm-fallback');
    expect(fallback.map((t) => t.taskId)).toEqual([taskId(id, 'fallback')]);
    expect(fallback[0]!.url).toBe('http://127.0.0.1:9/fallback');
  });

  it('TTL_EXPIRATION_REVOKE_FAILED with no DELIVERED schedules a revoke now', async () => {
    const id = randomUUID();
    await saveMessage(webhook.fs.db, registeredMessage(id));
    await send(serverEvent('TTL_EXPIRATION_REVOKE_FAILED', id));
    expect(tasks.emulator.tasks('rbm-revoke').map((t) => t.taskId)).toEqual([taskId(id, 'expired')]);
  });

  it('a TTL notice with a status Google does not document is inconclusive: on the timeline; an OTP revokes and falls back now', async () => {
    const id = randomUUID();
    await saveMessage(webhook.fs.db, registeredMessage(id, { policy: policies.otp }));
    const event = serverEvent('TTL_EXPIRATION_SOMETHING_NEW', id);
    expect((await send(event)).status).toBe(200);
    expect(tasks.emulator.tasks('rbm-revoke').map((t) => t.taskId)).toEqual([taskId(id, 'expired')]);
    expect(tasks.emulator.tasks('rbm-fallback').map((t) => t.taskId)).toEqual([taskId(id, 'fallback')]);
    const doc = webhook.fs.db.collection('messages').doc(id);
    expect((await doc.get()).get('status')).toBe('sms_pending');
    const stored = await doc.collection('events').doc(event.eventId).get();
    expect(stored.data()).toMatchObject({
      type: 'TTL_INCONCLUSIVE',
      payload: { eventType: 'TTL_EXPIRATION_SOMETHING_NEW' },
    });
    expect((await webhook.fs.db.collection('unknownEvents').get()).size).toBe(0);
  });
});

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliverTask, providers, useFallbackRig } from './setup.ts';

// Cloud Tasks retries anything but 2xx: a task that can never succeed must get a 2xx, or it retries forever.
const rig = useFallbackRig();

describe.each(providers)('tasks the fallback cannot act on (%s)', (provider) => {
  it('a malformed body is answered 200 and dropped', async () => {
    const answer = await deliverTask(rig.url(provider), 'x', { body: { step: 'fallback' } });
    expect(answer.status).toBe(200);
    expect(answer.body.outcome).toBe('dropped');
    expect(answer.body.reason).toMatch(/messageId/);
  });

  it('a task for another step is answered 200 and dropped', async () => {
    const answer = await deliverTask(rig.url(provider), 'x', {
      body: { step: 'revoke', messageId: randomUUID(), sequence: 0 },
    });
    expect(answer).toMatchObject({ status: 200, body: { outcome: 'dropped' } });
  });

  it('a task for a message that does not exist is answered 200 and writes nothing', async () => {
    const messageId = randomUUID();
    const answer = await deliverTask(rig.url(provider), messageId);
    expect(answer).toMatchObject({ status: 200, body: { outcome: 'skipped', reason: 'no such message' } });
    expect((await rig.fs.db.collection('messages').doc(messageId).get()).exists).toBe(false);
  });

  it('anything but POST is refused with 405', async () => {
    expect((await deliverTask(rig.url(provider), 'x', { method: 'GET' })).status).toBe(405);
  });
});

import { describe, expect, it } from 'vitest';
import { queueShard, shardQueueName, taskId } from '../../../shared/tasks/names.ts';
import { expectConsistentWithTruth, otpRequest, promoRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * QUEUE_SHARDS = 3: every kind of task is spread over three queues
 * (rbm-revoke, rbm-revoke-1, rbm-revoke-2; the same for rbm-fallback) by a
 * hash of the message id. All of a message's tasks go to its one shard, so
 * the webhook's cancel finds the revoke task where it was created, and a
 * repeated create still collapses into ALREADY_EXISTS in that queue.
 */

const shards = 3;
const online = { rcs: true, offline: [], latency: { median: 2_000, spread: 0 }, neverReads: true };
const h = useStack({ queueShards: shards });

const queueIdOf = (queue: string) => queue.split('/').pop()!;

describe('queue shards', () => {
  it("spreads messages over every shard, each message's tasks in its own", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 24; i += 1) {
      const phone = `+1415555${String(1200 + i).padStart(4, '0')}`;
      h.stack.rbm.setPhone(phone, { rcs: true, offline: [{ forMs: 3 * 3_600_000 }] });
      ids.push(await sendOk(h, promoRequest(phone)));
    }
    const pending = h.stack.tasks.tasks();
    expect(pending).toHaveLength(ids.length);
    expect(new Set(pending.map((task) => queueIdOf(task.queue))).size).toBe(shards);

    await h.advance(2 * 3_600_000);
    const attempts = h.stack.tasks.history();
    for (const id of ids) {
      const { message, smsCount } = await expectConsistentWithTruth(h, id);
      expect(message.status).toBe('sms_sent');
      expect(smsCount).toBe(1);
      const shard = queueShard(id, shards);
      const own = attempts.filter((a) => a.taskId.startsWith(taskPrefix(id)));
      // revoke, confirm and fallback, each in the message's shard of its kind
      expect(own.length).toBeGreaterThanOrEqual(3);
      for (const attempt of own) {
        const kind = attempt.taskId.includes('-fallback-') ? 'rbm-fallback' : 'rbm-revoke';
        expect(queueIdOf(attempt.queue), attempt.taskId).toBe(shardQueueName(kind, shard));
      }
    }
  });

  it('a DELIVERED cancels the revoke task in its shard', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const phone = `+1415555${String(1300 + i).padStart(4, '0')}`;
      h.stack.rbm.setPhone(phone, online);
      ids.push(await sendOk(h, otpRequest(phone)));
    }
    await h.advance(30 * 60_000);
    for (const id of ids) {
      const { message, truth, smsCount } = await expectConsistentWithTruth(h, id);
      expect(message.status).toBe('delivered');
      expect(truth?.revokeAttempts).toEqual([]);
      expect(smsCount).toBe(0);
    }
    expect(h.stack.tasks.tasks()).toEqual([]);
    // Cancelled, not dispatched: no revoke attempt of these messages reached a target.
    const dispatched = h.stack.tasks
      .history()
      .filter((a) => ids.some((id) => a.taskId.startsWith(taskPrefix(id))));
    expect(dispatched).toEqual([]);
  });
});

/** Every task id of a message starts with the hash of its id (shared/tasks/names.ts). */
function taskPrefix(messageId: string): string {
  return `${taskId(messageId, 'revoke').split('-')[0]}-`;
}

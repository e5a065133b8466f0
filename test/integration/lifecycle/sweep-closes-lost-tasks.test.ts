import { describe, expect, it } from 'vitest';
import { taskId } from '../../../shared/tasks/names.ts';
import { expectConsistentWithTruth, otpRequest, promoRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

// Law 6: terminal by deadline + bound even when a task is lost. Bound 5 minutes, sweep every minute.
const boundMs = 5 * 60_000;
const h = useStack({ sweepBoundSeconds: boundMs / 1000, sweepEveryMs: 60_000 });
const offline = { rcs: true, offline: [{ forMs: 24 * 3_600_000 }] };

describe('the sweep re-drives what a lost task left undone', () => {
  it('the deadline revoke task is lost: the sweep revokes within the bound, one SMS', async () => {
    const phone = '+14155550701';
    h.stack.rbm.setPhone(phone, offline);
    const id = await sendOk(h, otpRequest(phone));
    const lost = `${h.stack.tasks.queuePath('rbm-revoke')}/tasks/${taskId(id, 'revoke', 0)}`;
    const { CloudTasksClient } = await import('@google-cloud/tasks');
    const client = new CloudTasksClient(h.stack.tasks.clientOptions());
    await client.deleteTask({ name: lost });
    await client.close();

    await h.advance(10 * 60_000 + boundMs + 2 * 60_000); // deadline + bound + two sweep ticks
    const { message, view } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('sms_sent');
    expect(message.redrives).toBe(1);
    const types = view.timeline.map((e: { type: string }) => e.type);
    expect(types).toContain('SWEEP_REDRIVE');
    const smsAt = new Date(message.fallback.sentAt).getTime();
    expect(smsAt).toBeLessThanOrEqual(new Date(message.deadline).getTime() + boundMs + 2 * 60_000);
  });

  it('the confirm task is lost after a 200: the sweep confirms, then the SMS goes', async () => {
    const phone = '+14155550702';
    h.stack.rbm.setPhone(phone, offline);
    const id = await sendOk(h, promoRequest(phone, { revokeAfter: '10m' }));
    await h.advance(10 * 60_000 + 1_000); // the revoke ran and scheduled its confirm
    const confirm = h.stack.tasks.tasks('rbm-revoke').find((t) => t.taskId === taskId(id, 'confirm', 1));
    expect(confirm).toBeDefined();
    const { CloudTasksClient } = await import('@google-cloud/tasks');
    const client = new CloudTasksClient(h.stack.tasks.clientOptions());
    await client.deleteTask({ name: confirm!.name });
    await client.close();

    await h.advance(2 * 60_000 + boundMs + 2 * 60_000); // grace + bound + two sweep ticks
    const { message } = await expectConsistentWithTruth(h, id);
    expect(message.revocation.state).toBe('confirmed');
    expect(message.status).toBe('sms_sent');
    expect(message.redrives).toBe(1);
  });

  it('the re-revoke after a 404 cannot be scheduled (its name is taken): the sweep re-revokes under a fresh name', async () => {
    const phone = '+14155550703';
    h.stack.rbm.setPhone(phone, {
      rcs: true,
      offline: [{ forMs: 24 * 3_600_000 }],
      racesRevoke: { answer: 404, deliveredAfterMs: null, times: 1 },
    });
    const id = await sendOk(h, promoRequest(phone, { revokeAfter: '10m' }));
    // A task of that name existed and is gone (lost after its retries, say): Cloud Tasks keeps
    // the name taken, so the confirm step's "revoke again" is refused as ALREADY_EXISTS.
    const queue = h.stack.tasks.queuePath('rbm-revoke');
    const { CloudTasksClient } = await import('@google-cloud/tasks');
    const client = new CloudTasksClient(h.stack.tasks.clientOptions());
    const taken = `${queue}/tasks/${taskId(id, 'again', 1)}`;
    const later = { seconds: Math.floor(h.clock.now() / 1000) + 86_400 };
    await client.createTask({
      parent: queue,
      task: { name: taken, scheduleTime: later, httpRequest: { url: h.stack.functions.urls.revoke } },
    });
    await client.deleteTask({ name: taken });
    await client.close();

    await h.advance(10 * 60_000 + 2 * 60_000 + boundMs + 3 * 60_000 + 2 * 60_000); // deadline, grace, bound, sweeps, grace
    const { message, truth } = await expectConsistentWithTruth(h, id);
    expect(truth?.revokeAttempts.map((a) => a.answer)).toEqual([404, 200]);
    expect(message.revocation).toMatchObject({ state: 'confirmed', round: 2 });
    expect(message.status).toBe('sms_sent');
    expect(message.redrives).toBe(1);
  });

  it('with nothing overdue, a sweep re-drives nothing', async () => {
    const response = await fetch(h.stack.functions.urls.sweep, { method: 'POST' });
    expect(await response.json()).toEqual({ overdue: 0, redriven: 0, failed: 0 });
  });
});

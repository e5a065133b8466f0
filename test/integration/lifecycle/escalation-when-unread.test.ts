import { describe, expect, it } from 'vitest';
import { readReport } from '../../../shared/report/read.ts';
import { taskId } from '../../../shared/tasks/names.ts';
import { expectConsistentWithTruth, otpRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

// Escalation when not read (docs/escalation.md): a message delivered and not READ within
// `unreadAfter` gets one SMS nudge, through the sandbox's phones and the SMS sandbox, each
// scenario ending in the ground truth. Sweep every minute, bound 5 minutes, as for lost tasks.
const boundMs = 5 * 60_000;
const h = useStack({ sweepBoundSeconds: boundMs / 1000, sweepEveryMs: 60_000 });

const minute = 60_000;
const nudgeText = 'You have an unread message from us: your code is 482913';
/** Online, delivered within a second; reads (or not) as each scenario says. */
const online = (rules: Record<string, unknown> = {}) => ({
  rcs: true,
  offline: [],
  latency: 500,
  ...rules,
});
/** An OTP that nudges after 10 minutes unread; its deadline (30 min) is not what ends it. */
const nudged = (phone: string, extra: Record<string, unknown> = {}) =>
  otpRequest(phone, { revokeAfter: '30m', escalation: { unreadAfter: '10m', text: nudgeText }, ...extra });

const types = (view: { timeline: Array<{ type: string }> }) => view.timeline.map((e) => e.type);
const texts = (phone: string) => h.stack.sms.sent(phone).map((s) => s.text);

async function deliverEscalateTask(messageId: string, retryCount = 0) {
  const response = await fetch(h.stack.functions.urls.fallback, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-cloudtasks-taskretrycount': String(retryCount),
    },
    body: JSON.stringify({ step: 'escalate', messageId, sequence: 0 }),
  });
  return { status: response.status, body: await response.json() };
}

describe('escalation when not read', () => {
  it('delivered and read before the delay: no nudge, the escalation is skipped', async () => {
    const phone = '+14155550901';
    h.stack.rbm.setPhone(phone, online({ read: { probability: 1, delay: 2 * minute } }));
    const id = await sendOk(h, nudged(phone));

    await h.advance(40 * minute);
    const { message, view, truth } = await expectConsistentWithTruth(h, id);
    expect(truth?.readAt).not.toBeNull();
    expect(message.status).toBe('read');
    expect(message.escalation).toMatchObject({ state: 'skipped', reason: 'READ before the nudge was due' });
    expect(types(view)).toEqual(expect.arrayContaining(['ESCALATION_SCHEDULED', 'ESCALATION_SKIPPED_READ']));
    expect(types(view)).not.toContain('ESCALATION_SENT');
    expect(texts(phone)).toEqual([]);
    // The task was cancelled; a late delivery of it is a no-op.
    expect((await deliverEscalateTask(id)).body.outcome).toBe('skipped');
    expect(texts(phone)).toEqual([]);
  });

  it('delivered and not read: one nudge at deliveredAt + delay, even when the task is delivered again and again', async () => {
    const phone = '+14155550902';
    h.stack.rbm.setPhone(phone, online({ neverReads: true }));
    const id = await sendOk(h, nudged(phone));

    await h.advance(9 * minute);
    expect(texts(phone)).toEqual([]);
    const due = (await h.view(id)).message.escalation;
    expect(due.state).toBe('pending');
    const truth = h.stack.rbm.truth.message(id)!;
    expect(new Date(due.at).getTime()).toBe(truth.deliveredAt! + 10 * minute);

    await h.advance(2 * minute);
    // Cloud Tasks may deliver a task more than once, and at the same time.
    const again = await Promise.all([1, 2, 3, 4].map((n) => deliverEscalateTask(id, n)));
    for (const answer of again) expect(answer.status).toBe(200);
    await h.advance(30 * minute);

    const { message, view } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('delivered');
    expect(message.escalation).toMatchObject({ state: 'sent', attempts: 1, provider: 'http' });
    expect(message.escalation.text).toBeUndefined();
    expect(message.fallback.state).toBe('skipped');
    expect(types(view)).toEqual(
      expect.arrayContaining(['ESCALATION_SCHEDULED', 'ESCALATION_ATTEMPT', 'ESCALATION_SENT']),
    );
    expect(texts(phone)).toEqual([nudgeText]);
    const sentAt = new Date(message.escalation.sentAt).getTime();
    expect(sentAt).toBeGreaterThanOrEqual(truth.deliveredAt! + 10 * minute);
    expect(sentAt).toBeLessThan(truth.deliveredAt! + 11 * minute);
  });

  it('READ after the nudge: the report counts the message escalated and read after the nudge', async () => {
    const phone = '+14155550903';
    h.stack.rbm.setPhone(phone, online({ read: { probability: 1, delay: 15 * minute } }));
    const id = await sendOk(h, nudged(phone, { labels: { kind: 'otp', case: 'read-after-nudge' } }));

    await h.advance(40 * minute);
    const { message, truth } = await expectConsistentWithTruth(h, id);
    expect(truth?.readAt).not.toBeNull();
    expect(message.status).toBe('read');
    expect(message.escalation).toMatchObject({ state: 'sent', readAfterNudge: true });
    expect(texts(phone)).toEqual([nudgeText]);

    const report = await readReport(h.stack.db, { groups: [{ by: 'label', key: 'case' }] });
    const group = report.groups[0]!.values.find((v) => v.value === 'read-after-nudge')!;
    expect(group.escalation).toEqual({ sent: 1, failed: 0, readAfterNudge: 1, readAfterNudgeRate: 1 });
  });

  it('a user who turned read receipts off reads it and is nudged all the same (no READ ever comes)', async () => {
    const phone = '+14155550904';
    h.stack.rbm.setPhone(phone, online({ readReceipts: false, read: { probability: 1, delay: 1 * minute } }));
    const id = await sendOk(h, nudged(phone));

    await h.advance(40 * minute);
    const { message, truth } = await expectConsistentWithTruth(h, id);
    // The phone's truth: read a minute after delivery, never reported.
    expect(truth?.readAt).toBe(truth!.deliveredAt! + minute);
    expect(truth?.readReported).toBe(false);
    expect(message.readAt).toBeUndefined();
    expect(message.status).toBe('delivered');
    expect(message.escalation.state).toBe('sent');
    expect(texts(phone)).toEqual([nudgeText]);
  });

  it('escalation false turns off the policy escalation; the same policy without it nudges with the fallback text', async () => {
    const policy = { fallbackWhenUncertain: true, escalateUnreadAfterSeconds: 600 };
    const off = '+14155550905';
    const on = '+14155550906';
    for (const phone of [off, on]) h.stack.rbm.setPhone(phone, online({ neverReads: true }));
    const offId = await sendOk(h, otpRequest(off, { revokeAfter: '30m', policy, escalation: false }));
    const onId = await sendOk(h, otpRequest(on, { revokeAfter: '30m', policy }));

    await h.advance(40 * minute);
    const quiet = await expectConsistentWithTruth(h, offId);
    expect(quiet.message.escalation).toBeUndefined();
    expect(types(quiet.view).filter((t) => t.startsWith('ESCALATION'))).toEqual([]);
    expect(texts(off)).toEqual([]);

    const loud = await expectConsistentWithTruth(h, onId);
    expect(loud.message.escalation).toMatchObject({ state: 'sent', unreadAfterMs: 600_000 });
    expect(texts(on)).toEqual(['Your code is 482913']);
  });

  it('the escalation task is lost: the sweep re-drives it within the bound, one nudge', async () => {
    const phone = '+14155550907';
    h.stack.rbm.setPhone(phone, online({ neverReads: true }));
    const id = await sendOk(h, nudged(phone));
    await h.advance(minute);
    const task = h.stack.tasks.tasks('rbm-fallback').find((t) => t.taskId === taskId(id, 'escalate', 0));
    expect(task).toBeDefined();
    const { CloudTasksClient } = await import('@google-cloud/tasks');
    const client = new CloudTasksClient(h.stack.tasks.clientOptions());
    await client.deleteTask({ name: task!.name });
    await client.close();

    await h.advance(10 * minute + 30_000);
    expect(texts(phone)).toEqual([]);
    await h.advance(boundMs + 2 * minute); // the bound and two sweep ticks
    const { message, view, truth } = await expectConsistentWithTruth(h, id);
    expect(message.redrives).toBe(1);
    expect(view.timeline).toContainEqual(
      expect.objectContaining({ type: 'SWEEP_REDRIVE', step: 'escalate' }),
    );
    expect(message.escalation.state).toBe('sent');
    expect(new Date(message.escalation.sentAt).getTime()).toBeLessThanOrEqual(
      truth!.deliveredAt! + 10 * minute + boundMs + 2 * minute,
    );
    expect(texts(phone)).toEqual([nudgeText]);
  });

  it('refuses an incomplete escalation with a 400 naming the field, and writes nothing', async () => {
    const phone = '+14155550908';
    const bad = await h.send(otpRequest(phone, { escalation: { unreadAfter: 'soon' } }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['escalation.unreadAfter']);
    const noDelay = await h.send(otpRequest(phone, { escalation: { text: 'hi' } }));
    expect(noDelay.status).toBe(400);
    expect(noDelay.body.errors).toEqual([
      { field: 'escalation.unreadAfter', reason: 'required: the policy sets no escalateUnreadAfterSeconds' },
    ]);
    const { sms: _sms, ...withoutSms } = otpRequest(phone, { escalation: { unreadAfter: '10m' } });
    const noText = await h.send(withoutSms);
    expect(noText.status).toBe(400);
    expect(noText.body.errors.map((e: { field: string }) => e.field)).toEqual(['escalation.text']);
    expect(h.stack.rbm.truth.messagesTo(phone)).toEqual([]);
  });
});

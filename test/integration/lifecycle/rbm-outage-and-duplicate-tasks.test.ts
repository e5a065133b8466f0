import { describe, expect, it } from 'vitest';
import { taskId } from '../../../shared/tasks/names.ts';
import { expectConsistentWithTruth, otpRequest, promoRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

const h = useStack();
const offline = { rcs: true, offline: [{ forMs: 24 * 3_600_000 }] };

describe('RBM 5xx storm', () => {
  it('revoke answers 503 three times: Cloud Tasks retries with backoff, the fourth try revokes, one SMS', async () => {
    const phone = '+14155550501';
    h.stack.rbm.setPhone(phone, offline);
    const id = await sendOk(h, promoRequest(phone));
    h.stack.rbm.setFaults([{ endpoint: 'revoke', kind: 'error', status: 503, times: 3 }]);
    await h.advance(3 * 3_600_000);
    const { message, truth, smsCount, view } = await expectConsistentWithTruth(h, id);
    const attempts = view.timeline.filter((e: { type: string }) => e.type === 'REVOKE_ATTEMPT');
    expect(attempts.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([503, 503, 503, 200]);
    expect(truth?.revokeAttempts.map((a) => a.answer)).toEqual([200]);
    expect(message).toMatchObject({ status: 'sms_sent', revocation: { state: 'confirmed', attempts: 4 } });
    expect(smsCount).toBe(1);
  });

  it('the outage outlasts the retry budget: recorded failed; otp still falls back, promo does not', async () => {
    for (const [request, phone, status, sms] of [
      [otpRequest, '+14155550502', 'sms_sent', 1],
      [promoRequest, '+14155550503', 'failed', 0],
    ] as const) {
      h.stack.rbm.setPhone(phone, offline);
      const id = await sendOk(h, request(phone));
      h.stack.rbm.setFaults([{ endpoint: 'revoke', kind: 'error', status: 503 }]);
      await h.advance(3 * 3_600_000);
      h.stack.rbm.setFaults([]);
      const { message, smsCount } = await expectConsistentWithTruth(h, id);
      expect(message.revocation).toMatchObject({ state: 'failed', attempts: 10 });
      expect(message.revocation.reason).toMatch(/retry budget/);
      expect(message.status).toBe(status);
      expect(smsCount).toBe(sms);
    }
  });
});

describe('duplicate task deliveries (Cloud Tasks is at least once)', () => {
  it('the same revoke task delivered three times at once makes one DELETE and one SMS', async () => {
    const phone = '+14155550504';
    h.stack.rbm.setPhone(phone, offline);
    const id = await sendOk(h, otpRequest(phone));
    // Deliver the deadline task's request by hand three times at once, right at the deadline,
    // racing the emulator's own delivery of the same task: four deliveries in all.
    const name = `${h.stack.tasks.queuePath('rbm-revoke')}/tasks/${taskId(id, 'revoke', 0)}`;
    const pending = h.stack.tasks.tasks('rbm-revoke').find((t) => t.name === name);
    expect(pending).toBeDefined();
    await h.advance(10 * 60_000 - 1);
    const deliver = () =>
      fetch(h.stack.functions.urls.revoke, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-cloudtasks-taskname': taskId(id, 'revoke', 0) },
        body: JSON.stringify({ step: 'revoke', messageId: id, sequence: 0 }),
      }).then((r) => r.status);
    await h.advance(1);
    const statuses = await Promise.all([deliver(), deliver(), deliver()]);
    await h.advance(2 * 3_600_000);
    const { message, truth, smsCount } = await expectConsistentWithTruth(h, id);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(truth?.revokeAttempts).toHaveLength(1);
    expect(message.revocation.attempts).toBe(1);
    expect(smsCount).toBe(1);
  });
});

import { expect, it } from 'vitest';
import { expectConsistentWithTruth, otpRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

// No sweep: 90 days of minute ticks would only slow the clock down; this file is about re-arming.
const h = useStack({ sweepEveryMs: null });

it('a deadline 90 days out is reached through re-armed tasks (Cloud Tasks schedules at most 30 days ahead)', async () => {
  const phone = '+14155550401';
  h.stack.rbm.setPhone(phone, { rcs: true, offline: [{ forMs: 120 * 24 * 3_600_000 }] });
  const start = h.clock.now();
  const id = await sendOk(h, otpRequest(phone, { revokeAfter: '90d' }));
  const [armed] = h.stack.tasks.tasks('rbm-revoke');
  expect(armed!.scheduleTime - start).toBeLessThanOrEqual(30 * 24 * 3_600_000);

  await h.advance(89 * 24 * 3_600_000);
  let view = await h.view(id);
  expect(view.message.revocation.attempts).toBe(0);
  // Legs of at most 30 days less an hour's margin: re-armed near day 30 and day 60 so far.
  expect(view.timeline.filter((e: { type: string }) => e.type === 'REVOKE_REARMED')).toHaveLength(2);

  await h.advance(2 * 24 * 3_600_000);
  const { message, truth, smsCount } = await expectConsistentWithTruth(h, id);
  view = await h.view(id);
  expect(view.timeline.filter((e: { type: string }) => e.type === 'REVOKE_REARMED')).toHaveLength(3);
  const firstCall = view.timeline.find((e: { type: string }) => e.type === 'REVOKE_ATTEMPT');
  expect(new Date(firstCall.at).getTime()).toBeGreaterThanOrEqual(start + 90 * 24 * 3_600_000);
  // The platform keeps an undelivered message 30 days (docs/rbm-platform.md#send): by day 90 it is gone, the
  // revoke answers 404, and the time-critical policy falls back once delivery stays unconfirmed.
  expect(truth?.revokeAttempts.every((a) => a.answer === 404)).toBe(true);
  expect(message.status).toBe('sms_sent');
  expect(smsCount).toBe(1);
});

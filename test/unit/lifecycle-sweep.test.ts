import { describe, expect, it } from 'vitest';
import { policies } from '../../shared/lifecycle/policy.ts';
import { refreshDerived } from '../../shared/lifecycle/status.ts';
import { redrive, stuckStep } from '../../shared/lifecycle/sweep.ts';
import type { Fallback, Message, Revocation } from '../../shared/lifecycle/types.ts';

const t = (seconds: number) => new Date(Date.UTC(2026, 11, 2, 9, 0, 0) + seconds * 1000);
const bound = 300_000;

function message(
  revocation: Partial<Revocation> = {},
  fallback: Partial<Fallback> = {},
  extra: Partial<Message> = {},
) {
  return refreshDerived({
    messageId: 'm-1',
    agentId: 'agent',
    phoneNumber: '+14155550123',
    tracked: true,
    status: 'pending',
    policy: policies.promo,
    labels: {},
    createdAt: t(0),
    deadline: t(600),
    revocation: { state: 'none', attempts: 0, round: 0, answeredRound: 0, taskSequence: 0, ...revocation },
    fallback: { state: 'none', enabled: true, ...fallback },
    duplicateDelivery: false,
    lateDelivery: false,
    updatedAt: t(0),
    ...extra,
  });
}

describe('the step a stuck message is waiting for', () => {
  it('a message whose deadline task went missing: the revoke of its current deadline task', () => {
    expect(stuckStep(message({ taskSequence: 2 }))).toEqual({ step: 'revoke', sequence: 2 });
  });

  it('a revoke answered 200 whose confirm went missing: confirm that round', () => {
    const stuck = message({ state: 'requested', attempts: 1, round: 1, answeredRound: 1, lastAt: t(600) });
    expect(stuckStep(stuck)).toEqual({ step: 'confirm', sequence: 1 });
  });

  it('a 404 with rounds left: the re-revoke itself, not the confirm that would schedule it under a taken name', () => {
    const stuck = message({ state: 'not_found', attempts: 1, round: 1, answeredRound: 1, lastAt: t(600) });
    expect(stuckStep(stuck)).toEqual({ step: 'again', sequence: 1 });
  });

  it('a 404 in the last round: the confirm, which ends the revocation', () => {
    const last = policies.promo.maxRevokeAttempts;
    const stuck = message({
      state: 'not_found',
      attempts: last,
      round: last,
      answeredRound: last,
      lastAt: t(900),
    });
    expect(stuckStep(stuck)).toEqual({ step: 'confirm', sequence: last });
  });

  it('a re-revoke round started but never answered: that round again', () => {
    const stuck = message({ state: 'not_found', attempts: 2, round: 2, answeredRound: 1, lastAt: t(700) });
    expect(stuckStep(stuck)).toEqual({ step: 'again', sequence: 1 });
  });

  it('a pending SMS: the fallback, whatever the revocation', () => {
    const stuck = message(
      { state: 'confirmed', round: 1, answeredRound: 1 },
      { state: 'pending', text: 'hi' },
    );
    expect(stuckStep(stuck)).toEqual({ step: 'fallback', sequence: 0 });
  });

  it('nothing for settled, untracked or not-due messages', () => {
    expect(stuckStep(message({}, {}, { deliveredAt: t(30) }))).toBeUndefined();
    expect(
      stuckStep(message({ state: 'confirmed', round: 1, answeredRound: 1 }, { state: 'sent' })),
    ).toBeUndefined();
    expect(stuckStep(message({}, {}, { tracked: false }))).toBeUndefined();
    const noDue = message();
    delete noDue.dueAt;
    expect(stuckStep(noDue)).toBeUndefined();
  });
});

describe('re-driving a stuck message', () => {
  it('waits until the message is the bound past due', () => {
    const stuck = message();
    expect(stuck.dueAt).toEqual(t(600));
    expect(redrive(stuck, t(600 + 299), bound)).toBeUndefined();
    expect(redrive(stuck, t(600 + 300), bound)).toBeDefined();
  });

  it('schedules the stuck step now under a fresh name and holds the message for a bound', () => {
    const planned = redrive(message({}, {}, { redrives: 1 }), t(1_000), bound)!;
    expect(planned.effects).toEqual([
      { kind: 'schedule', step: 'revoke', sequence: 0, at: t(1_000), redrive: 2 },
    ]);
    expect(planned.message.redrives).toBe(2);
    expect(planned.message.sweepHoldUntil).toEqual(t(1_300));
    expect(planned.message.dueAt).toEqual(t(1_300));
    // The next sweeps do not pile up a second task until the hold is itself a bound past.
    expect(redrive(planned.message, t(1_599), bound)).toBeUndefined();
  });

  it('leaves the message it was given unchanged and does not mark a change of the facts', () => {
    const stuck = message();
    const before = structuredClone(stuck);
    const planned = redrive(stuck, t(1_000), bound)!;
    expect(stuck).toEqual(before);
    expect(planned.message.updatedAt).toEqual(stuck.updatedAt);
  });

  it('re-drives nothing that is settled, however late', () => {
    expect(redrive(message({}, {}, { deliveredAt: t(30) }), t(100_000), bound)).toBeUndefined();
  });
});

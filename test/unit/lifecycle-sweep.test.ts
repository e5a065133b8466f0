import { describe, expect, it } from 'vitest';
import { customPolicy, policies } from '../../shared/lifecycle/policy.ts';
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

  it('a 404 under a one-round policy: the confirm, as in the last round', () => {
    const stuck = message(
      { state: 'not_found', attempts: 1, round: 1, answeredRound: 1, lastAt: t(600) },
      {},
      { policy: customPolicy({ maxRevokeAttempts: 1 }) },
    );
    expect(stuckStep(stuck)).toEqual({ step: 'confirm', sequence: 1 });
  });

  it('a 404 on a message stored without a policy: one round, so the confirm', () => {
    const stuck = message({ state: 'not_found', attempts: 1, round: 1, answeredRound: 1, lastAt: t(600) });
    delete stuck.policy;
    expect(stuckStep(stuck)).toEqual({ step: 'confirm', sequence: 1 });
  });

  it('a first DELETE that died in flight: the revoke of the deadline task, which finds round 1 unanswered', () => {
    const stuck = message({ attempts: 1, round: 1, inFlightUntil: t(660) });
    expect(stuck.dueAt).toEqual(t(660));
    expect(stuckStep(stuck)).toEqual({ step: 'revoke', sequence: 0 });
  });

  it('nothing for settled or not-due messages', () => {
    expect(stuckStep(message({}, {}, { deliveredAt: t(30) }))).toBeUndefined();
    expect(
      stuckStep(message({ state: 'confirmed', round: 1, answeredRound: 1 }, { state: 'sent' })),
    ).toBeUndefined();
    const noDue = message();
    delete noDue.dueAt;
    expect(stuckStep(noDue)).toBeUndefined();
  });

  it('nothing for an untracked message, even one carrying a dueAt', () => {
    // refreshDerived drops dueAt for untracked messages; set it by hand so only the tracked check decides.
    const untracked = { ...message({}, {}, { tracked: false }), dueAt: t(600) };
    expect(stuckStep(untracked)).toBeUndefined();
  });
});

describe('re-driving a stuck message', () => {
  it('waits until the message is the bound past due', () => {
    const stuck = message();
    expect(stuck.dueAt).toEqual(t(600));
    expect(redrive(stuck, t(600 + 299), bound)).toBeUndefined();
    expect(redrive(stuck, t(600 + 300), bound)).toBeDefined();
  });

  it('schedules the stuck step now under a fresh name and counts the bound afresh from the re-drive', () => {
    const planned = redrive(message({}, {}, { redrives: 1 }), t(1_000), bound)!;
    expect(planned.effects).toEqual([
      { kind: 'schedule', step: 'revoke', sequence: 0, at: t(1_000), redrive: 2 },
    ]);
    expect(planned.message.redrives).toBe(2);
    expect(planned.message.sweepHoldUntil).toEqual(t(1_000));
    expect(planned.message.dueAt).toEqual(t(1_000));
    // The sweeps within a bound leave it alone; one bound after the re-drive, a lost re-drive is re-driven.
    expect(redrive(planned.message, t(1_299), bound)).toBeUndefined();
    expect(redrive(planned.message, t(1_300), bound)?.message.redrives).toBe(3);
  });

  it('leaves the message it was given unchanged and does not mark a change of the facts', () => {
    const stuck = message();
    const before = structuredClone(stuck);
    const planned = redrive(stuck, t(1_000), bound)!;
    expect(stuck).toEqual(before);
    expect(planned.message.updatedAt).toEqual(stuck.updatedAt);
  });

  it('counts the first re-drive of a message as 1', () => {
    const planned = redrive(message(), t(1_000), bound)!;
    expect(planned.message.redrives).toBe(1);
    expect(planned.effects).toEqual([
      { kind: 'schedule', step: 'revoke', sequence: 0, at: t(1_000), redrive: 1 },
    ]);
  });

  it('a lost fallback task: the SMS step again, a bound after the fallback became due', () => {
    const lost = message(
      { state: 'confirmed', attempts: 1, round: 1, answeredRound: 1 },
      { state: 'pending', text: 'hi' },
      { updatedAt: t(800) },
    );
    expect(lost.dueAt).toEqual(t(800));
    expect(redrive(lost, t(800 + 299), bound)).toBeUndefined();
    expect(redrive(lost, t(800 + 300), bound)?.effects).toEqual([
      { kind: 'schedule', step: 'fallback', sequence: 0, at: t(1_100), redrive: 1 },
    ]);
  });

  it('an overdue confirm: scheduled for the round that was answered', () => {
    // Answered 200 at 600 under promo (120 s grace): due at 720, overdue a bound later.
    const stuck = message({ state: 'requested', attempts: 1, round: 1, answeredRound: 1, lastAt: t(600) });
    expect(stuck.dueAt).toEqual(t(720));
    expect(redrive(stuck, t(1_019), bound)).toBeUndefined();
    expect(redrive(stuck, t(1_020), bound)?.effects).toEqual([
      { kind: 'schedule', step: 'confirm', sequence: 1, at: t(1_020), redrive: 1 },
    ]);
  });

  it.each<[string, Message]>([
    ['delivered', message({}, {}, { deliveredAt: t(30) })],
    ['read', message({}, {}, { deliveredAt: t(30), readAt: t(40) })],
    [
      'revoked, no SMS wanted',
      message({ state: 'confirmed', round: 1, answeredRound: 1 }, { enabled: false }),
    ],
    ['SMS sent', message({ state: 'confirmed', round: 1, answeredRound: 1 }, { state: 'sent' })],
    [
      'duplicate',
      message({ state: 'requested', round: 1, answeredRound: 1 }, { state: 'sent' }, { deliveredAt: t(700) }),
    ],
    ['revocation failed', message({ state: 'failed', round: 1 }, { state: 'failed' })],
    ['not RCS-capable, no SMS', message({}, { enabled: false }, { send: { state: 'not_rcs', at: t(0) } })],
    ['untracked', message({}, { enabled: false }, { tracked: false })],
  ])('re-drives nothing %s, however late', (_, settled) => {
    expect(settled.dueAt).toBeUndefined();
    expect(redrive(settled, t(100_000), bound)).toBeUndefined();
  });
});

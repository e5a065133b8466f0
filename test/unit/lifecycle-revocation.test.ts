import { describe, expect, it } from 'vitest';
import { policies } from '../../shared/lifecycle/policy.ts';
import { applyDeliveryFact } from '../../shared/lifecycle/receipts.ts';
import {
  applyRevokeResult,
  confirmRevocation,
  planRevoke,
  type RevokePlan,
} from '../../shared/lifecycle/revocation.ts';
import { refreshDerived } from '../../shared/lifecycle/status.ts';
import type { Message, Policy } from '../../shared/lifecycle/types.ts';

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 21, 12, 0, 0) + seconds * 1000);

function message(policy: Policy, overrides: Partial<Message> = {}): Message {
  return refreshDerived({
    messageId: 'm-1',
    agentId: 'agent',
    phoneNumber: '+14155550123',
    tracked: true,
    status: 'pending',
    policy,
    labels: {},
    createdAt: t(0),
    deadline: t(600),
    revocation: { state: 'none', attempts: 0, round: 0, answeredRound: 0, taskSequence: 0 },
    fallback: { state: 'none', enabled: true },
    duplicateDelivery: false,
    lateDelivery: false,
    updatedAt: t(0),
    ...overrides,
  });
}

function claimed(plan: RevokePlan): Extract<RevokePlan, { action: 'call' }> {
  if (plan.action !== 'call') throw new Error(`expected a call, got ${JSON.stringify(plan)}`);
  return plan;
}

const ok = { status: 200, finalTry: false };
const notFound = { status: 404, finalTry: false };

describe('planRevoke', () => {
  it('law 2: never calls RBM for a message known delivered', () => {
    const delivered = applyDeliveryFact(
      message(policies.promo),
      { type: 'DELIVERED', messageId: 'm-1', agentId: 'a', phoneNumber: '+1', at: t(10) },
      t(11),
    ).message;
    expect(planRevoke(delivered, 'revoke', 0, t(600))).toEqual({
      action: 'skip',
      reason: 'already delivered',
    });
  });

  it('claims one DELETE at the deadline and refuses a concurrent duplicate while it is in flight', () => {
    const plan = claimed(planRevoke(message(policies.promo), 'revoke', 0, t(600)));
    expect(plan.attempt).toBe(1);
    expect(plan.message.revocation).toMatchObject({ round: 1, attempts: 1, inFlightUntil: t(660) });
    expect(planRevoke(plan.message, 'revoke', 0, t(601))).toEqual({ action: 'busy', until: t(660) });
    // A crashed call frees the lease after it expires.
    expect(planRevoke(plan.message, 'revoke', 0, t(661)).action).toBe('call');
  });

  it('re-arms a deadline beyond the 30-day task horizon instead of revoking early', () => {
    const far = message(policies.promo, { deadline: t(90 * 86_400) });
    const plan = planRevoke(far, 'revoke', 0, t(30 * 86_400));
    expect(plan).toMatchObject({
      action: 'rearm',
      effects: [{ kind: 'schedule', step: 'revoke', sequence: 1, at: t(90 * 86_400) }],
    });
    if (plan.action !== 'rearm') return;
    expect(plan.message.revocation.taskSequence).toBe(1);
    // The superseded first leg, delivered again, does nothing.
    expect(planRevoke(plan.message, 'revoke', 0, t(30 * 86_400)).action).toBe('skip');
  });

  it('after an inconclusive TTL notice the revoke still runs when the SMS went first, so a late copy is stopped', () => {
    const smsSent = message(policies.otp, { fallback: { state: 'sent', enabled: true, sentAt: t(601) } });
    expect(planRevoke(smsSent, 'expired', 0, t(602)).action).toBe('call');
    // The deadline's own revoke, or a manual one, has nothing left to do once the SMS is out.
    expect(planRevoke(smsSent, 'revoke', 0, t(602))).toEqual({
      action: 'skip',
      reason: 'fallback already sent',
    });
  });
});

describe('a 200 is not proof (law 3)', () => {
  it('promo: 200 -> revoking; confirm after grace -> revoked, then SMS', () => {
    const call = claimed(planRevoke(message(policies.promo), 'revoke', 0, t(600)));
    const answered = applyRevokeResult(call.message, call.attempt, ok, t(601));
    expect(answered).toMatchObject({
      kind: 'recorded',
      message: { status: 'revoking', revocation: { state: 'requested' } },
      effects: [{ kind: 'schedule', step: 'confirm', sequence: 1, at: t(601 + 120) }],
    });
    if (answered.kind !== 'recorded') return;
    expect(answered.message.fallback.state).toBe('none');
    const confirmed = confirmRevocation(answered.message, 1, t(721));
    expect(confirmed).toMatchObject({
      kind: 'recorded',
      message: { status: 'sms_pending', revocation: { state: 'confirmed' }, fallback: { state: 'pending' } },
      effects: [{ kind: 'schedule', step: 'fallback' }],
    });
  });

  it('promo: a DELIVERED inside the grace period means the revoke lost the race: no SMS', () => {
    const call = claimed(planRevoke(message(policies.promo), 'revoke', 0, t(600)));
    const answered = applyRevokeResult(call.message, call.attempt, ok, t(601));
    if (answered.kind !== 'recorded') throw new Error('expected recorded');
    const delivered = applyDeliveryFact(
      answered.message,
      { type: 'DELIVERED', messageId: 'm-1', agentId: 'a', phoneNumber: '+1', at: t(602) },
      t(603),
    ).message;
    expect(delivered.revocation.state).toBe('lost_race');
    expect(delivered.fallback.state).toBe('skipped');
    expect(confirmRevocation(delivered, 1, t(721))).toMatchObject({ kind: 'skip' });
  });

  it('otp: 200 hands over to fallback at once, and still confirms later', () => {
    const call = claimed(planRevoke(message(policies.otp), 'revoke', 0, t(600)));
    const answered = applyRevokeResult(call.message, call.attempt, ok, t(601));
    expect(answered).toMatchObject({
      kind: 'recorded',
      message: { status: 'sms_pending', fallback: { state: 'pending' } },
      effects: [
        { kind: 'schedule', step: 'confirm', sequence: 1 },
        { kind: 'schedule', step: 'fallback', sequence: 0 },
      ],
    });
  });

  it('an answer that lands after the platform confirmed the revocation (TTL) changes nothing', () => {
    const call = claimed(planRevoke(message(policies.promo), 'revoke', 0, t(600)));
    const expired = applyDeliveryFact(
      call.message,
      { type: 'TTL_EXPIRATION_REVOKED', messageId: 'm-1', agentId: 'a', phoneNumber: '+1', at: t(600) },
      t(600),
    ).message;
    const late = applyRevokeResult(expired, call.attempt, notFound, t(601));
    expect(late).toMatchObject({
      kind: 'recorded',
      effects: [],
      message: { revocation: { state: 'confirmed' } },
    });
    expect(late.message.revocation.inFlightUntil).toBeUndefined();
  });

  it('a second answer in the same round (duplicate call) changes nothing', () => {
    const call = claimed(planRevoke(message(policies.promo), 'revoke', 0, t(600)));
    const first = applyRevokeResult(call.message, call.attempt, ok, t(601));
    if (first.kind !== 'recorded') throw new Error('expected recorded');
    const second = applyRevokeResult(first.message, call.attempt, notFound, t(602));
    expect(second).toMatchObject({
      kind: 'recorded',
      effects: [],
      message: { revocation: { state: 'requested' } },
    });
  });
});

describe('404 then Google procedure: wait, revoke again, then fall back', () => {
  it('404 then DELIVERED: lost race, nothing more', () => {
    const call = claimed(planRevoke(message(policies.promo), 'revoke', 0, t(600)));
    const answered = applyRevokeResult(call.message, call.attempt, notFound, t(601));
    if (answered.kind !== 'recorded') throw new Error('expected recorded');
    expect(answered.message.status).toBe('revoking');
    expect(answered.message.revocation.state).toBe('not_found');
    const delivered = applyDeliveryFact(
      answered.message,
      { type: 'DELIVERED', messageId: 'm-1', agentId: 'a', phoneNumber: '+1', at: t(605) },
      t(606),
    ).message;
    expect(delivered.status).toBe('delivered');
    expect(delivered.revocation.state).toBe('lost_race');
  });

  it('404, no DELIVERED: revoke again; 200 then confirmed then SMS', () => {
    let m = message(policies.promo);
    const first = claimed(planRevoke(m, 'revoke', 0, t(600)));
    const r1 = applyRevokeResult(first.message, first.attempt, notFound, t(601));
    if (r1.kind !== 'recorded') throw new Error();
    const c1 = confirmRevocation(r1.message, 1, t(721));
    expect(c1).toMatchObject({
      kind: 'recorded',
      effects: [{ kind: 'schedule', step: 'again', sequence: 1 }],
    });
    if (c1.kind !== 'recorded') throw new Error();
    const second = claimed(planRevoke(c1.message, 'again', 1, t(721)));
    expect(second.message.revocation.round).toBe(2);
    const r2 = applyRevokeResult(second.message, second.attempt, ok, t(722));
    if (r2.kind !== 'recorded') throw new Error();
    expect(r2.effects).toEqual([{ kind: 'schedule', step: 'confirm', sequence: 2, at: t(842) }]);
    // The stale round-1 confirm, delivered again, does nothing.
    expect(confirmRevocation(r2.message, 1, t(800))).toMatchObject({ kind: 'skip' });
    m = (confirmRevocation(r2.message, 2, t(842)) as { message: Message }).message;
    expect(m.revocation.state).toBe('confirmed');
    expect(m.fallback.state).toBe('pending');
  });

  it('404 in every round: otp falls back (uncertain); promo does not', () => {
    for (const [policy, fallback, status] of [
      [policies.otp, 'pending', 'sms_pending'],
      [policies.promo, 'skipped', 'failed'],
    ] as const) {
      let m = message(policy);
      for (let round = 1; round <= policy.maxRevokeAttempts; round++) {
        const call = claimed(
          planRevoke(m, round === 1 ? 'revoke' : 'again', round - 1, t(600 + round * 200)),
        );
        const answered = applyRevokeResult(call.message, call.attempt, notFound, t(601 + round * 200));
        if (answered.kind !== 'recorded') throw new Error();
        const confirm = confirmRevocation(answered.message, round, t(700 + round * 200));
        if (confirm.kind !== 'recorded') throw new Error(JSON.stringify(confirm));
        m = confirm.message;
      }
      expect(m.revocation.state).toBe('failed');
      expect(m.fallback.state).toBe(fallback);
      expect(m.status).toBe(status);
      expect(m.revocation.round).toBe(policy.maxRevokeAttempts);
    }
  });
});

describe('RBM failures', () => {
  it('429/5xx/timeouts retry while tries remain, then fail; otp still falls back', () => {
    const call = claimed(planRevoke(message(policies.otp), 'revoke', 0, t(600)));
    const retry = applyRevokeResult(call.message, call.attempt, { status: 503, finalTry: false }, t(601));
    expect(retry.kind).toBe('retry');
    expect(retry.message.revocation.inFlightUntil).toBeUndefined();
    const again = claimed(planRevoke(retry.message, 'revoke', 0, t(620)));
    expect(again.attempt).toBe(2);
    const last = applyRevokeResult(
      again.message,
      again.attempt,
      { status: 0, error: 'timeout', finalTry: true },
      t(630),
    );
    expect(last).toMatchObject({
      kind: 'recorded',
      message: { revocation: { state: 'failed', attempts: 2 }, fallback: { state: 'pending' } },
    });
  });

  it('401/403 is a configuration fault: recorded with what to check, no retry', () => {
    const call = claimed(planRevoke(message(policies.promo), 'revoke', 0, t(600)));
    const outcome = applyRevokeResult(call.message, call.attempt, { status: 403, finalTry: false }, t(601));
    expect(outcome.kind).toBe('recorded');
    expect(outcome.message.revocation.reason).toMatch(/RBM_SERVICE_ACCOUNT_KEY/);
    expect(outcome.message.status).toBe('failed');
  });
});

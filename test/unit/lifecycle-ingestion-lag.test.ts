import { describe, expect, it } from 'vitest';
import { decideDeferral } from '../../shared/lifecycle/confirm-deferral.ts';
import {
  type IngestionShard,
  type IngestionVerdict,
  ingestionVerdict,
} from '../../shared/lifecycle/ingestion-lag.ts';
import { policies } from '../../shared/lifecycle/policy.ts';
import {
  type ConfirmOutcome,
  confirmDecisionAt,
  confirmRevocation,
} from '../../shared/lifecycle/revocation.ts';
import { nextDueAt, refreshDerived } from '../../shared/lifecycle/status.ts';
import { redrive } from '../../shared/lifecycle/sweep.ts';
import type { Message, Policy } from '../../shared/lifecycle/types.ts';
import { taskId } from '../../shared/tasks/names.ts';

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 21, 12, 0, 0) + seconds * 1000);
const settings = { lagToleranceMs: 10_000, activeWithinMs: 30_000 };
const deferral = { recheckMs: 10_000, maxDeferMs: 300_000 };

/** A shard that stored at `storedAt` an event `lag` seconds old. */
function shard(storedAt: number, lag: number, extra: Partial<IngestionShard> = {}): IngestionShard {
  return { watermark: t(storedAt - lag), lastLagMs: lag * 1000, lastStoredAt: t(storedAt), ...extra };
}

describe('ingestionVerdict', () => {
  it('idle: no shards is no evidence, never behind', () => {
    expect(ingestionVerdict([], t(100), settings, t(100))).toMatchObject({ behind: false });
  });

  it('a queue delivering late and still delivering is behind while the watermark is short of the decision', () => {
    const verdict = ingestionVerdict([shard(95, 180)], t(100), settings, t(100));
    expect(verdict).toMatchObject({ behind: true, watermark: t(95 - 180), lagMs: 180_000 });
    expect(verdict.reason).toMatch(/180 s late/);
  });

  it('not behind once any shard has stored up to the decision, however late its last event', () => {
    const shards = [shard(95, 180), shard(99, 12, { watermark: t(100) })];
    expect(ingestionVerdict(shards, t(100), settings, t(100))).toMatchObject({ behind: false });
  });

  it('a lag within the tolerance is not behind', () => {
    expect(ingestionVerdict([shard(99, 10)], t(100), settings, t(100))).toMatchObject({ behind: false });
  });

  it('idle after a backlog: a lagging shard that stopped storing is stale evidence, not behind', () => {
    // Last stored 31 s ago (activeWithin 30 s): the queue is not visibly delivering anything.
    expect(ingestionVerdict([shard(69, 180)], t(100), settings, t(100))).toMatchObject({ behind: false });
    expect(ingestionVerdict([shard(70, 180)], t(100), settings, t(100))).toMatchObject({ behind: true });
  });

  it('a failed store with nothing stored since is behind, even with no lag and long idle', () => {
    const failed = shard(10, 0, { failedAt: t(20) });
    expect(ingestionVerdict([failed], t(100), settings, t(100))).toMatchObject({ behind: true });
    expect(ingestionVerdict([failed], t(100), settings, t(100)).reason).toMatch(/store failed/);
  });

  it('a failure followed by a store is healed', () => {
    const healed = shard(30, 0, { failedAt: t(20) });
    expect(ingestionVerdict([healed], t(100), settings, t(100))).toMatchObject({ behind: false });
  });
});

describe('decideDeferral', () => {
  const behind: IngestionVerdict = { behind: true, watermark: t(0), lagMs: 180_000, reason: 'late' };

  it('does not defer when ingestion is not behind', () => {
    expect(decideDeferral({}, { behind: false, reason: 'idle' }, t(100), deferral)).toEqual({
      defer: false,
      capped: false,
    });
  });

  it('defers by the recheck period, twice as long each time it is still behind, counting from the first', () => {
    expect(decideDeferral({}, behind, t(100), deferral)).toEqual({
      defer: true,
      until: t(110),
      since: t(100),
      deferrals: 1,
    });
    // The fourth deferral waits 10 s x 2^3.
    expect(decideDeferral({ deferrals: 3, deferredSince: t(70) }, behind, t(100), deferral)).toEqual({
      defer: true,
      until: t(180),
      since: t(70),
      deferrals: 4,
    });
  });

  it('never waits past the cap: the last recheck lands on it, and at the cap it proceeds', () => {
    const since = { deferrals: 29, deferredSince: t(0) };
    expect(decideDeferral(since, behind, t(295), deferral)).toMatchObject({ defer: true, until: t(300) });
    expect(decideDeferral(since, behind, t(300), deferral)).toEqual({ defer: false, capped: true });
  });
});

/** A message whose revoke was answered `status` at t(600), grace `policy.graceMs`. */
function answered(policy: Policy, status: 200 | 404, round = 1): Message {
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
    revocation: {
      state: status === 200 ? 'requested' : 'not_found',
      attempts: round,
      round,
      answeredRound: round,
      taskSequence: 0,
      lastStatus: status,
      lastAt: t(600),
      ...(status === 200 ? { requestedAt: t(600) } : {}),
    },
    fallback: { state: 'none', enabled: true },
    duplicateDelivery: false,
    lateDelivery: false,
    updatedAt: t(600),
  });
}

const lagging: IngestionVerdict = { behind: true, watermark: t(500), lagMs: 120_000, reason: 'late' };
const caughtUp: IngestionVerdict = { behind: false, watermark: t(700), reason: 'stored up to it' };

function deferred(outcome: ConfirmOutcome) {
  if (outcome.kind !== 'deferred') throw new Error(`expected deferred, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('confirmRevocation with ingestion behind', () => {
  it('judges ingestion for the end of the grace period', () => {
    expect(confirmDecisionAt(answered(policies.otp, 404), t(640))).toEqual(t(630));
  });

  it('404 and no DELIVERED yet, but the webhook is behind: deferred, no re-revoke, no SMS', () => {
    const message = answered(policies.otp, 404);
    const outcome = deferred(confirmRevocation(message, 1, t(630), { verdict: lagging, ...deferral }));
    expect(outcome.message.revocation).toMatchObject({
      state: 'not_found',
      deferrals: 1,
      deferredSince: t(630),
      deferredUntil: t(640),
    });
    expect(outcome.message.fallback.state).toBe('none');
    expect(outcome.message.status).toBe('revoking');
    // Its own task name, so it is not taken by the confirm task that is running now.
    expect(outcome.effects).toEqual([
      { kind: 'schedule', step: 'confirm', sequence: 1, at: t(640), deferral: 1 },
    ]);
    expect(taskId('m-1', 'confirm', 1, 0, 1)).toMatch(/-confirm-1-d1$/);
    expect(taskId('m-1', 'confirm', 1, 2, 1)).toMatch(/-confirm-1-d1-r2$/);
  });

  it('dueAt follows the deferral, so the sweep does not re-drive it early', () => {
    const message = answered(policies.promo, 200);
    const outcome = deferred(confirmRevocation(message, 1, t(720), { verdict: lagging, ...deferral }));
    expect(nextDueAt(outcome.message)).toEqual(t(730));
    // 300 s bound: nothing to re-drive at the recheck plus less than the bound.
    expect(redrive(outcome.message, t(1_029), 300_000)).toBeUndefined();
  });

  it('once caught up, the deferred confirm decides as before', () => {
    const first = deferred(
      confirmRevocation(answered(policies.promo, 200), 1, t(720), { verdict: lagging, ...deferral }),
    );
    const outcome = confirmRevocation(first.message, 1, t(730), { verdict: caughtUp, ...deferral });
    expect(outcome).toMatchObject({
      kind: 'recorded',
      message: { revocation: { state: 'confirmed', deferrals: 1 }, fallback: { state: 'pending' } },
    });
  });

  it('a re-revoke decided after a deferral is due now, not at the long-past grace end (no sweep re-drive)', () => {
    let message = answered(policies.otp, 404);
    let now = t(630);
    for (let i = 0; i < 4; i += 1) {
      const outcome = deferred(confirmRevocation(message, 1, now, { verdict: lagging, ...deferral }));
      message = outcome.message;
      now = outcome.until;
    }
    const decided = confirmRevocation(message, 1, now, { verdict: caughtUp, ...deferral });
    expect(decided).toMatchObject({
      kind: 'recorded',
      effects: [{ kind: 'schedule', step: 'again', at: now }],
    });
    if (decided.kind !== 'recorded') return;
    expect(nextDueAt(decided.message)).toEqual(now);
    expect(redrive(decided.message, new Date(now.getTime() + 299_000), 300_000)).toBeUndefined();
  });

  it('a confirm task that comes before deferredUntil (a duplicate) is skipped', () => {
    const first = deferred(
      confirmRevocation(answered(policies.promo, 200), 1, t(720), { verdict: lagging, ...deferral }),
    );
    expect(confirmRevocation(first.message, 1, t(721), { verdict: caughtUp, ...deferral })).toMatchObject({
      kind: 'skip',
      reason: expect.stringMatching(/deferred until/),
    });
  });

  it('the cap: after maxDefer from the first deferral it proceeds, even while still behind', () => {
    let message = answered(policies.otp, 404, 3);
    let now = t(630);
    let deferrals = 0;
    for (;;) {
      const outcome = confirmRevocation(message, 3, now, { verdict: lagging, ...deferral });
      if (outcome.kind !== 'deferred') {
        expect(outcome).toMatchObject({
          kind: 'recorded',
          message: { revocation: { state: 'failed' }, fallback: { state: 'pending' } },
        });
        if (outcome.kind === 'recorded') expect(outcome.verdict).toMatch(/still behind after 300 s/);
        break;
      }
      deferrals += 1;
      message = outcome.message;
      now = outcome.until;
    }
    // 10, 20, 40 and 80 s, then the rest up to the cap: five rechecks where a fixed pace would take 30.
    expect(now).toEqual(t(930));
    expect(deferrals).toBe(5);
  });

  it('the cap holds across rounds: a later round gets no fresh budget', () => {
    const spent = {
      ...answered(policies.otp, 404, 2),
      revocation: { ...answered(policies.otp, 404, 2).revocation, deferrals: 30, deferredSince: t(300) },
    };
    expect(confirmRevocation(spent, 2, t(630), { verdict: lagging, ...deferral })).toMatchObject({
      kind: 'recorded',
      effects: [{ kind: 'schedule', step: 'again', sequence: 2 }],
    });
  });

  it('without ingestion facts (or not behind) it decides at once, as before', () => {
    expect(confirmRevocation(answered(policies.otp, 404), 1, t(630))).toMatchObject({
      kind: 'recorded',
      effects: [{ kind: 'schedule', step: 'again', sequence: 1 }],
    });
    expect(
      confirmRevocation(answered(policies.otp, 404), 1, t(630), { verdict: caughtUp, ...deferral }),
    ).toMatchObject({ kind: 'recorded' });
  });
});

import { describe, expect, it } from 'vitest';
import { policies } from '../../shared/lifecycle/policy.ts';
import { untrackedMessage } from '../../shared/lifecycle/receipts.ts';
import {
  capabilityRecord,
  claimExpired,
  type Registration,
  registerMessage,
  wantsCapabilityCheck,
} from '../../shared/lifecycle/registration.ts';
import type { Send } from '../../shared/lifecycle/types.ts';

const t = (seconds: number) => new Date(Date.UTC(2026, 11, 2, 9, 0, 0) + seconds * 1000);

const registration: Registration = {
  messageId: 'm-1',
  agentId: 'agent',
  phoneNumber: '+14155550123',
  policy: policies.otp,
  trafficType: 'AUTHENTICATION',
  labels: { kind: 'otp' },
  deadline: t(120),
  smsText: 'code 123',
  requestHash: 'hash-a',
};
const sending: Send = { state: 'sending', at: t(0) };
const sent: Send = { state: 'sent', at: t(0), httpStatus: 200 };

describe('registering a message', () => {
  it('a new message: pending, its SMS text kept, the revoke scheduled at the deadline', () => {
    const outcome = registerMessage(undefined, registration, sent, t(0));
    expect(outcome.kind).toBe('created');
    if (outcome.kind !== 'created') return;
    expect(outcome.message).toMatchObject({
      status: 'pending',
      tracked: true,
      deadline: t(120),
      dueAt: t(120),
      fallback: { state: 'none', enabled: true, text: 'code 123' },
      revocation: { state: 'none', round: 0, taskSequence: 0 },
      requestHash: 'hash-a',
      messageTrafficType: 'AUTHENTICATION',
    });
    expect(outcome.effects).toEqual([{ kind: 'schedule', step: 'revoke', sequence: 0, at: t(120) }]);
  });

  it('without SMS text the fallback is off', () => {
    const { smsText: _, ...withoutSms } = registration;
    const outcome = registerMessage(undefined, withoutSms, sent, t(0));
    expect(outcome.kind === 'created' && outcome.message.fallback).toEqual({ state: 'none', enabled: false });
  });

  it('the claim (send under way) is completed by the same request, keeping its creation time', () => {
    const claim = registerMessage(undefined, registration, sending, t(0));
    if (claim.kind !== 'created') throw new Error('claim not created');
    const completed = registerMessage(claim.message, registration, sent, t(2));
    expect(completed.kind).toBe('created');
    expect(completed.message.send).toEqual(sent);
    expect(completed.message.createdAt).toEqual(t(0));
  });

  it('a retry completing a claim keeps the claim deadline, though its revokeAfter would give a later one', () => {
    const claim = registerMessage(undefined, registration, sending, t(0));
    const retry = { ...registration, deadline: t(150) }; // revokeAfter '2m', counted from the retry at t(30)
    const completed = registerMessage(claim.message, retry, sent, t(30));
    expect(completed.message.deadline).toEqual(t(120));
    expect(completed.kind === 'created' && completed.effects).toEqual([
      { kind: 'schedule', step: 'revoke', sequence: 0, at: t(120) },
    ]);
  });

  it('a claim is not completed once its deadline has passed: the retry finds it as it is', () => {
    const claim = registerMessage(undefined, registration, sending, t(0));
    expect(claimExpired(claim.message, t(119))).toBe(false);
    expect(claimExpired(claim.message, t(120))).toBe(true);
    expect(registerMessage(claim.message, registration, sent, t(121))).toEqual({
      kind: 'exists',
      message: claim.message,
    });
  });

  it('a claim is not completed once the lifecycle acted on it (re-driven, revoking, falling back)', () => {
    const { message } = registerMessage(undefined, registration, sending, t(0));
    const early = t(10);
    expect(claimExpired(message, early)).toBe(false);
    expect(claimExpired({ ...message, redrives: 1 }, early)).toBe(true);
    expect(
      claimExpired({ ...message, revocation: { ...message.revocation, state: 'requested' } }, early),
    ).toBe(true);
    expect(claimExpired({ ...message, fallback: { ...message.fallback, state: 'pending' } }, early)).toBe(
      true,
    );
    // A completed registration is no claim: the rule does not apply.
    const done = registerMessage(undefined, registration, sent, t(0)).message;
    expect(claimExpired(done, t(500))).toBe(false);
  });

  it('the same request again after it completed: exists, nothing new', () => {
    const first = registerMessage(undefined, registration, sent, t(0));
    const again = registerMessage(first.message, registration, sent, t(5));
    expect(again).toEqual({ kind: 'exists', message: first.message });
  });

  it('completing a claim schedules the revoke at the deadline', () => {
    const claim = registerMessage(undefined, registration, sending, t(0));
    const completed = registerMessage(claim.message, registration, sent, t(2));
    expect(completed.kind === 'created' && completed.effects).toEqual([
      { kind: 'schedule', step: 'revoke', sequence: 0, at: t(120) },
    ]);
    expect(completed.message).toMatchObject({ status: 'pending', dueAt: t(120), updatedAt: t(2) });
  });

  it('keeps the policy, labels, agent and number the request gave', () => {
    const promo = { ...registration, policy: policies.promo, labels: { campaign: 'winter' } };
    expect(registerMessage(undefined, promo, sent, t(0)).message).toMatchObject({
      policy: policies.promo,
      labels: { campaign: 'winter' },
      agentId: 'agent',
      phoneNumber: '+14155550123',
    });
  });

  it('a message the business sent itself is registered the same way: revoke at the deadline', () => {
    const external: Send = { state: 'external', at: t(0) };
    const outcome = registerMessage(undefined, registration, external, t(0));
    expect(outcome.message).toMatchObject({ status: 'pending', send: external });
    expect(outcome.kind === 'created' && outcome.effects).toEqual([
      { kind: 'schedule', step: 'revoke', sequence: 0, at: t(120) },
    ]);
  });

  it('a different request for a completed message: conflict, the message unchanged', () => {
    const first = registerMessage(undefined, registration, sent, t(0));
    const other = { ...registration, requestHash: 'hash-b' };
    expect(registerMessage(first.message, other, sent, t(5))).toEqual({
      kind: 'conflict',
      message: first.message,
    });
  });

  it('a different request for a taken id: conflict, the message unchanged, even while it is only claimed', () => {
    const claim = registerMessage(undefined, registration, sending, t(0));
    const other = { ...registration, requestHash: 'hash-b' };
    expect(registerMessage(claim.message, other, sent, t(1))).toEqual({
      kind: 'conflict',
      message: claim.message,
    });
  });

  it('a DELIVERED the webhook heard first is kept, and then no SMS and no revoke', () => {
    const heard = untrackedMessage(
      { type: 'DELIVERED', messageId: 'm-1', agentId: 'agent', phoneNumber: '+14155550123', at: t(1) },
      t(1),
    );
    heard.deliveredAt = t(1);
    const outcome = registerMessage(heard, registration, sent, t(2));
    expect(outcome.kind).toBe('created');
    expect(outcome.message).toMatchObject({
      status: 'delivered',
      tracked: true,
      deliveredAt: t(1),
      fallback: { state: 'skipped', enabled: true, reason: 'RCS delivery confirmed' },
    });
    expect(outcome.kind === 'created' && outcome.effects).toEqual([]);
    expect(outcome.message.fallback.text).toBeUndefined();
  });

  it('a DELIVERED heard first, without SMS text: delivered, the fallback simply off', () => {
    const { smsText: _, ...withoutSms } = registration;
    const heard = untrackedMessage(
      { type: 'DELIVERED', messageId: 'm-1', agentId: 'agent', phoneNumber: '+14155550123', at: t(1) },
      t(1),
    );
    heard.deliveredAt = t(1);
    const outcome = registerMessage(heard, withoutSms, sent, t(2));
    expect(outcome.message.status).toBe('delivered');
    expect(outcome.message.fallback).toEqual({ state: 'none', enabled: false });
    expect(outcome.kind === 'created' && outcome.effects).toEqual([]);
  });

  it('over a message the webhook heard first: its facts and first-seen time stay, the given message is not changed', () => {
    const heard = untrackedMessage(
      { type: 'READ', messageId: 'm-1', agentId: 'agent', phoneNumber: '+14155550123', at: t(3) },
      t(1),
    );
    Object.assign(heard, { deliveredAt: t(3), readAt: t(3) });
    const before = structuredClone(heard);
    const outcome = registerMessage(heard, registration, sent, t(4));
    expect(heard).toEqual(before);
    expect(outcome.message).toMatchObject({
      tracked: true,
      status: 'read',
      createdAt: t(1),
      deliveredAt: t(3),
      readAt: t(3),
      updatedAt: t(4),
      requestHash: 'hash-a',
    });
    // Settled at once: nothing for the sweep to wait for.
    expect(outcome.message.dueAt).toBeUndefined();
  });

  it('a number without RCS goes straight to the SMS, with nothing to revoke', () => {
    const outcome = registerMessage(
      undefined,
      registration,
      { state: 'not_rcs', at: t(0), httpStatus: 404 },
      t(0),
    );
    expect(outcome.message.fallback).toMatchObject({ state: 'pending', reason: 'number is not RCS-capable' });
    // Due now, not at the deadline: the sweep re-drives a lost fallback task a bound from now.
    expect(outcome.message).toMatchObject({ status: 'sms_pending', dueAt: t(0) });
    expect(outcome.kind === 'created' && outcome.effects).toEqual([
      { kind: 'schedule', step: 'fallback', sequence: 0, at: t(0) },
    ]);
  });

  it('a number without RCS and no SMS text: failed, nothing scheduled', () => {
    const { smsText: _, ...withoutSms } = registration;
    const outcome = registerMessage(
      undefined,
      withoutSms,
      { state: 'not_rcs', at: t(0), httpStatus: 404 },
      t(0),
    );
    expect(outcome.message.status).toBe('failed');
    expect(outcome.kind === 'created' && outcome.effects).toEqual([]);
  });
});

describe('the capability check before a send', () => {
  it('is the message’s choice, else the deployment’s', () => {
    expect(wantsCapabilityCheck(registration, 'off')).toBe(false);
    expect(wantsCapabilityCheck(registration, 'on')).toBe(true);
    expect(wantsCapabilityCheck({ ...registration, capabilityCheck: true }, 'off')).toBe(true);
    expect(wantsCapabilityCheck({ ...registration, capabilityCheck: false }, 'on')).toBe(false);
  });

  it('records what it found: reachable true or false, null when it failed', () => {
    const answer = { region: 'europe' as const, httpStatus: 404, latencyMs: 12 };
    expect(capabilityRecord({ ...answer, outcome: 'unreachable' }, t(0))).toEqual({
      outcome: 'unreachable',
      reachable: false,
      region: 'europe',
      at: t(0),
      httpStatus: 404,
      latencyMs: 12,
    });
    expect(capabilityRecord({ ...answer, outcome: 'reachable', httpStatus: 200 }, t(0)).reachable).toBe(true);
    expect(capabilityRecord({ ...answer, outcome: 'failed', httpStatus: 503 }, t(0)).reachable).toBeNull();
  });

  it('not reachable: straight to the SMS as after a 404 on send, the check kept on the message', () => {
    const check = capabilityRecord(
      { outcome: 'unreachable', region: 'us', httpStatus: 404, latencyMs: 5 },
      t(0),
    );
    const outcome = registerMessage(
      undefined,
      registration,
      { state: 'not_rcs', from: 'capability_check', at: t(0), httpStatus: 404 },
      t(0),
      check,
    );
    expect(outcome.message).toMatchObject({
      status: 'sms_pending',
      capabilityCheck: check,
      fallback: { state: 'pending', reason: expect.stringMatching(/capability check/) },
    });
    expect(outcome.kind === 'created' && outcome.effects).toEqual([
      { kind: 'schedule', step: 'fallback', sequence: 0, at: t(0) },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { policies } from '../../shared/lifecycle/policy.ts';
import { applyDeliveryFact, type DeliveryFact } from '../../shared/lifecycle/receipts.ts';
import { deriveStatus } from '../../shared/lifecycle/status.ts';
import type { Message } from '../../shared/lifecycle/types.ts';

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 21, 12, 0, seconds));

function registered(overrides: Partial<Message> = {}): Message {
  const message: Message = {
    messageId: 'm-1',
    agentId: 'agent',
    phoneNumber: '+14155550123',
    tracked: true,
    status: 'pending',
    policy: policies.promo,
    labels: {},
    createdAt: t(0),
    deadline: t(600),
    revocation: { state: 'none', attempts: 0, round: 0, answeredRound: 0, taskSequence: 0 },
    fallback: { state: 'none', enabled: true },
    duplicateDelivery: false,
    lateDelivery: false,
    updatedAt: t(0),
    ...overrides,
  };
  message.status = deriveStatus(message);
  return message;
}

const fact = (type: DeliveryFact['type'], seconds: number): DeliveryFact => ({
  type,
  messageId: 'm-1',
  agentId: 'agent',
  phoneNumber: '+14155550123',
  at: t(seconds),
});

describe('when the system learned of delivery and READ', () => {
  it('keeps the time of the first report of each, stored beside the platform times', () => {
    const delivered = applyDeliveryFact(registered(), fact('DELIVERED', 10), t(40)).message;
    expect(delivered.deliveredLearnedAt).toEqual(t(40));
    expect(delivered.readLearnedAt).toBeUndefined();
    // A duplicate DELIVERED, learned later, changes neither time.
    const again = applyDeliveryFact(delivered, fact('DELIVERED', 10), t(90)).message;
    expect(again.deliveredLearnedAt).toEqual(t(40));
    const read = applyDeliveryFact(again, fact('READ', 30), t(95)).message;
    expect(read.readLearnedAt).toEqual(t(95));
    expect(applyDeliveryFact(read, fact('READ', 30), t(99)).message.readLearnedAt).toEqual(t(95));
  });

  it('a READ first is the first report of delivery too', () => {
    const read = applyDeliveryFact(registered(), fact('READ', 20), t(50)).message;
    expect(read.deliveredLearnedAt).toEqual(t(50));
    expect(read.readLearnedAt).toEqual(t(50));
    expect(applyDeliveryFact(read, fact('DELIVERED', 10), t(60)).message.deliveredLearnedAt).toEqual(t(50));
  });
});

describe('law 1: delivery facts only move forward', () => {
  it('READ before DELIVERED marks the message delivered, and the later DELIVERED keeps it read', () => {
    const afterRead = applyDeliveryFact(registered(), fact('READ', 20), t(21)).message;
    expect(afterRead.status).toBe('read');
    expect(afterRead.deliveredAt).toEqual(t(20));
    const afterDelivered = applyDeliveryFact(afterRead, fact('DELIVERED', 10), t(22)).message;
    expect(afterDelivered.status).toBe('read');
    expect(afterDelivered.readAt).toEqual(t(20));
    // The DELIVERED's own time is earlier and more exact than the READ's.
    expect(afterDelivered.deliveredAt).toEqual(t(10));
  });

  it('a repeated DELIVERED changes nothing but updatedAt', () => {
    const once = applyDeliveryFact(registered(), fact('DELIVERED', 10), t(11)).message;
    const twice = applyDeliveryFact(once, fact('DELIVERED', 10), t(12)).message;
    expect({ ...twice, updatedAt: once.updatedAt }).toEqual(once);
  });

  it('nothing the platform says can undo a delivery', () => {
    let message = applyDeliveryFact(registered(), fact('DELIVERED', 10), t(11)).message;
    message = applyDeliveryFact(message, fact('TTL_EXPIRATION_REVOKED', 30), t(31)).message;
    expect(message.status).toBe('delivered');
    expect(message.revocation.state).toBe('none');
  });
});

describe('delivery of a pending message', () => {
  it('cancels the scheduled revoke and rules out the SMS', () => {
    const { message, effects } = applyDeliveryFact(registered(), fact('DELIVERED', 10), t(11));
    expect(effects).toEqual([{ kind: 'cancel_revoke_task', sequence: 0 }]);
    expect(message.fallback.state).toBe('skipped');
  });
});

describe('law 3 and 5: deliveries after a revoke or an SMS', () => {
  it('DELIVERED after a 200 revoke means the revoke lost the race', () => {
    const revoking = registered({
      revocation: {
        state: 'requested',
        attempts: 1,
        round: 1,
        answeredRound: 1,
        taskSequence: 0,
        requestedAt: t(600),
      },
    });
    expect(revoking.status).toBe('revoking');
    const { message, effects } = applyDeliveryFact(revoking, fact('DELIVERED', 601), t(602));
    expect(message.revocation.state).toBe('lost_race');
    expect(message.status).toBe('delivered');
    expect(message.lateDelivery).toBe(true);
    expect(message.fallback.state).toBe('skipped');
    expect(effects).toEqual([]);
  });

  it('DELIVERED after the SMS went out is a duplicate delivery', () => {
    const smsSent = registered({
      revocation: { state: 'confirmed', attempts: 1, round: 1, answeredRound: 1, taskSequence: 0 },
      fallback: { state: 'sent', enabled: true, sentAt: t(700) },
    });
    expect(smsSent.status).toBe('sms_sent');
    const { message } = applyDeliveryFact(smsSent, fact('DELIVERED', 705), t(706));
    expect(message.status).toBe('duplicate');
    expect(message.duplicateDelivery).toBe(true);
    expect(message.fallback.state).toBe('sent');
  });
});

describe('platform expiry events', () => {
  it('TTL_EXPIRATION_REVOKED confirms the revocation and hands over to fallback', () => {
    const { message, effects } = applyDeliveryFact(registered(), fact('TTL_EXPIRATION_REVOKED', 600), t(601));
    expect(message.status).toBe('sms_pending');
    expect(message.revocation.state).toBe('confirmed');
    expect(message.revocation.confirmedAt).toEqual(t(600));
    expect(message.fallback.state).toBe('pending');
    expect(effects).toEqual([
      { kind: 'cancel_revoke_task', sequence: 0 },
      { kind: 'schedule', step: 'fallback', sequence: 0, at: t(601) },
    ]);
  });

  it('TTL_EXPIRATION_REVOKED with no SMS text confirms without fallback', () => {
    const noSms = registered({ fallback: { state: 'none', enabled: false } });
    const { message, effects } = applyDeliveryFact(noSms, fact('TTL_EXPIRATION_REVOKED', 600), t(601));
    expect(message.status).toBe('revoked');
    expect(effects).toEqual([{ kind: 'cancel_revoke_task', sequence: 0 }]);
  });

  it('TTL_EXPIRATION_REVOKE_FAILED with no delivery asks for a revoke now', () => {
    const { message, effects } = applyDeliveryFact(
      registered(),
      fact('TTL_EXPIRATION_REVOKE_FAILED', 600),
      t(601),
    );
    expect(message.status).toBe('pending');
    expect(effects).toEqual([{ kind: 'schedule', step: 'expired', sequence: 0, at: t(601) }]);
  });

  // Google's send guide: a TTL notice other than TTL_EXPIRATION_REVOKED is inconclusive, and for
  // critical messages (OTPs) the advice is to fall back then, not after the revoke's rounds.
  it.each(['TTL_EXPIRATION_REVOKE_FAILED', 'TTL_INCONCLUSIVE'] as const)(
    '%s for a time-critical policy starts the SMS now and still revokes',
    (type) => {
      const otp = registered({ policy: policies.otp });
      const { message, effects } = applyDeliveryFact(otp, fact(type, 600), t(601));
      expect(message.status).toBe('sms_pending');
      expect(message.fallback).toMatchObject({
        state: 'pending',
        reason: expect.stringMatching(/inconclusive/),
      });
      expect(effects).toEqual([
        { kind: 'cancel_revoke_task', sequence: 0 },
        { kind: 'schedule', step: 'expired', sequence: 0, at: t(601) },
        { kind: 'schedule', step: 'fallback', sequence: 0, at: t(601) },
      ]);
    },
  );

  it('an inconclusive TTL notice for a policy that waits for certainty only revokes', () => {
    const { message, effects } = applyDeliveryFact(registered(), fact('TTL_INCONCLUSIVE', 600), t(601));
    expect(message.fallback.state).toBe('none');
    expect(effects).toEqual([{ kind: 'schedule', step: 'expired', sequence: 0, at: t(601) }]);
  });

  it('DELIVERED wins: a TTL notice after it changes nothing, and a DELIVERED after TTL_EXPIRATION_REVOKED is recorded', () => {
    const delivered = applyDeliveryFact(
      registered({ policy: policies.otp }),
      fact('DELIVERED', 590),
      t(591),
    ).message;
    for (const type of [
      'TTL_EXPIRATION_REVOKED',
      'TTL_EXPIRATION_REVOKE_FAILED',
      'TTL_INCONCLUSIVE',
    ] as const) {
      const after = applyDeliveryFact(delivered, fact(type, 600), t(601));
      expect(after.effects, type).toEqual([]);
      expect({ ...after.message, updatedAt: delivered.updatedAt }, type).toEqual(delivered);
    }
    const revoked = applyDeliveryFact(registered(), fact('TTL_EXPIRATION_REVOKED', 600), t(601)).message;
    const late = applyDeliveryFact(revoked, fact('DELIVERED', 599), t(602)).message;
    expect(late).toMatchObject({ status: 'delivered', deliveredAt: t(599), lateDelivery: true });
    expect(late.revocation.state).toBe('lost_race');
    expect(late.fallback.state).toBe('skipped');
  });
});

describe('events for a message never registered', () => {
  it('creates an untracked message holding the facts, with no side effects', () => {
    const { message, effects } = applyDeliveryFact(undefined, fact('READ', 5), t(6));
    expect(message).toMatchObject({ tracked: false, status: 'untracked', messageId: 'm-1' });
    expect(message.deliveredAt).toEqual(t(5));
    expect(message.readAt).toEqual(t(5));
    expect(effects).toEqual([]);
  });
});

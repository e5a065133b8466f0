import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type OutcomeKind,
  outcomeId,
  outcomeKinds,
  outcomePayload,
  outcomesReached,
  reachedOutcomes,
} from '../../shared/lifecycle/outcomes.ts';
import { policies } from '../../shared/lifecycle/policy.ts';
import { refreshDerived } from '../../shared/lifecycle/status.ts';
import type { Message } from '../../shared/lifecycle/types.ts';
import { runScenario } from '../helpers/lifecycle-model.ts';
import { lifecycleScenarios } from '../helpers/lifecycle-scenarios.ts';

const at = new Date('2026-12-03T10:00:00.000Z');
const later = (ms: number) => new Date(at.getTime() + ms);

function pending(overrides: Partial<Message> = {}): Message {
  return refreshDerived({
    messageId: 'm-1',
    agentId: 'agent',
    phoneNumber: '+14155550123',
    tracked: true,
    status: 'pending',
    policy: policies.otp,
    messageTrafficType: 'AUTHENTICATION',
    labels: { campaign: 'otp' },
    createdAt: at,
    deadline: later(120_000),
    revocation: { state: 'none', attempts: 0, round: 0, answeredRound: 0, taskSequence: 0 },
    fallback: { state: 'none', enabled: true, text: 'code 123456' },
    duplicateDelivery: false,
    lateDelivery: false,
    updatedAt: at,
    ...overrides,
  });
}

function next(message: Message, change: (m: Message) => void, ms = 1_000): Message {
  const copy = structuredClone(message);
  change(copy);
  copy.updatedAt = later(ms);
  return refreshDerived(copy);
}

describe('outcomesReached', () => {
  it('names what a transition newly reached, once', () => {
    const sent = pending();
    const delivered = next(sent, (m) => {
      m.deliveredAt = later(500);
    });
    const read = next(delivered, (m) => {
      m.readAt = later(900);
    });
    expect(outcomesReached(undefined, sent)).toEqual([]);
    expect(outcomesReached(sent, delivered)).toEqual(['delivered']);
    expect(outcomesReached(delivered, delivered)).toEqual([]);
    expect(outcomesReached(delivered, read)).toEqual(['read']);
    // A READ first implies delivered: both at once.
    expect(outcomesReached(sent, read)).toEqual(['delivered', 'read']);
  });

  it('revoked, sms_sent, duplicate delivery and failed', () => {
    const revoked = next(pending(), (m) => {
      m.revocation = { ...m.revocation, state: 'confirmed', confirmedAt: later(1_000) };
    });
    expect(outcomesReached(pending(), revoked)).toEqual(['revoked']);
    const smsSent = next(revoked, (m) => {
      m.fallback = { state: 'sent', enabled: true, sentAt: later(2_000), provider: 'http' };
    });
    expect(outcomesReached(revoked, smsSent)).toEqual(['sms_sent']);
    const duplicate = next(smsSent, (m) => {
      m.deliveredAt = later(2_500);
      m.duplicateDelivery = true;
      m.lateDelivery = true;
      m.revocation.state = 'lost_race';
    });
    expect(outcomesReached(smsSent, duplicate)).toEqual(['delivered', 'duplicate_delivery']);
    const failed = next(pending(), (m) => {
      m.revocation = { ...m.revocation, state: 'failed', reason: 'retry budget spent' };
    });
    expect(failed.status).toBe('failed');
    expect(outcomesReached(pending(), failed)).toEqual(['failed']);
  });

  it('escalated: the SMS nudge for a delivered, unread message went out', () => {
    const delivered = next(pending(), (m) => {
      m.deliveredAt = later(500);
      m.escalation = { state: 'pending', unreadAfterMs: 60_000, at: later(60_500), text: 'nudge' };
    });
    const nudged = next(delivered, (m) => {
      m.escalation = { state: 'sent', unreadAfterMs: 60_000, at: later(60_500), sentAt: later(61_000) };
    });
    expect(outcomesReached(delivered, nudged)).toEqual(['escalated']);
    expect(outcomePayload('escalated', nudged)).toMatchObject({
      type: 'message.escalated',
      data: { occurredAt: later(61_000).toISOString(), escalatedAt: later(61_000).toISOString() },
    });
    expect(JSON.stringify(outcomePayload('escalated', nudged))).not.toContain('nudge');
  });

  it('nothing for untracked messages, and what an untracked message had before registration is not counted', () => {
    const untracked = pending({ tracked: false, deliveredAt: at });
    expect(outcomesReached(undefined, untracked)).toEqual([]);
    const registered = next(untracked, (m) => {
      m.tracked = true;
    });
    expect(outcomesReached(untracked, registered)).toEqual(['delivered']);
  });
});

describe('the payload, version 1', () => {
  it('says what happened without the SMS text or the full phone number', () => {
    const delivered = next(pending({ callback: { url: 'https://example.com/hook' } }), (m) => {
      m.deliveredAt = later(500);
      m.fallback = { state: 'skipped', enabled: true, reason: 'RCS delivery confirmed' };
    });
    const payload = outcomePayload('delivered', delivered);
    expect(payload).toEqual({
      type: 'message.delivered',
      timestamp: later(1_000).toISOString(),
      version: 1,
      data: {
        outcomeId: 'm-1~delivered',
        messageId: 'm-1',
        agentId: 'agent',
        phoneNumberMasked: '+141••••••23',
        status: 'delivered',
        occurredAt: later(500).toISOString(),
        labels: { campaign: 'otp' },
        messageTrafficType: 'AUTHENTICATION',
        policy: 'otp',
        deadline: later(120_000).toISOString(),
        deliveredAt: later(500).toISOString(),
        lateDelivery: false,
        duplicateDelivery: false,
      },
    });
    const text = JSON.stringify(payload);
    expect(text).not.toContain('code 123456');
    expect(text).not.toContain('4155550123');
    expect(text).not.toContain('example.com');
  });

  it('a failure carries its reason; an outbox entry carries the message URL', () => {
    const failed = next(pending({ callback: { url: 'https://example.com/hook' } }), (m) => {
      m.revocation = { ...m.revocation, state: 'failed', reason: 'RBM refused our credentials' };
    });
    const [entry] = reachedOutcomes(pending(), failed);
    expect(entry).toMatchObject({
      id: outcomeId('m-1', 'failed'),
      kind: 'failed',
      messageId: 'm-1',
      callbackUrl: 'https://example.com/hook',
      payload: { type: 'message.failed', data: { reason: 'RBM refused our credentials', status: 'failed' } },
    });
  });
});

/** What the final message shows was reached: each must have been pushed exactly once on the way. */
function reachedInTheEnd(message: Message): OutcomeKind[] {
  return outcomeKinds.filter((kind) => outcomesReached(undefined, { ...message }).includes(kind));
}

describe('every outcome is reached at most once, whatever the interleaving', () => {
  it('over every transition of the lifecycle model, and the ones reached are the ones the end state shows', () => {
    const seen = new Set<OutcomeKind>();
    fc.assert(
      fc.property(lifecycleScenarios, (scenario) => {
        const pushed: OutcomeKind[] = [];
        let before: Message | undefined;
        const run = runScenario(scenario, (message) => {
          pushed.push(...outcomesReached(before, message));
          before = message;
        });
        for (const kind of pushed) seen.add(kind);
        const counts = Object.groupBy(pushed, (kind) => kind);
        for (const [kind, times] of Object.entries(counts)) expect(times!.length, kind).toBe(1);
        // Every outcome reached on the way is a fact the end state still shows, except `failed`,
        // which a late DELIVERED overtakes (the status moves to delivered; the push stays true of its time).
        const end = reachedInTheEnd(run.message);
        expect(pushed.filter((kind) => kind !== 'failed').sort()).toEqual(
          end.filter((k) => k !== 'failed').sort(),
        );
      }),
      {
        seed: Number(process.env.PROPERTY_SEED ?? 20261203),
        numRuns: Number(process.env.PROPERTY_RUNS ?? 1_000),
      },
    );
    // The runs reach every outcome, so the property is not vacuous.
    expect([...seen].sort()).toEqual([...outcomeKinds].sort());
  });
});

import { describe, expect, it } from 'vitest';
import { policies } from '../../../shared/lifecycle/policy.ts';
import { refreshDerived } from '../../../shared/lifecycle/status.ts';
import type { Message } from '../../../shared/lifecycle/types.ts';
import { recordDeliveryEvents } from '../../../shared/store/ingest-store.ts';
import { updateMessage } from '../../../shared/store/message-store.ts';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';
import { seedMessage } from '../../helpers/message-fixture.ts';

/*
 * The outbox (docs/outcomes.md#the-outbox): with OUTCOME_PUSH on, the step that reaches an
 * outcome writes `outcomes/{messageId}~{kind}` in its own transaction, through the real client
 * against the emulator; off, nothing is written at all.
 */

const fs = useFirestoreEmulator();
const retentionMs = 90 * 86_400_000;
const now = new Date('2026-12-03T10:00:00.000Z');

function pendingMessage(messageId: string, callback?: string): Message {
  return refreshDerived({
    messageId,
    agentId: 'agent',
    phoneNumber: '+14155550123',
    tracked: true,
    status: 'pending',
    policy: policies.otp,
    labels: { campaign: 'otp' },
    ...(callback ? { callback: { url: callback } } : {}),
    createdAt: now,
    deadline: new Date(now.getTime() + 120_000),
    revocation: { state: 'none', attempts: 0, round: 0, answeredRound: 0, taskSequence: 0 },
    fallback: { state: 'none', enabled: false },
    duplicateDelivery: false,
    lateDelivery: false,
    updatedAt: now,
  });
}

const delivered = (id: string, type: 'DELIVERED' | 'READ', ms: number) => ({
  eventId: `${id}-${type}`,
  fact: {
    type,
    messageId: id,
    agentId: 'agent',
    phoneNumber: '+14155550123',
    at: new Date(now.getTime() + ms),
  },
});

async function outbox() {
  const snapshot = await fs.db.collection('outcomes').get();
  return Object.fromEntries(snapshot.docs.map((doc) => [doc.id, doc.data()]));
}

describe('the outcomes outbox', () => {
  it('the webhook transaction writes one document per outcome reached, and a repeat adds none', async () => {
    await seedMessage(fs.db, pendingMessage('m-1', 'https://business.example/hooks/rbm'));
    const context = { now, retentionMs, outcomePush: true };
    await recordDeliveryEvents(fs.db, [delivered('m-1', 'DELIVERED', 500)], {}, context);
    await recordDeliveryEvents(
      fs.db,
      [delivered('m-1', 'DELIVERED', 500), delivered('m-1', 'READ', 900)],
      {},
      context,
    );
    const docs = await outbox();
    expect(Object.keys(docs).sort()).toEqual(['m-1~delivered', 'm-1~read']);
    expect(docs['m-1~delivered']).toMatchObject({
      kind: 'delivered',
      messageId: 'm-1',
      state: 'pending',
      attempts: 0,
      callbackUrl: 'https://business.example/hooks/rbm',
      payload: { type: 'message.delivered', version: 1, data: { messageId: 'm-1', status: 'delivered' } },
    });
    expect(docs['m-1~read']!.expireAt.toDate().getTime()).toBe(now.getTime() + retentionMs);
  });

  it('updateMessage writes what a step reached, in the same transaction', async () => {
    await seedMessage(fs.db, pendingMessage('m-2'));
    await updateMessage(fs.db, 'm-2', { retentionMs, outcomePush: true }, (message) => {
      const next = structuredClone(message!);
      next.revocation = { ...next.revocation, state: 'failed', reason: 'retry budget spent' };
      next.updatedAt = new Date(now.getTime() + 1_000);
      return { message: refreshDerived(next), result: undefined };
    });
    const docs = await outbox();
    expect(Object.keys(docs)).toEqual(['m-2~failed']);
    expect(docs['m-2~failed']).toMatchObject({ payload: { data: { reason: 'retry budget spent' } } });
    expect(docs['m-2~failed']!.callbackUrl).toBeUndefined();
  });

  it('push off: the same steps write no outbox document', async () => {
    await seedMessage(fs.db, pendingMessage('m-3'));
    await recordDeliveryEvents(fs.db, [delivered('m-3', 'READ', 900)], {}, { now, retentionMs });
    await updateMessage(fs.db, 'm-3', { retentionMs }, (message) => ({
      message: { ...message!, updatedAt: now },
      result: undefined,
    }));
    await updateMessage(fs.db, 'm-3', { retentionMs, outcomePush: false }, (message) => ({
      message: { ...message!, updatedAt: now },
      result: undefined,
    }));
    expect(await outbox()).toEqual({});
    expect((await fs.db.doc('messages/m-3').get()).get('status')).toBe('read');
  });
});

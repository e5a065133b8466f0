import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { postSigned, userEvent } from '../../helpers/rbm-events.ts';
import { clientToken, registeredMessage, saveMessage, useWebhook } from '../../helpers/webhook-fixture.ts';

const webhook = useWebhook();
const send = (payload: object) => postSigned(webhook.url, clientToken, payload);
const message = async (id: string) => (await webhook.fs.db.collection('messages').doc(id).get()).data()!;
const timelineSize = async (id: string) =>
  (await webhook.fs.db.collection('messages').doc(id).collection('events').count().get()).data().count;

describe('law 7: every event is stored once however often it is retried', () => {
  it('the same DELIVERED posted five times, some concurrently, is one event and one delivery', async () => {
    const id = randomUUID();
    await saveMessage(webhook.fs.db, registeredMessage(id));
    const event = userEvent('DELIVERED', { messageId: id });
    await send(event);
    const responses = await Promise.all([send(event), send(event), send(event), send(event)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await timelineSize(id)).toBe(1);
    expect((await message(id)).status).toBe('delivered');
  });
});

describe('reordering', () => {
  it('READ before DELIVERED ends read, with the DELIVERED time as delivery time', async () => {
    const id = randomUUID();
    await saveMessage(webhook.fs.db, registeredMessage(id));
    await send(userEvent('READ', { messageId: id, sendTime: '2026-11-21T10:00:05Z' }));
    await send(userEvent('DELIVERED', { messageId: id, sendTime: '2026-11-21T10:00:02Z' }));
    const doc = await message(id);
    expect(doc.status).toBe('read');
    expect(doc.deliveredAt.toDate().toISOString()).toBe('2026-11-21T10:00:02.000Z');
    expect(doc.readAt.toDate().toISOString()).toBe('2026-11-21T10:00:05.000Z');
    expect(await timelineSize(id)).toBe(2);
  });

  it('DELIVERED after a revoke was requested is recorded as a lost race', async () => {
    const id = randomUUID();
    await saveMessage(
      webhook.fs.db,
      registeredMessage(id, {
        revocation: {
          state: 'requested',
          attempts: 1,
          round: 1,
          answeredRound: 1,
          taskSequence: 0,
          lastStatus: 200,
        },
      }),
    );
    await send(userEvent('DELIVERED', { messageId: id }));
    const doc = await message(id);
    expect(doc.status).toBe('delivered');
    expect(doc.revocation.state).toBe('lost_race');
    expect(doc.lateDelivery).toBe(true);
    expect(doc.fallback.state).toBe('skipped');
  });

  it('DELIVERED after the fallback SMS went out is flagged as a duplicate delivery', async () => {
    const id = randomUUID();
    await saveMessage(
      webhook.fs.db,
      registeredMessage(id, {
        revocation: { state: 'confirmed', attempts: 1, round: 1, answeredRound: 1, taskSequence: 0 },
        fallback: { state: 'sent', enabled: true, sentAt: new Date(), providerId: 'sms-1' },
      }),
    );
    await send(userEvent('DELIVERED', { messageId: id }));
    const doc = await message(id);
    expect(doc.status).toBe('duplicate');
    expect(doc.duplicateDelivery).toBe(true);
    expect(doc.fallback.providerId).toBe('sms-1');
  });
});

describe('batched receipts', () => {
  const batch = (receipts: Array<{ id: string; type: 'DELIVERED' | 'READ' }>) => ({
    agent: 'brands/b/agents/test-agent',
    conversationId: 'conversation-1',
    customAgentId: 'custom',
    sendTime: '2026-11-21T10:00:09Z',
    receipts: {
      receipts: receipts.map((r) => ({
        message: `conversations/conversation-1/messages/${r.id}`,
        receiptType: r.type,
      })),
      createTime: '2026-11-21T10:00:08Z',
    },
  });

  it('applies each receipt to its own message, and a retried batch changes nothing', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await saveMessage(webhook.fs.db, registeredMessage(a));
    await saveMessage(webhook.fs.db, registeredMessage(b));
    const payload = batch([
      { id: a, type: 'DELIVERED' },
      { id: b, type: 'READ' },
      { id: c, type: 'DELIVERED' },
    ]);
    expect((await send(payload)).status).toBe(200);
    expect((await message(a)).status).toBe('delivered');
    expect((await message(b)).status).toBe('read');
    expect((await message(c)).status).toBe('untracked');
    await send(payload);
    expect(await Promise.all([a, b, c].map(timelineSize))).toEqual([1, 1, 1]);
  });

  it('handles several receipts for the same message in one payload', async () => {
    const a = randomUUID();
    await saveMessage(webhook.fs.db, registeredMessage(a));
    await send(
      batch([
        { id: a, type: 'DELIVERED' },
        { id: a, type: 'READ' },
      ]),
    );
    expect((await message(a)).status).toBe('read');
    expect(await timelineSize(a)).toBe(2);
  });
});

describe('opt-out', () => {
  it('UNSUBSCRIBE opts the number out; a later SUBSCRIBE opts it back in; order is by sendTime', async () => {
    const optOut = () => webhook.fs.db.collection('optOuts').doc('+14155550123').get();
    await send(userEvent('UNSUBSCRIBE', { sendTime: '2026-11-21T10:00:00Z' }));
    expect((await optOut()).get('optedOut')).toBe(true);
    await send(userEvent('SUBSCRIBE', { sendTime: '2026-11-21T11:00:00Z' }));
    expect((await optOut()).get('optedOut')).toBe(false);
    // An UNSUBSCRIBE that happened earlier but arrives late does not undo the SUBSCRIBE.
    await send(userEvent('UNSUBSCRIBE', { sendTime: '2026-11-21T10:30:00Z' }));
    expect((await optOut()).get('optedOut')).toBe(false);
    expect((await webhook.fs.db.collection('userEvents').count().get()).data().count).toBe(3);
  });
});

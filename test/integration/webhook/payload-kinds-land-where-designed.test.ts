import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { phone, postSigned, serverEvent, userEvent } from '../../helpers/rbm-events.ts';
import { clientToken, registeredMessage, saveMessage, useWebhook } from '../../helpers/webhook-fixture.ts';

const webhook = useWebhook();
const send = (payload: object, attributes: Record<string, string> = {}) =>
  postSigned(webhook.url, clientToken, payload, attributes);
const message = (id: string) => webhook.fs.db.collection('messages').doc(id).get();
const timeline = async (id: string) =>
  (await webhook.fs.db.collection('messages').doc(id).collection('events').get()).docs.map((d) => d.data());

describe('delivery events for a registered message', () => {
  it('DELIVERED sets deliveredAt and status, and lands in the message timeline under its eventId', async () => {
    const id = randomUUID();
    await saveMessage(webhook.fs.db, registeredMessage(id));
    const event = userEvent('DELIVERED', { messageId: id, sendTime: '2026-11-21T10:00:01.500Z' });
    expect((await send(event)).status).toBe(200);

    const doc = await message(id);
    expect(doc.get('status')).toBe('delivered');
    expect(doc.get('deliveredAt').toDate().toISOString()).toBe('2026-11-21T10:00:01.500Z');
    expect(doc.get('tracked')).toBe(true);
    const stored = await webhook.fs.db.doc(`messages/${id}/events/${event.eventId}`).get();
    expect(stored.data()).toMatchObject({ type: 'DELIVERED', source: 'platform', payload: event });
  });

  it('READ marks read and delivered', async () => {
    const id = randomUUID();
    await saveMessage(webhook.fs.db, registeredMessage(id));
    await send(userEvent('READ', { messageId: id }));
    const doc = await message(id);
    expect(doc.get('status')).toBe('read');
    expect(doc.get('readAt')).toBeDefined();
    expect(doc.get('deliveredAt')).toEqual(doc.get('readAt'));
  });

  it('TTL_EXPIRATION_REVOKED (server event, phoneNumber field) confirms the revocation', async () => {
    const id = randomUUID();
    await saveMessage(webhook.fs.db, registeredMessage(id, { fallback: { state: 'none', enabled: false } }));
    expect((await send(serverEvent('TTL_EXPIRATION_REVOKED', id))).status).toBe(200);
    const doc = await message(id);
    expect(doc.get('status')).toBe('revoked');
    expect(doc.get('revocation.state')).toBe('confirmed');
    expect((await timeline(id)).map((e) => e.type)).toEqual(['TTL_EXPIRATION_REVOKED']);
  });
});

describe('events for a message never registered', () => {
  it('creates an untracked message rather than dropping the event', async () => {
    const id = randomUUID();
    expect((await send(userEvent('DELIVERED', { messageId: id }))).status).toBe(200);
    const doc = await message(id);
    expect(doc.data()).toMatchObject({
      tracked: false,
      status: 'untracked',
      messageId: id,
      phoneNumber: phone,
    });
    expect(doc.get('deliveredAt')).toBeDefined();
    expect(await timeline(id)).toHaveLength(1);
  });
});

describe('payloads that are not about an agent message', () => {
  it('stores user messages of each content kind under userMessages/{messageId}', async () => {
    const contents = [
      { text: 'hello' },
      { suggestionResponse: { postbackData: 'yes', text: 'Yes' } },
      { location: { latitude: 48.85, longitude: 2.35 } },
      { userFile: { payload: { mimeType: 'image/jpeg', fileSizeBytes: 10, fileUri: 'https://example/f' } } },
    ];
    for (const content of contents) {
      const userMessageId = randomUUID();
      const payload = {
        senderPhoneNumber: phone,
        messageId: userMessageId,
        sendTime: new Date().toISOString(),
        agentId: 'test-agent',
        ...content,
      };
      expect((await send(payload)).status).toBe(200);
      const doc = await webhook.fs.db.collection('userMessages').doc(userMessageId).get();
      expect(doc.get('payload')).toEqual(payload);
      expect(doc.get('phoneNumber')).toBe(phone);
    }
  });

  it('stores IS_TYPING under userEvents/{eventId}', async () => {
    const event = userEvent('IS_TYPING');
    await send(event);
    const doc = await webhook.fs.db.collection('userEvents').doc(event.eventId).get();
    expect(doc.get('eventType')).toBe('IS_TYPING');
  });

  it('stores agent launch events under agentEvents/{eventId}', async () => {
    const event = {
      eventId: randomUUID(),
      agentId: 'test-agent',
      oldLaunchState: 'PENDING',
      newLaunchState: 'LAUNCHED',
    };
    expect((await send(event, { type: 'agent_launch_event' })).status).toBe(200);
    const doc = await webhook.fs.db.collection('agentEvents').doc(event.eventId).get();
    expect(doc.get('payload')).toEqual(event);
  });

  it('keeps an unknown kind raw in unknownEvents', async () => {
    expect((await send({ brandNewThing: { a: 1 } })).status).toBe(200);
    const docs = (await webhook.fs.db.collection('unknownEvents').get()).docs;
    expect(docs.map((d) => d.get('payload'))).toEqual([{ brandNewThing: { a: 1 } }]);
  });
});

describe('dead letters', () => {
  it('keeps a verified payload that cannot be parsed, with the reason, and answers 200', async () => {
    const broken = userEvent('READ'); // READ without messageId is not a valid RBM event
    const response = await send(broken);
    expect(response.status).toBe(200);
    const letters = (await webhook.fs.db.collection('deadLetters').get()).docs.map((d) => d.data());
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ reason: 'messageId: required on READ', data: JSON.stringify(broken) });
    // Retried, it stays one letter.
    await send(broken);
    expect((await webhook.fs.db.collection('deadLetters').count().get()).data().count).toBe(1);
  });

  it('dead-letters data that is not JSON', async () => {
    expect((await postSigned(webhook.url, clientToken, 'this is not json')).status).toBe(200);
    const letters = (await webhook.fs.db.collection('deadLetters').get()).docs.map((d) => d.data());
    expect(letters).toMatchObject([{ reason: 'message.data is not JSON', data: 'this is not json' }]);
  });
});

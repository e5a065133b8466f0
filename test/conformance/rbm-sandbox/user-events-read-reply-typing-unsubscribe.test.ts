import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { payloads, type Rig, rig, start } from './setup.ts';

const phone = '+15550007777';

describe('what users do: READ, replies, IS_TYPING, opt-out', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('posts READ with the message id after the drawn read delay', async () => {
    r.sandbox.setPhone(phone, { read: { probability: 1, delay: 5_000 } });
    const messageId = randomUUID();
    await r.api.text(phone, 'hello', { messageId });
    await r.advance(1_000 + 4_999);
    expect(payloads(r.receiver).map((p) => p.eventType)).toEqual(['DELIVERED']);
    await r.advance(1);
    const read = payloads(r.receiver)[1];
    expect(read).toEqual({
      senderPhoneNumber: phone,
      eventType: 'READ',
      eventId: expect.any(String),
      messageId,
      sendTime: new Date(start + 6_000).toISOString(),
      agentId: 'test-agent',
    });
    expect(r.sandbox.truth.message(messageId)).toMatchObject({
      deliveredAt: start + 1_000,
      readAt: start + 6_000,
    });
  });

  it('never posts READ for a number that never reads', async () => {
    r.sandbox.setPhone(phone, { read: { probability: 1, delay: 1_000 }, neverReads: true });
    const messageId = randomUUID();
    await r.api.text(phone, 'hello', { messageId });
    await r.advance(3_600_000);
    expect(payloads(r.receiver).map((p) => p.eventType)).toEqual(['DELIVERED']);
    expect(r.sandbox.truth.message(messageId)!.readAt).toBeNull();
  });

  it('a user with read receipts off reads (the truth knows when) but no READ is posted', async () => {
    r.sandbox.setPhone(phone, { read: { probability: 1, delay: 5_000 }, readReceipts: false });
    const messageId = randomUUID();
    await r.api.text(phone, 'hello', { messageId });
    await r.advance(3_600_000);
    expect(payloads(r.receiver).map((p) => p.eventType)).toEqual(['DELIVERED']);
    expect(r.sandbox.truth.message(messageId)).toMatchObject({
      deliveredAt: start + 1_000,
      readAt: start + 6_000,
      readReported: false,
    });
    // Turned back on, the next message's READ is posted again.
    r.sandbox.setPhone(phone, { readReceipts: true });
    const next = randomUUID();
    await r.api.text(phone, 'again', { messageId: next });
    await r.advance(60_000);
    expect(payloads(r.receiver).map((p) => p.eventType)).toEqual(['DELIVERED', 'DELIVERED', 'READ']);
    expect(r.sandbox.truth.message(next)!.readReported).toBe(true);
  });

  it('replies with text after IS_TYPING', async () => {
    r.sandbox.setPhone(phone, {
      read: { probability: 1, delay: 1_000 },
      reply: { probability: 1, delay: 10_000, typing: true, text: 'Got it' },
    });
    await r.api.text(phone, 'Your parcel arrives today');
    await r.advance(60_000);
    const [delivered, read, typing, reply] = payloads(r.receiver);
    expect([delivered.eventType, read.eventType, typing.eventType]).toEqual([
      'DELIVERED',
      'READ',
      'IS_TYPING',
    ]);
    // IS_TYPING carries no messageId.
    expect(Object.keys(typing).sort()).toEqual([
      'agentId',
      'eventId',
      'eventType',
      'sendTime',
      'senderPhoneNumber',
    ]);
    expect(reply).toEqual({
      senderPhoneNumber: phone,
      messageId: expect.any(String),
      sendTime: new Date(start + 12_000).toISOString(),
      agentId: 'test-agent',
      text: 'Got it',
    });
    expect(r.sandbox.truth.phone(phone)!.userActivity.map((a) => a.type)).toEqual(['typing', 'text']);
  });

  it('taps a suggestion the message offered and sends its postback data', async () => {
    await r.close();
    r = await rig({
      population: {
        read: { probability: 1, delay: 1_000 },
        reply: { probability: 1, delay: 2_000, typing: false, suggestionShare: 1, texts: ['x'] },
      },
    });
    await r.api.send(phone, {
      contentMessage: {
        text: 'Still want the 3pm slot?',
        suggestions: [{ reply: { text: 'Yes', postbackData: 'slot-yes' } }],
      },
    });
    await r.advance(10_000);
    const reply = payloads(r.receiver).find((p) => 'suggestionResponse' in p);
    expect(reply.suggestionResponse).toEqual({ postbackData: 'slot-yes', text: 'Yes', type: 'REPLY' });
    expect(reply.senderPhoneNumber).toBe(phone);
  });

  it('opts out on demand: the keyword STOP as a user message and an UNSUBSCRIBE event', async () => {
    await r.api.text(phone, 'promo');
    await r.advance(2_000);
    r.sandbox.userAction(phone, { type: 'unsubscribe' });
    await r.advance(0);
    const [, stop, unsubscribe] = payloads(r.receiver);
    expect(stop).toMatchObject({ senderPhoneNumber: phone, text: 'STOP', agentId: 'test-agent' });
    expect(unsubscribe).toMatchObject({ senderPhoneNumber: phone, eventType: 'UNSUBSCRIBE' });
    expect(unsubscribe.messageId).toBeUndefined();
    expect(r.sandbox.truth.phone(phone)!.unsubscribedAt).toBe(r.clock.now());
  });

  it('opts out by itself with the drawn probability', async () => {
    r.sandbox.setPhone(phone, { unsubscribe: { probability: 1, delay: 30_000 } });
    await r.api.text(phone, 'promo');
    await r.advance(31_000);
    expect(payloads(r.receiver).map((p) => p.eventType ?? p.text)).toEqual([
      'DELIVERED',
      'STOP',
      'UNSUBSCRIBE',
    ]);
  });

  it('drives user actions over HTTP too: text, suggestion, typing, read', async () => {
    const messageId = randomUUID();
    await r.api.text(phone, 'hello', { messageId });
    await r.advance(1_000);
    const act = (body: object) =>
      fetch(`${r.sandbox.url}/sandbox/phones/${encodeURIComponent(phone)}/actions`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
    expect((await act({ type: 'typing' })).status).toBe(200);
    expect((await act({ type: 'text', text: 'hi there' })).status).toBe(200);
    expect((await act({ type: 'suggestion', postbackData: 'pb', text: 'Yes' })).status).toBe(200);
    expect((await act({ type: 'read', messageId })).status).toBe(200);
    expect((await act({ type: 'read', messageId })).status).toBe(409);
    expect((await act({ type: 'dance' })).status).toBe(400);
    await r.advance(0);
    expect(
      payloads(r.receiver).map((p) => p.eventType ?? p.text ?? p.suggestionResponse.postbackData),
    ).toEqual(['DELIVERED', 'IS_TYPING', 'hi there', 'pb', 'READ']);
  });
});

describe('agentEvents.create (agent -> user)', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('records READ receipts and IS_TYPING the agent sends, and ignores a reused eventId', async () => {
    r.sandbox.userAction(phone, { type: 'text', text: 'hello?' });
    await r.advance(0);
    const userMessageId = payloads(r.receiver)[0].messageId;
    const eventId = randomUUID();
    const read = await r.api.agentEvent(phone, { eventType: 'READ', messageId: userMessageId }, { eventId });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      name: `phones/${phone}/agentEvents/${eventId}`,
      eventType: 'READ',
      messageId: userMessageId,
    });
    expect((await r.api.agentEvent(phone, { eventType: 'IS_TYPING' }, { eventId })).status).toBe(200);
    expect((await r.api.agentEvent(phone, { eventType: 'IS_TYPING' })).status).toBe(200);
    expect(r.sandbox.truth.phone(phone)!.agentEvents.map((e) => [e.eventType, e.messageId])).toEqual([
      ['READ', userMessageId],
      ['IS_TYPING', null],
    ]);
  });

  it('validates the event like the platform', async () => {
    expect((await r.api.agentEvent(phone, { eventType: 'READ' })).status).toBe(400);
    expect((await r.api.agentEvent(phone, { eventType: 'DANCE' })).status).toBe(400);
    expect((await r.api.agentEvent(phone, { eventType: 'IS_TYPING' }, { eventId: 'nope' })).status).toBe(400);
    r.sandbox.setPhone('+15550008888', { rcs: false });
    expect((await r.api.agentEvent('+15550008888', { eventType: 'IS_TYPING' })).status).toBe(404);
  });
});

import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientToken, type Delivered, type Json, type Rig, rig, start, unwrap } from './setup.ts';

const phone = '+15550009191';

/**
 * The signature is checked here with node:crypto directly, as the agent's
 * webhook would, not with the sandbox's own signing code:
 * X-Goog-Signature = base64(HMAC-SHA512(key = clientToken, bytes = base64-decoded message.data)).
 */
function verifies(signatureHeader: string, data: Buffer, key: string): boolean {
  const expected = createHmac('sha512', key).update(data).digest();
  const given = Buffer.from(signatureHeader, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhook deliveries: Pub/Sub-push envelope, signature, payload fields', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('wraps every payload in the Pub/Sub push envelope with a valid X-Goog-Signature', async () => {
    const messageId = randomUUID();
    await r.api.text(phone, 'hello', { messageId });
    await r.advance(1_000);
    const [request] = r.receiver.deliveries();
    const { envelope, data } = unwrap(request!);
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toMatch(/application\/json/);
    // The label the platform adds (2026), outside the signature.
    expect(request!.headers['x-goog-webhook-type']).toBe('message_callback');
    expect(Object.keys(envelope).sort()).toEqual(['message', 'subscription']);
    expect(envelope.subscription).toBe('projects/rbm-sandbox/subscriptions/rbm-agent-subscription');
    expect(envelope.message).toMatchObject({
      data: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
      attributes: {},
      messageId: expect.stringMatching(/^\d+$/),
      publishTime: new Date(start + 1_000).toISOString(),
    });
    const header = request!.headers['x-goog-signature'] as string;
    expect(verifies(header, data, clientToken)).toBe(true);
    // The same check fails with another key or other bytes, so it proves something.
    expect(verifies(header, data, 'not-the-token')).toBe(false);
    expect(verifies(header, Buffer.concat([data, Buffer.from(' ')]), clientToken)).toBe(false);
  });

  it('user events name the phone senderPhoneNumber and carry exactly the documented fields', async () => {
    const messageId = randomUUID();
    r.sandbox.setPhone(phone, { read: { probability: 1, delay: 1_000 } });
    await r.api.text(phone, 'hello', { messageId });
    await r.advance(2_000);
    r.sandbox.userAction(phone, { type: 'typing' });
    await r.advance(0);
    const events = r.receiver.deliveries().map((q) => unwrap(q));
    expect(events.map((e) => e.payload.eventType)).toEqual(['DELIVERED', 'READ', 'IS_TYPING']);
    for (const { payload, request, data } of events) {
      expect(verifies(request.headers['x-goog-signature'] as string, data, clientToken)).toBe(true);
      const expected = ['agentId', 'eventId', 'eventType', 'sendTime', 'senderPhoneNumber'];
      if (payload.eventType !== 'IS_TYPING') expected.push('messageId');
      expect(Object.keys(payload).sort()).toEqual(expected.sort());
      expect(payload.senderPhoneNumber).toBe(phone);
      expect(payload).not.toHaveProperty('phoneNumber');
    }
    expect(events[0]!.payload.messageId).toBe(messageId);
  });

  it('server events name the phone phoneNumber and carry exactly the documented fields', async () => {
    r.sandbox.setPhone(phone, { offline: [{ forMs: 3_600_000 }] });
    const messageId = randomUUID();
    await r.api.text(phone, 'code', { messageId }, { ttl: '60s' });
    await r.advance(60_000);
    const { payload, request, data } = unwrap(r.receiver.deliveries()[0]!);
    expect(verifies(request.headers['x-goog-signature'] as string, data, clientToken)).toBe(true);
    expect(Object.keys(payload).sort()).toEqual([
      'agentId',
      'eventId',
      'eventType',
      'messageId',
      'phoneNumber',
      'sendTime',
    ]);
    expect(payload).toMatchObject({ phoneNumber: phone, eventType: 'TTL_EXPIRATION_REVOKED', messageId });
    expect(payload).not.toHaveProperty('senderPhoneNumber');
  });

  it('user messages carry senderPhoneNumber, messageId, sendTime, agentId and the content', async () => {
    r.sandbox.userAction(phone, { type: 'text', text: 'Is my order shipped?' }, 'agent-b');
    await r.advance(0);
    const { payload } = unwrap(r.receiver.deliveries()[0]!);
    expect(Object.keys(payload).sort()).toEqual([
      'agentId',
      'messageId',
      'sendTime',
      'senderPhoneNumber',
      'text',
    ]);
    expect(payload).toMatchObject({
      senderPhoneNumber: phone,
      agentId: 'agent-b',
      text: 'Is my order shipped?',
    });
  });

  it('agent launch events are told apart by attributes.type agent_launch_event', async () => {
    const res = await fetch(`${r.sandbox.url}/sandbox/webhook/agent-launch-events`, {
      method: 'POST',
      body: JSON.stringify({
        agentId: 'test-agent',
        oldLaunchState: 'LAUNCH_STATE_PENDING',
        newLaunchState: 'LAUNCH_STATE_LAUNCHED',
      }),
    });
    expect(res.status).toBe(200);
    await r.advance(0);
    const { envelope, payload, request, data } = unwrap(r.receiver.deliveries()[0]!);
    expect(envelope.message.attributes.type).toBe('agent_launch_event');
    expect(request.headers['x-goog-webhook-type']).toBe('agent_callback');
    expect(payload).toMatchObject({
      eventId: expect.any(String),
      agentId: 'test-agent',
      oldLaunchState: 'LAUNCH_STATE_PENDING',
      newLaunchState: 'LAUNCH_STATE_LAUNCHED',
    });
    expect(verifies(request.headers['x-goog-signature'] as string, data, clientToken)).toBe(true);
  });

  it('signs with the current clientToken after it is rotated', async () => {
    r.sandbox.configureWebhook({ clientToken: 'rotated-token' });
    r.sandbox.userAction(phone, { type: 'typing' });
    await r.advance(0);
    const { request, data } = unwrap(r.receiver.deliveries()[0]!);
    expect(verifies(request.headers['x-goog-signature'] as string, data, 'rotated-token')).toBe(true);
    expect(verifies(request.headers['x-goog-signature'] as string, data, clientToken)).toBe(false);
  });
});

/** Every delivery: signed (checked here with node:crypto) and carrying exactly `keys`, no more, no fewer. */
function expectSignedWithExactly(delivery: Delivered, keys: string[], key = clientToken): void {
  const header = delivery.request.headers['x-goog-signature'];
  expect(typeof header).toBe('string');
  expect(verifies(header as string, delivery.data, key)).toBe(true);
  expect(Object.keys(delivery.payload).sort()).toEqual([...keys].sort());
}

const userEventKeys = ['senderPhoneNumber', 'eventType', 'eventId', 'sendTime', 'agentId'];
const serverEventKeys = ['phoneNumber', 'eventType', 'eventId', 'messageId', 'sendTime', 'agentId'];
const userMessageKeys = ['senderPhoneNumber', 'messageId', 'sendTime', 'agentId'];

describe('every kind of payload carries exactly the documented field names, signed', () => {
  let r: Rig;
  afterEach(() => r.close());
  const deliveries = () => r.receiver.deliveries().map((q) => unwrap(q));

  it('TTL_EXPIRATION_REVOKE_FAILED (revoke lost to a racing number) names the phone phoneNumber, never senderPhoneNumber', async () => {
    r = await rig();
    r.sandbox.setPhone(phone, { offline: [{ forMs: 3_600_000 }], racesRevoke: { deliveredAfterMs: 400 } });
    const messageId = randomUUID();
    await r.api.text(phone, 'code', { messageId }, { ttl: '60s' });
    await r.advance(60_000);
    await r.advance(400);
    const [failed, delivered] = deliveries();
    expectSignedWithExactly(failed!, serverEventKeys);
    expect(failed!.payload).toEqual({
      phoneNumber: phone,
      eventType: 'TTL_EXPIRATION_REVOKE_FAILED',
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      messageId,
      sendTime: new Date(start + 60_000).toISOString(),
      agentId: 'test-agent',
    });
    expect(failed!.payload).not.toHaveProperty('senderPhoneNumber');
    expectSignedWithExactly(delivered!, [...userEventKeys, 'messageId']);
    expect(delivered!.payload).toMatchObject({ senderPhoneNumber: phone, eventType: 'DELIVERED', messageId });
  });

  it('a server event for an expiry that lost the race to an in-flight delivery (no rule) has the same fields', async () => {
    r = await rig();
    // The whole 20 s latency is in flight: the 10 s ttl lands mid-delivery.
    r.sandbox.setPhone(phone, { latency: 20_000, inFlight: 20_000 });
    const messageId = randomUUID();
    await r.api.text(phone, 'code', { messageId }, { ttl: '10s' });
    await r.advance(0);
    await r.advance(10_000);
    await r.advance(10_000);
    const [failed, delivered] = deliveries();
    expectSignedWithExactly(failed!, serverEventKeys);
    expect(failed!.payload).toMatchObject({
      phoneNumber: phone,
      eventType: 'TTL_EXPIRATION_REVOKE_FAILED',
      messageId,
    });
    expectSignedWithExactly(delivered!, [...userEventKeys, 'messageId']);
    expect(delivered!.payload).toMatchObject({ eventType: 'DELIVERED', messageId });
  });

  it('a suggestion reply: senderPhoneNumber, messageId, sendTime, agentId, suggestionResponse{postbackData,text,type}', async () => {
    r = await rig();
    r.sandbox.userAction(phone, { type: 'suggestion', postbackData: 'slot-yes', text: 'Yes' }, 'agent-s');
    await r.advance(0);
    const [reply] = deliveries();
    expectSignedWithExactly(reply!, [...userMessageKeys, 'suggestionResponse']);
    expect(Object.keys(reply!.payload.suggestionResponse).sort()).toEqual(['postbackData', 'text', 'type']);
    expect(reply!.payload).toEqual({
      senderPhoneNumber: phone,
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sendTime: new Date(start).toISOString(),
      agentId: 'agent-s',
      suggestionResponse: { postbackData: 'slot-yes', text: 'Yes', type: 'REPLY' },
    });
  });

  it('UNSUBSCRIBE (after the STOP keyword message) and SUBSCRIBE: user events without messageId', async () => {
    r = await rig();
    r.sandbox.userAction(phone, { type: 'unsubscribe' }, 'agent-u');
    await r.advance(1_000);
    expect(r.sandbox.truth.phone(phone)!.unsubscribedAt).toBe(start);
    r.sandbox.userAction(phone, { type: 'subscribe' }, 'agent-u');
    await r.advance(0);
    const [stop, unsubscribe, subscribe] = deliveries();
    expectSignedWithExactly(stop!, [...userMessageKeys, 'text']);
    expect(stop!.payload).toMatchObject({ senderPhoneNumber: phone, text: 'STOP' });
    expectSignedWithExactly(unsubscribe!, userEventKeys);
    expect(unsubscribe!.payload).toEqual({
      senderPhoneNumber: phone,
      eventType: 'UNSUBSCRIBE',
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sendTime: new Date(start).toISOString(),
      agentId: 'agent-u',
    });
    expectSignedWithExactly(subscribe!, userEventKeys);
    expect(subscribe!.payload).toEqual({
      senderPhoneNumber: phone,
      eventType: 'SUBSCRIBE',
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sendTime: new Date(start + 1_000).toISOString(),
      agentId: 'agent-u',
    });
    expect(r.sandbox.truth.phone(phone)!.unsubscribedAt).toBeNull();
    expect(r.sandbox.truth.phone(phone)!.userActivity.map((a) => a.type)).toEqual([
      'unsubscribe',
      'subscribe',
    ]);
  });

  it('batched receipts: exactly the Business Messages receipts fields, at every level', async () => {
    r = await rig({ webhook: { batchReceipts: { windowMs: 5_000, maxReceipts: 10 } } });
    const ids = [randomUUID(), randomUUID()];
    for (const messageId of ids) await r.api.text(phone, 'hello', { messageId });
    await r.advance(1_000);
    await r.advance(5_000);
    const [batch] = deliveries();
    expectSignedWithExactly(batch!, ['agent', 'conversationId', 'customAgentId', 'sendTime', 'receipts']);
    expect(Object.keys(batch!.payload.receipts).sort()).toEqual(['createTime', 'receipts']);
    for (const receipt of batch!.payload.receipts.receipts)
      expect(Object.keys(receipt).sort()).toEqual(['message', 'receiptType']);
    expect(batch!.payload.receipts.receipts.map((x: Json) => x.message.split('/').at(-1))).toEqual(ids);
    expect(batch!.payload).not.toHaveProperty('senderPhoneNumber');
    expect(batch!.payload).not.toHaveProperty('phoneNumber');
  });

  it('a redelivered duplicate: the same Pub/Sub message, byte for byte, with the same fields and a valid signature', async () => {
    r = await rig({ webhook: { duplicateRate: 1 } });
    const messageId = randomUUID();
    await r.api.text(phone, 'hello', { messageId });
    await r.advance(1_000);
    await r.advance(0);
    const [first, again] = deliveries();
    expect(again).toBeDefined();
    for (const copy of [first!, again!]) {
      expectSignedWithExactly(copy, [...userEventKeys, 'messageId']);
      expect(copy.payload).toMatchObject({ senderPhoneNumber: phone, eventType: 'DELIVERED', messageId });
    }
    expect(again!.request.raw.equals(first!.request.raw)).toBe(true);
    expect(again!.request.headers['x-goog-signature']).toBe(first!.request.headers['x-goog-signature']);
    expect(again!.envelope.message.messageId).toBe(first!.envelope.message.messageId);
    expect(r.sandbox.truth.webhook.map((d) => d.duplicate)).toEqual([false, true]);
  });
});

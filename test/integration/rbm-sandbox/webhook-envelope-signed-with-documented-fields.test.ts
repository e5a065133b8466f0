import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientToken, type Rig, rig, start, unwrap } from './setup.ts';

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

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentId, payloads, type Rig, rig, start } from './setup.ts';

const phone = '+15550002222';
const day = 24 * 3_600;

describe('agentMessages.create validates like the platform', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('accepts a text message and answers with the AgentMessage resource', async () => {
    const messageId = randomUUID();
    const res = await r.api.text(phone, 'Your code is 123456', { messageId }, { ttl: '600s' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: `phones/${phone}/agentMessages/${messageId}`,
      sendTime: new Date(start).toISOString(),
      contentMessage: { text: 'Your code is 123456' },
      ttl: '600s',
    });
    expect(r.sandbox.truth.message(messageId)).toMatchObject({ status: 'queued', expireAt: start + 600_000 });
  });

  it('records the messageTrafficType as sent, and null when the body sets none', async () => {
    const typed = randomUUID();
    const res = await r.api.text(
      phone,
      'Your code',
      { messageId: typed },
      { messageTrafficType: 'AUTHENTICATION' },
    );
    expect(res.status).toBe(200);
    expect(res.body.messageTrafficType).toBe('AUTHENTICATION');
    expect(r.sandbox.truth.message(typed)?.messageTrafficType).toBe('AUTHENTICATION');
    const untyped = randomUUID();
    expect((await r.api.text(phone, 'Hello', { messageId: untyped })).status).toBe(200);
    expect(r.sandbox.truth.message(untyped)?.messageTrafficType).toBeNull();
  });

  it('refuses a messageTrafficType the enum does not hold (400 INVALID_ARGUMENT naming the field); nothing is queued', async () => {
    const messageId = randomUUID();
    const res = await r.api.text(phone, 'Sale', { messageId }, { messageTrafficType: 'MARKETING' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(res.body.error.message).toMatch(/message_traffic_type.*"MARKETING"/);
    expect(r.sandbox.truth.message(messageId)).toBeUndefined();
  });

  it('requires messageId to be a UUID and agentId to be present (400 INVALID_ARGUMENT)', async () => {
    const body = JSON.stringify({ contentMessage: { text: 'hi' } });
    for (const query of [
      `messageId=not-a-uuid&agentId=${agentId}`,
      `agentId=${agentId}`,
      `messageId=${randomUUID()}`,
    ]) {
      const res = await r.api.call('POST', `/v1/phones/${phone}/agentMessages?${query}`, body);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    }
    expect(r.sandbox.truth.messagesTo(phone)).toEqual([]);
  });

  it('ignores a second message that reuses an id, and delivers the first once', async () => {
    const messageId = randomUUID();
    expect((await r.api.text(phone, 'first', { messageId })).status).toBe(200);
    const again = await r.api.text(phone, 'second', { messageId });
    expect(again.status).toBe(200);
    expect(again.body.contentMessage.text).toBe('first');
    await r.advance(5_000);
    const truth = r.sandbox.truth.message(messageId)!;
    expect(truth).toMatchObject({ text: 'first', ignoredResends: 1, status: 'delivered' });
    expect(payloads(r.receiver).filter((p) => p.eventType === 'DELIVERED')).toHaveLength(1);
  });

  it('shares the id space between messages and events of one agent', async () => {
    const id = randomUUID();
    expect((await r.api.agentEvent(phone, { eventType: 'IS_TYPING' }, { eventId: id })).status).toBe(200);
    expect((await r.api.text(phone, 'uses a spent id', { messageId: id })).status).toBe(200);
    expect(r.sandbox.truth.message(id)).toBeUndefined();
    // Another agent has its own id space.
    expect((await r.api.text(phone, 'other agent', { messageId: id, agentId: 'other-agent' })).status).toBe(
      200,
    );
    expect(r.sandbox.truth.message(id)?.agentId).toBe('other-agent');
  });

  it('answers 404 NOT_FOUND for a number that is not RCS-capable, on send and on capabilities', async () => {
    r.sandbox.setPhone('+15550009999', { rcs: false });
    const res = await r.api.text('+15550009999', 'hi');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect((await r.api.capabilities('+15550009999')).status).toBe(404);
    const capable = await r.api.capabilities(phone);
    expect(capable.status).toBe(200);
    expect(capable.body.features).toContain('RICHCARD_STANDALONE');
    expect((await r.api.capabilities(phone, `requestId=nope&agentId=${agentId}`)).status).toBe(400);
  });

  it('accepts ttl and expireTime up to 15 days ahead and refuses more, both at once, or malformed ones', async () => {
    const at = (ms: number) => new Date(start + ms).toISOString();
    const ok = [{ ttl: `${15 * day}s` }, { ttl: '10.5s' }, { expireTime: at(15 * day * 1000) }, {}];
    for (const expiry of ok)
      expect((await r.api.text(phone, 'x', {}, expiry)).status, JSON.stringify(expiry)).toBe(200);
    const bad = [
      { ttl: `${15 * day + 1}s` },
      { expireTime: at(15 * day * 1000 + 1000) },
      { ttl: '600s', expireTime: at(600_000) },
      { ttl: '600' },
      { ttl: '0s' },
      { expireTime: 'tomorrow' },
      { expireTime: at(-1000) },
    ];
    for (const expiry of bad) {
      const res = await r.api.text(phone, 'x', {}, expiry);
      expect(res.status, JSON.stringify(expiry)).toBe(400);
      expect(res.body.error.status).toBe('INVALID_ARGUMENT');
    }
  });

  it('enforces 3,072 characters of text and 250 KB per message', async () => {
    expect((await r.api.text(phone, 'a'.repeat(3_072))).status).toBe(200);
    expect((await r.api.text(phone, 'a'.repeat(3_073))).status).toBe(400);
    const card = (size: number) => ({
      contentMessage: { richCard: { standaloneCard: { cardContent: { description: 'd'.repeat(size) } } } },
    });
    expect((await r.api.send(phone, card(240_000))).status).toBe(200);
    const big = await r.api.send(phone, card(250_001));
    expect(big.status).toBe(400);
    expect(big.body.error.message).toMatch(/250 KB/);
    // Far past it (over the 4 MiB the server reads at all): still 400 INVALID_ARGUMENT, Google's
    // answer for an oversized request body, and nothing is queued.
    const huge = await r.api.send(phone, card(5 * 1024 * 1024));
    expect(huge.status).toBe(400);
    expect(huge.body).toEqual({
      error: {
        code: 400,
        message: 'Request payload size exceeds the limit: 4194304 bytes.',
        status: 'INVALID_ARGUMENT',
      },
    });
    expect(r.sandbox.truth.messagesTo(phone)).toHaveLength(2);
  });

  it('requires exactly one kind of content and valid JSON', async () => {
    expect((await r.api.send(phone, { contentMessage: {} })).status).toBe(400);
    expect((await r.api.send(phone, { contentMessage: { text: 'a', richCard: {} } })).status).toBe(400);
    expect((await r.api.send(phone, {})).status).toBe(400);
    expect((await r.api.send(phone, '{not json')).status).toBe(400);
    expect((await r.api.send('5550002222', { contentMessage: { text: 'a' } })).status).toBe(400);
  });
});

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { payloads, type Rig, rig, start } from './setup.ts';

const phone = '+15550005555';
const minutes = 60_000;

describe('TTL expiry', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('revokes an undelivered message at its ttl and posts TTL_EXPIRATION_REVOKED; the phone never gets it', async () => {
    r.sandbox.setPhone(phone, { offline: [{ forMs: 60 * minutes }] });
    const messageId = randomUUID();
    await r.api.text(phone, 'code 1111', { messageId }, { ttl: '600s' });
    await r.advance(10 * minutes - 1);
    expect(payloads(r.receiver)).toEqual([]);
    await r.advance(1);
    expect(payloads(r.receiver)).toEqual([
      {
        phoneNumber: phone,
        eventType: 'TTL_EXPIRATION_REVOKED',
        eventId: expect.any(String),
        messageId,
        sendTime: new Date(start + 10 * minutes).toISOString(),
        agentId: 'test-agent',
      },
    ]);
    await r.advance(120 * minutes);
    expect(payloads(r.receiver).map((p) => p.eventType)).toEqual(['TTL_EXPIRATION_REVOKED']);
    expect(r.sandbox.truth.message(messageId)).toMatchObject({
      status: 'expired',
      deliveredAt: null,
      ttl: { at: start + 10 * minutes, outcome: 'revoked', notified: true },
    });
  });

  it('silentTtl: Google\'s "neither" case: revoked at its ttl, with no server event and no DELIVERED', async () => {
    r.sandbox.setPhone(phone, { offline: [{ forMs: 60 * minutes }], silentTtl: true });
    const messageId = randomUUID();
    await r.api.text(phone, 'code 3333', { messageId }, { ttl: '600s' });
    await r.advance(10 * minutes);
    expect(r.sandbox.truth.message(messageId)).toMatchObject({
      status: 'expired',
      neverDelivered: true,
      deliveredAt: null,
      ttl: { at: start + 10 * minutes, outcome: 'revoked', notified: false },
    });
    // The phone comes back: nothing reaches it, and the agent hears nothing at all.
    await r.advance(120 * minutes);
    expect(payloads(r.receiver)).toEqual([]);
    expect(r.sandbox.truth.phone(phone)?.received).toEqual([]);
    // A revoke of it now finds it gone (404), as for any message the platform already revoked.
    expect((await r.api.revoke(phone, messageId)).status).toBe(404);
    expect(r.sandbox.truth.message(messageId)?.revokeAttempts).toEqual([
      { at: start + 130 * minutes, answer: 404, outcome: 'already-gone' },
    ]);
  });

  it('silentTtl can be set and read over the control API, and only on the numbers it is set for', async () => {
    const put = await fetch(`${r.sandbox.url}/sandbox/phones/${encodeURIComponent(phone)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ silentTtl: true }),
    });
    expect(put.status).toBe(200);
    expect((await put.json()).silentTtl).toBe(true);
    const other = '+15550005556';
    r.sandbox.setPhone(other, { offline: [{ forMs: 60 * minutes }] });
    const messageId = randomUUID();
    await r.api.text(other, 'code 4444', { messageId }, { ttl: '60s' });
    await r.advance(60_000);
    expect(payloads(r.receiver).map((p) => p.eventType)).toEqual(['TTL_EXPIRATION_REVOKED']);
  });

  it('honours expireTime the same way', async () => {
    r.sandbox.setPhone(phone, { offline: [{ forMs: 60 * minutes }] });
    const messageId = randomUUID();
    await r.api.text(
      phone,
      'sale ends',
      { messageId },
      { expireTime: new Date(start + 5 * minutes).toISOString() },
    );
    await r.advance(5 * minutes);
    expect(payloads(r.receiver).map((p) => [p.eventType, p.messageId])).toEqual([
      ['TTL_EXPIRATION_REVOKED', messageId],
    ]);
  });

  it('posts TTL_EXPIRATION_REVOKE_FAILED when the expiry loses the race, and a DELIVERED follows', async () => {
    r.sandbox.setPhone(phone, { offline: [{ forMs: 60 * minutes }], racesRevoke: { deliveredAfterMs: 400 } });
    const messageId = randomUUID();
    await r.api.text(phone, 'code 2222', { messageId }, { ttl: '60s' });
    await r.advance(60_000);
    expect(payloads(r.receiver).map((p) => p.eventType)).toEqual(['TTL_EXPIRATION_REVOKE_FAILED']);
    await r.advance(400);
    expect(payloads(r.receiver).map((p) => [p.eventType, p.messageId])).toEqual([
      ['TTL_EXPIRATION_REVOKE_FAILED', messageId],
      ['DELIVERED', messageId],
    ]);
    expect(r.sandbox.truth.message(messageId)).toMatchObject({
      status: 'delivered',
      ttl: { outcome: 'revoke-failed' },
      deliveredAt: start + 60_400,
    });
  });

  it('posts no server event for a message delivered before it expired', async () => {
    const messageId = randomUUID();
    await r.api.text(phone, 'fast', { messageId }, { ttl: '30s' });
    await r.advance(60_000);
    expect(payloads(r.receiver).map((p) => p.eventType)).toEqual(['DELIVERED']);
    expect(r.sandbox.truth.message(messageId)!.ttl).toBeNull();
  });

  it('drops a message with no expiry after 30 days undelivered, silently', async () => {
    r.sandbox.setPhone(phone, { offline: [{ forMs: 40 * 24 * 60 * minutes }] });
    const messageId = randomUUID();
    await r.api.text(phone, 'old news', { messageId });
    await r.advance(30 * 24 * 60 * minutes - 1);
    expect(r.sandbox.truth.message(messageId)!.status).toBe('queued');
    await r.advance(1);
    expect(r.sandbox.truth.message(messageId)).toMatchObject({
      status: 'expired',
      ttl: null,
      neverDelivered: true,
    });
    await r.advance(20 * 24 * 60 * minutes);
    expect(payloads(r.receiver)).toEqual([]);
    expect((await r.api.revoke(phone, messageId)).status).toBe(404);
  });
});

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { payloads, type Rig, rig } from './setup.ts';

const phone = '+15550003333';
const minutes = 60_000;

function deliveredIds(r: Rig): string[] {
  return payloads(r.receiver)
    .filter((p) => p.eventType === 'DELIVERED')
    .map((p) => p.messageId);
}

describe('agentMessages.delete (revoke)', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('answers 200 {} and removes an undelivered message from the queue: the phone never gets it', async () => {
    r.sandbox.setPhone(phone, { offline: [{ forMs: 30 * minutes }] });
    const messageId = randomUUID();
    await r.api.text(phone, 'stale soon', { messageId });
    await r.advance(5 * minutes);
    const res = await r.api.revoke(phone, messageId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    await r.advance(60 * minutes);
    const truth = r.sandbox.truth.message(messageId)!;
    expect(truth).toMatchObject({
      status: 'revoked',
      deliveredAt: null,
      revokedAt: r.clock.now() - 60 * minutes,
    });
    expect(truth.revokeAttempts).toEqual([{ at: truth.revokedAt, answer: 200, outcome: 'revoked' }]);
    expect(r.sandbox.truth.phone(phone)!.received).toEqual([]);
    expect(deliveredIds(r)).toEqual([]);
  });

  it('answers 404 once the message was delivered, and for unknown or already revoked ids', async () => {
    const messageId = randomUUID();
    await r.api.text(phone, 'hello', { messageId });
    await r.advance(2_000);
    expect(r.sandbox.truth.message(messageId)!.status).toBe('delivered');
    const res = await r.api.revoke(phone, messageId);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect(r.sandbox.truth.message(messageId)!.revokeAttempts.at(-1)).toMatchObject({
      answer: 404,
      outcome: 'already-delivered',
    });
    expect((await r.api.revoke(phone, randomUUID())).status).toBe(404);

    r.sandbox.setPhone('+15550004444', { offline: [{ forMs: 10 * minutes }] });
    const queued = randomUUID();
    await r.api.text('+15550004444', 'x', { messageId: queued });
    expect((await r.api.revoke('+15550004444', queued)).status).toBe(200);
    expect((await r.api.revoke('+15550004444', queued)).status).toBe(404);
    // Another agent cannot revoke it.
    expect((await r.api.revoke(phone, messageId, 'someone-else')).status).toBe(404);
  });

  it('a revoke that races the delivery can answer 200 and still a DELIVERED follows', async () => {
    r.sandbox.setPhone(phone, {
      offline: [{ forMs: 30 * minutes }],
      racesRevoke: { answer: 200, deliveredAfterMs: 700 },
    });
    const messageId = randomUUID();
    await r.api.text(phone, 'otp 1234', { messageId });
    await r.advance(10 * minutes);
    const res = await r.api.revoke(phone, messageId);
    expect(res.status).toBe(200);
    await r.advance(699);
    expect(deliveredIds(r)).toEqual([]);
    await r.advance(1);
    expect(deliveredIds(r)).toEqual([messageId]);
    const truth = r.sandbox.truth.message(messageId)!;
    expect(truth.status).toBe('delivered');
    expect(truth.revokedAt).toBeNull();
    expect(truth.revokeAttempts).toEqual([
      { at: truth.deliveredAt! - 700, answer: 200, outcome: 'lost-race' },
    ]);
  });

  it('a revoke that races the delivery can answer 404 with a DELIVERED following', async () => {
    r.sandbox.setPhone(phone, { racesRevoke: { answer: 404, deliveredAfterMs: 300 } });
    const messageId = randomUUID();
    await r.api.text(phone, 'otp 5678', { messageId });
    expect((await r.api.revoke(phone, messageId)).status).toBe(404);
    await r.advance(300);
    expect(deliveredIds(r)).toEqual([messageId]);
    expect(r.sandbox.truth.message(messageId)!.revokeAttempts[0]!.outcome).toBe('lost-race');
  });

  it('a revoke landing while the message is in flight races it without any rule', async () => {
    // The whole 1 s latency is the in-flight part.
    r.sandbox.setPhone(phone, { latency: 1_000, inFlight: 1_000 });
    const answers = new Set<number>();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const messageId = randomUUID();
      ids.push(messageId);
      await r.api.text(phone, `m${i}`, { messageId });
      await r.advance(0);
      expect(r.sandbox.truth.message(messageId)!.status).toBe('in-flight');
      answers.add((await r.api.revoke(phone, messageId)).status);
    }
    await r.advance(1_000);
    // Either answer happens (drawn from the seed), and every one of them was delivered anyway.
    expect([...answers].sort()).toEqual([200, 404]);
    expect(deliveredIds(r).sort()).toEqual([...ids].sort());
  });

  it('a lost race can leave the message queued with no DELIVERED; the second revoke then removes it', async () => {
    r.sandbox.setPhone(phone, {
      offline: [{ forMs: 60 * minutes }],
      racesRevoke: { answer: 404, deliveredAfterMs: null, times: 1 },
    });
    const messageId = randomUUID();
    await r.api.text(phone, 'x', { messageId });
    expect((await r.api.revoke(phone, messageId)).status).toBe(404);
    await r.advance(5 * minutes);
    expect(deliveredIds(r)).toEqual([]);
    expect(r.sandbox.truth.message(messageId)!.status).toBe('queued');
    expect((await r.api.revoke(phone, messageId)).status).toBe(200);
    await r.advance(120 * minutes);
    expect(deliveredIds(r)).toEqual([]);
    expect(r.sandbox.truth.message(messageId)!.revokeAttempts.map((a) => a.outcome)).toEqual([
      'lost-race',
      'revoked',
    ]);
  });
  it('on an ONLINE phone too, deliveredAfterMs: null holds the message queued: no DELIVERED, and the second revoke removes it', async () => {
    // Always online, 1 s latency: without the hold it would be delivered a second later.
    r.sandbox.setPhone(phone, {
      offline: [],
      racesRevoke: { answer: 404, deliveredAfterMs: null, times: 1 },
    });
    const messageId = randomUUID();
    await r.api.text(phone, 'x', { messageId });
    expect((await r.api.revoke(phone, messageId)).status).toBe(404);
    await r.advance(60 * minutes);
    expect(deliveredIds(r)).toEqual([]);
    expect(r.sandbox.truth.message(messageId)).toMatchObject({ status: 'queued', deliveredAt: null });
    expect(r.sandbox.truth.phone(phone)!.received).toEqual([]);
    expect((await r.api.revoke(phone, messageId)).status).toBe(200);
    await r.advance(120 * minutes);
    expect(deliveredIds(r)).toEqual([]);
    expect(r.sandbox.truth.message(messageId)).toMatchObject({ status: 'revoked', neverDelivered: true });
    expect(r.sandbox.truth.message(messageId)!.revokeAttempts.map((a) => [a.answer, a.outcome])).toEqual([
      [404, 'lost-race'],
      [200, 'revoked'],
    ]);
  });

  it('a held message stays held through later rules on offline spells, and goes out when the race rule is changed', async () => {
    r.sandbox.setPhone(phone, { racesRevoke: { answer: 200, deliveredAfterMs: null } });
    const messageId = randomUUID();
    await r.api.text(phone, 'x', { messageId });
    expect((await r.api.revoke(phone, messageId)).status).toBe(200);
    // New offline spells re-plan queued messages, but not a held one.
    r.sandbox.setPhone(phone, { offline: [{ forMs: 5 * minutes }] });
    await r.advance(30 * minutes);
    expect(deliveredIds(r)).toEqual([]);
    expect(r.sandbox.truth.message(messageId)!.status).toBe('queued');
    // The rule ends: the message goes on to the phone after its usual latency.
    r.sandbox.setPhone(phone, { racesRevoke: false });
    await r.advance(999);
    expect(deliveredIds(r)).toEqual([]);
    await r.advance(1);
    expect(deliveredIds(r)).toEqual([messageId]);
    expect(r.sandbox.truth.message(messageId)).toMatchObject({ status: 'delivered', revokedAt: null });
  });

  it('a held message with a ttl expires as usual: TTL_EXPIRATION_REVOKED once the race rule is used up', async () => {
    r.sandbox.setPhone(phone, { racesRevoke: { answer: 404, deliveredAfterMs: null, times: 1 } });
    const messageId = randomUUID();
    await r.api.text(phone, 'x', { messageId }, { ttl: '600s' });
    expect((await r.api.revoke(phone, messageId)).status).toBe(404);
    await r.advance(10 * minutes);
    expect(payloads(r.receiver).map((p) => [p.eventType, p.messageId])).toEqual([
      ['TTL_EXPIRATION_REVOKED', messageId],
    ]);
    expect(r.sandbox.truth.message(messageId)).toMatchObject({ status: 'expired', neverDelivered: true });
  });
});

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Json, type Rig, rig, start } from './setup.ts';

const phone = '+15550007070';
const minutes = 60_000;

describe('ground truth and the control API', () => {
  let r: Rig;
  const control = async (
    method: string,
    path: string,
    body?: object,
  ): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${r.sandbox.url}/sandbox${path}`, {
      method,
      ...(body && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('sets phone rules over HTTP and answers the resulting profile', async () => {
    const res = await control('PUT', `/phones/${encodeURIComponent(phone)}`, {
      offline: [{ forMs: 20 * minutes }],
      neverReads: true,
      racesRevoke: { answer: 404 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      phoneNumber: phone,
      rcs: true,
      read: { probability: 0 },
      race: { always: true, answer: 404 },
    });
    expect((await control('GET', `/phones/${encodeURIComponent(phone)}`)).body.race.always).toBe(true);
    expect((await control('PUT', `/phones/${encodeURIComponent(phone)}`, { offline: 'soon' })).status).toBe(
      400,
    );
    expect((await control('PUT', '/phones/12345', {})).status).toBe(400);
  });

  it('records what really happened per message and per phone, in-process and over HTTP', async () => {
    r.sandbox.setPhone(phone, {
      offline: [{ afterMs: 0, forMs: 20 * minutes }],
      read: { probability: 1, delay: 60_000 },
    });
    const [kept, revoked, expired] = [randomUUID(), randomUUID(), randomUUID()];
    await r.api.text(phone, 'kept', { messageId: kept });
    await r.api.text(phone, 'revoked', { messageId: revoked });
    await r.api.text(phone, 'expired', { messageId: expired }, { ttl: '300s' });
    await r.advance(60_000);
    await r.api.revoke(phone, revoked);
    await r.advance(30 * minutes);

    const viaHttp = (await control('GET', `/truth/messages/${kept}`)).body;
    expect(viaHttp).toEqual(r.sandbox.truth.message(kept));
    expect(viaHttp).toMatchObject({
      status: 'delivered',
      acceptedAt: start,
      deliveredAt: start + 20 * minutes + 1_000,
      readAt: start + 21 * minutes + 1_000,
      revokedAt: null,
    });
    expect(r.sandbox.truth.message(revoked)).toMatchObject({
      status: 'revoked',
      revokedAt: start + 60_000,
      deliveredAt: null,
      neverDelivered: true,
    });
    expect(viaHttp.neverDelivered).toBe(false);
    expect(r.sandbox.truth.message(expired)).toMatchObject({
      status: 'expired',
      deliveredAt: null,
      neverDelivered: true,
      ttl: { at: start + 300_000, outcome: 'revoked' },
    });

    const phoneTruth = (await control('GET', `/truth/phones/${encodeURIComponent(phone)}`)).body;
    expect(phoneTruth).toMatchObject({
      phoneNumber: phone,
      rcs: true,
      online: true,
      received: [{ messageId: kept, at: start + 20 * minutes + 1_000 }],
      offlineWindows: [{ from: start, to: start + 20 * minutes }],
    });

    const all = (await control('GET', '/truth')).body;
    expect(all.now).toBe(r.clock.now());
    expect(all.messages.map((m: { messageId: string }) => m.messageId).sort()).toEqual(
      [kept, revoked, expired].sort(),
    );
    expect(all.webhook.map((d: { label: string }) => d.label)).toEqual([
      'TTL_EXPIRATION_REVOKED',
      'DELIVERED',
      'READ',
    ]);
    expect(all.webhook.every((d: { ackedAt: number | null }) => d.ackedAt !== null)).toBe(true);
    expect((await control('GET', '/truth/webhook')).body).toHaveLength(3);
    await r.api.text('+15550007171', 'elsewhere');
    const mine = (await control('GET', `/truth/messages?phoneNumber=${encodeURIComponent(phone)}`)).body;
    expect(mine.map((m: { messageId: string }) => m.messageId).sort()).toEqual(
      [kept, revoked, expired].sort(),
    );
    // An unencoded "+" arrives as a space in a query string: it is read back as "+".
    expect((await control('GET', `/truth/messages?phoneNumber=${phone}`)).body).toEqual(mine);
    const notANumber = await control('GET', '/truth/messages?phoneNumber=5550007070');
    expect(notANumber.status).toBe(400);
    expect(notANumber.body.error).toMatch(/not an E\.164 number.*%2B/);
    expect((await control('GET', '/truth/messages')).body).toHaveLength(4);
    expect((await control('GET', `/truth/messages/${randomUUID()}`)).status).toBe(404);
    expect(r.sandbox.truth.messagesTo(phone)).toHaveLength(3);
    expect(r.sandbox.truth.webhookFor(kept).map((d) => d.label)).toEqual(['DELIVERED', 'READ']);
  });

  it('changes webhook behaviour and reads the clock over HTTP', async () => {
    const res = await control('PUT', '/webhook', { duplicateRate: 1, minBackoffMs: 1_000 });
    expect(res.body).toMatchObject({ duplicateRate: 1, minBackoffMs: 1_000, url: r.receiver.url });
    expect((await control('PUT', '/webhook', { duplicateRate: 2 })).status).toBe(400);
    expect((await control('GET', '/clock')).body).toEqual({ now: start, iso: new Date(start).toISOString() });
    expect((await control('GET', '/nothing-here')).status).toBe(404);
  });
});

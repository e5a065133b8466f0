import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRbmAuth } from '../../../shared/rbm/auth.ts';
import { createRbmClient, type RbmClient } from '../../../shared/rbm/client.ts';
import { payloads, type Rig, rig } from './setup.ts';

/**
 * "The functions reach it by setting the RBM base URL, nothing else changes":
 * the product's own RBM client and auth (shared/rbm), built exactly as the
 * functions build them from RBM_API_BASE_URL and RBM_ACCESS_TOKEN, against a
 * started sandbox.
 */

const accessToken = 'local-dev-token';
const agentId = 'product-agent';
const phone = '+15550006060';

describe("the product's RBM client against the sandbox", () => {
  let r: Rig;
  let client: RbmClient;
  beforeEach(async () => {
    // accessToken: the sandbox accepts only this bearer token, so a 200 proves the client sent it.
    r = await rig({ accessToken });
    const baseUrl = r.sandbox.url; // RBM_API_BASE_URL
    client = createRbmClient({
      baseUrl,
      agentId,
      timeoutMs: 5_000,
      auth: createRbmAuth({ baseUrl, accessToken }), // RBM_ACCESS_TOKEN
    });
  });
  afterEach(() => r.close());

  it('sends (200, the AgentMessage) and the phone receives it', async () => {
    const messageId = randomUUID();
    const sent = await client.sendMessage(phone, messageId, {
      contentMessage: { text: 'Your code is 1234' },
    });
    expect(sent).toMatchObject({
      ok: true,
      status: 200,
      body: {
        name: `phones/${phone}/agentMessages/${messageId}`,
        contentMessage: { text: 'Your code is 1234' },
      },
    });
    await r.advance(1_000);
    expect(r.sandbox.truth.message(messageId)).toMatchObject({ agentId, status: 'delivered' });
    expect(payloads(r.receiver)).toEqual([
      expect.objectContaining({ eventType: 'DELIVERED', messageId, agentId, senderPhoneNumber: phone }),
    ]);
  });

  it('revokes: 200 while queued, 404 once delivered', async () => {
    const offline = '+15550006161';
    r.sandbox.setPhone(offline, { offline: [{ forMs: 3_600_000 }] });
    const queued = randomUUID();
    expect((await client.sendMessage(offline, queued, { contentMessage: { text: 'later' } })).status).toBe(
      200,
    );
    expect(await client.revokeMessage(offline, queued)).toMatchObject({ ok: true, status: 200, body: {} });
    expect(r.sandbox.truth.message(queued)).toMatchObject({ status: 'revoked', neverDelivered: true });

    const delivered = randomUUID();
    await client.sendMessage(phone, delivered, { contentMessage: { text: 'now' } });
    await r.advance(1_000);
    expect(await client.revokeMessage(phone, delivered)).toMatchObject({
      ok: false,
      status: 404,
      error: expect.stringMatching(/^NOT_FOUND: /),
    });
  });

  it('gets 404 for a number that is not RCS-capable', async () => {
    r.sandbox.setPhone('+15550006262', { rcs: false });
    expect(
      await client.sendMessage('+15550006262', randomUUID(), { contentMessage: { text: 'hi' } }),
    ).toMatchObject({ ok: false, status: 404, error: expect.stringMatching(/^NOT_FOUND: /) });
  });

  it('gets 429 with Retry-After parsed into retryAfterMs', async () => {
    r.sandbox.setFaults([{ endpoint: 'send', kind: 'rate-limit', retryAfterSeconds: 30, times: 1 }]);
    const messageId = randomUUID();
    const limited = await client.sendMessage(phone, messageId, { contentMessage: { text: 'hi' } });
    expect(limited).toMatchObject({
      ok: false,
      status: 429,
      retryAfterMs: 30_000,
      error: expect.stringMatching(/^RESOURCE_EXHAUSTED: /),
    });
    // The retry with the same id goes through.
    expect((await client.sendMessage(phone, messageId, { contentMessage: { text: 'hi' } })).status).toBe(200);
  });

  it('sends an agent event (READ of the user message), which the sandbox records', async () => {
    r.sandbox.userAction(phone, { type: 'text', text: 'hello?' }, agentId);
    await r.advance(0);
    const userMessageId = payloads(r.receiver)[0].messageId;
    const eventId = randomUUID();
    const read = await client.sendAgentEvent(phone, eventId, { eventType: 'READ', messageId: userMessageId });
    expect(read).toMatchObject({
      ok: true,
      status: 200,
      body: { name: `phones/${phone}/agentEvents/${eventId}`, eventType: 'READ', messageId: userMessageId },
    });
    expect(r.sandbox.truth.phone(phone)!.agentEvents).toEqual([
      { at: r.clock.now(), eventId, eventType: 'READ', messageId: userMessageId },
    ]);
  });

  it('is refused (401) with another token: the token really travels', async () => {
    const baseUrl = r.sandbox.url;
    const other = createRbmClient({
      baseUrl,
      agentId,
      timeoutMs: 5_000,
      auth: createRbmAuth({ baseUrl, accessToken: 'someone-else' }),
    });
    expect(await other.sendMessage(phone, randomUUID(), { contentMessage: { text: 'hi' } })).toMatchObject({
      ok: false,
      status: 401,
      error: expect.stringMatching(/^UNAUTHENTICATED: /),
    });
  });
});

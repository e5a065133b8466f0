import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  call,
  messageRequest,
  offlineForADay,
  phoneNumbers,
  revokeNow,
  revokeTasksOf,
  timelineTimes,
} from '../../helpers/messages-api.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * GET /messages/{id} (the message and its timeline, oldest first, never the
 * SMS text), POST /messages/{id}/revoke (revoke now: one DELETE, and the
 * deadline task later does not revoke again), and what the API answers for
 * paths and methods it does not serve.
 */

const h = useStack();
const nextPhone = phoneNumbers(3);
const minute = 60_000;

function offlinePhone() {
  const phone = nextPhone();
  h.stack.rbm.setPhone(phone, offlineForADay);
  return phone;
}

type Entry = { type: string; step?: string; httpStatus?: number };

function expectInTimeOrder(timeline: Array<Record<string, unknown>>) {
  const times = timelineTimes(timeline);
  expect(times.every((t) => Number.isFinite(t))).toBe(true);
  expect(times).toEqual([...times].sort((a, b) => a - b));
}

describe('GET /messages/{id}', () => {
  it('shows the message and its timeline, oldest first: REGISTERED, DELIVERED, READ', async () => {
    const phone = nextPhone();
    h.stack.rbm.setPhone(phone, {
      rcs: true,
      offline: [],
      latency: 2_000,
      read: { probability: 1, delay: 20_000 },
      reply: { probability: 0 },
      unsubscribe: { probability: 0 },
    });
    const request = messageRequest(phone);
    const sentAt = h.clock.now();
    expect((await h.send(request)).status).toBe(201);

    await h.advance(2 * minute);
    const view = await h.view(request.messageId);

    const truth = h.stack.rbm.truth.message(request.messageId)!;
    expect(truth.deliveredAt).not.toBeNull();
    expect(truth.readAt).not.toBeNull();
    expect(view.message).toMatchObject({
      messageId: request.messageId,
      status: 'read',
      deliveredAt: expect.any(String),
      readAt: expect.any(String),
    });
    expect(view.timeline.map((e: Entry) => e.type)).toEqual(['REGISTERED', 'DELIVERED', 'READ']);
    expectInTimeOrder(view.timeline);
    expect(timelineTimes(view.timeline)[0]).toBe(sentAt);
    expect(view.message).not.toHaveProperty('requestHash');
  });

  it('never shows the SMS text, before or after the SMS went out', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone, { sms: { text: 'SECRET-SMS-4242' }, revokeAfter: '5m' });
    const created = await call(h, 'POST', `/messages`, request);
    expect(created.status).toBe(201);
    expect(created.text).not.toContain('SECRET-SMS-4242');

    const before = await call(h, 'GET', `/messages/${request.messageId}`);
    expect(before.status).toBe(200);
    expect(before.text).not.toContain('SECRET-SMS-4242');

    await h.advance(10 * minute); // deadline, revoke, otp falls back at once
    expect(
      h.stack.sms.sent(phone).map((s) => s.text),
      'the text was kept and used',
    ).toEqual(['SECRET-SMS-4242']);
    const after = await call(h, 'GET', `/messages/${request.messageId}`);
    expect(after.body.message.status).toBe('sms_sent');
    expect(after.body.timeline.length).toBeGreaterThan(2);
    expectInTimeOrder(after.body.timeline);
    expect(after.text).not.toContain('SECRET-SMS-4242');
  });

  it('an unknown id: 404', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const answer = await call(h, 'GET', `/messages/${id}`);
      expect(answer.status, id).toBe(404);
      expect(answer.body.error).toMatch(/no message/);
    }
  });

  it('an id with an encoded "/" is unknown (404), not a retryable 503', async () => {
    expect((await call(h, 'GET', '/messages/a%2Fb')).status).toBe(404);
    expect((await call(h, 'POST', '/messages/a%2Fb/revoke')).status).toBe(404);
  });
});

describe('POST /messages/{id}/revoke: revoke now', () => {
  it('before the deadline: 202, one DELETE that revokes, one SMS (otp); the deadline task does not revoke again', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone, { revokeAfter: '10m', policy: 'otp' });
    expect((await h.send(request)).status).toBe(201);
    await h.advance(minute);

    const answer = await revokeNow(h, request.messageId);

    expect(answer.status, answer.text).toBe(202);
    expect(answer.body).toMatchObject({ messageId: request.messageId, accepted: true });
    await h.advance(5_000);
    const truth = h.stack.rbm.truth.message(request.messageId)!;
    expect(truth.revokeAttempts.map((a) => [a.answer, a.outcome])).toEqual([[200, 'revoked']]);
    expect(truth.status).toBe('revoked');
    const soon = await h.view(request.messageId);
    expect(soon.timeline.filter((e: Entry) => e.type === 'REVOKE_ATTEMPT')).toEqual([
      expect.objectContaining({ step: 'manual', httpStatus: 200 }),
    ]);

    await h.advance(15 * minute); // past the deadline: the deadline task runs
    const later = await h.view(request.messageId);
    expect(h.stack.rbm.truth.message(request.messageId)!.revokeAttempts, 'no second DELETE').toHaveLength(1);
    expect(later.message.revocation.attempts).toBe(1);
    expect(later.timeline.filter((e: Entry) => e.type === 'REVOKE_ATTEMPT')).toHaveLength(1);
    expect(later.timeline).toContainEqual(
      expect.objectContaining({ type: 'REVOKE_SKIPPED', step: 'revoke' }),
    );
    expect(revokeTasksOf(h, request.messageId), 'nothing left pending').toEqual([]);
    expect(h.stack.sms.sent(phone)).toHaveLength(1);
    expect(later.message.status).toBe('sms_sent');
    expectInTimeOrder(later.timeline);
  });

  it('under promo: revoked now, confirmed after the grace period, then one SMS', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone, { revokeAfter: '1h', policy: 'promo' });
    expect((await h.send(request)).status).toBe(201);

    expect((await revokeNow(h, request.messageId)).status).toBe(202);
    await h.advance(5 * minute);

    const view = await h.view(request.messageId);
    expect(view.message).toMatchObject({
      status: 'sms_sent',
      revocation: { state: 'confirmed', attempts: 1 },
    });
    expect(h.stack.sms.sent(phone)).toHaveLength(1);
    await h.advance(2 * 3_600_000);
    expect(h.stack.rbm.truth.message(request.messageId)!.revokeAttempts).toHaveLength(1);
    expect(h.stack.sms.sent(phone)).toHaveLength(1);
  });

  it('asked twice: still one DELETE', async () => {
    const request = messageRequest(offlinePhone(), { policy: 'promo' });
    expect((await h.send(request)).status).toBe(201);
    expect((await revokeNow(h, request.messageId)).status).toBe(202);
    await h.advance(5_000);
    expect((await revokeNow(h, request.messageId)).status).toBe(202);
    await h.advance(5 * minute);
    expect(h.stack.rbm.truth.message(request.messageId)!.revokeAttempts).toHaveLength(1);
  });

  it('a message already delivered is not revoked (no DELETE reaches the platform)', async () => {
    const phone = nextPhone();
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [], latency: 1_000, neverReads: true });
    const request = messageRequest(phone);
    expect((await h.send(request)).status).toBe(201);
    await h.advance(10_000);
    expect((await h.view(request.messageId)).message.status).toBe('delivered');

    const answer = await revokeNow(h, request.messageId);

    expect([202, 409]).toContain(answer.status);
    await h.advance(minute);
    expect(h.stack.rbm.truth.message(request.messageId)!.revokeAttempts).toEqual([]);
    expect(h.stack.sms.sent(phone)).toEqual([]);
  });

  it('an unknown id: 404, nothing scheduled', async () => {
    const tasksBefore = h.stack.tasks.tasks().length;
    const answer = await revokeNow(h, randomUUID());
    expect(answer.status).toBe(404);
    expect(h.stack.tasks.tasks()).toHaveLength(tasksBefore);
  });
});

describe('routes the API does not serve', () => {
  it.each([
    ['GET', '/messages/a/b/c'],
    ['POST', '/messages:unknown'],
    ['POST', '/messages/batch/extra/path'],
    ['GET', '/message'],
  ])('%s %s: 404', async (method, path) => {
    const answer = await call(h, method, path, method === 'GET' ? undefined : {});
    expect(answer.status).toBe(404);
  });

  const wrongMethods: Array<[string, string, string]> = [
    ['GET', '/messages', 'POST'],
    ['PUT', '/messages', 'POST'],
    ['DELETE', `/messages/${randomUUID()}`, 'GET'],
    ['POST', `/messages/${randomUUID()}`, 'GET'],
    ['GET', `/messages/${randomUUID()}/revoke`, 'POST'],
    ['GET', '/messages:batch', 'POST'],
  ];

  it.each(wrongMethods)(
    '%s %s (a served path, another method) is refused and changes nothing',
    async (method, path) => {
      const tasksBefore = h.stack.tasks.tasks().length;
      const messagesBefore = h.stack.rbm.truth.messagesTo().length;
      const answer = await call(h, method, path, method === 'GET' ? undefined : messageRequest(nextPhone()));
      await h.stack.settle();
      // The code answers 404 today; 405 would be right (see the next test).
      expect([404, 405]).toContain(answer.status);
      expect(h.stack.tasks.tasks()).toHaveLength(tasksBefore);
      expect(h.stack.rbm.truth.messagesTo()).toHaveLength(messagesBefore);
    },
  );

  it.each(wrongMethods)('%s %s: 405 with Allow: %s', async (method, path, allow) => {
    const answer = await call(h, method, path, method === 'GET' ? undefined : {});
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe(allow);
  });
});

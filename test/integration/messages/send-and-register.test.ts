import { describe, expect, it } from 'vitest';
import {
  call,
  deadlineTaskName,
  expectNothingWritten,
  messageRequest,
  offlineForADay,
  phoneNumbers,
  revokeTasksOf,
  storedDoc,
  tasksOf,
} from '../../helpers/messages-api.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * POST /messages on the whole local stack: the message reaches the RBM
 * sandbox as the platform would see it (its ground truth), is registered with
 * its deadline, policy and labels, and gets exactly one revocation task, named
 * from its id, at its deadline. Register-only, non-RCS and opted-out numbers.
 */

const h = useStack();
const nextPhone = phoneNumbers(1);
const minute = 60_000;
const day = 24 * 3_600_000;
const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function offlinePhone() {
  const phone = nextPhone();
  h.stack.rbm.setPhone(phone, offlineForADay);
  return phone;
}

describe('POST /messages sends through RBM and registers the message', () => {
  it('sends the text under the caller-chosen id, registers it, and arms one deadline task', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone, { revokeAfter: '10m' });
    const sentAt = h.clock.now();
    const deadline = sentAt + 10 * minute;

    const answer = await h.send(request);

    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.messageId).toBe(request.messageId);
    const truth = h.stack.rbm.truth.message(request.messageId);
    expect(truth, 'the platform accepted the message under the caller-chosen id').toMatchObject({
      messageId: request.messageId,
      phoneNumber: phone,
      text: 'Your code is 482913',
      acceptedAt: sentAt,
      expireAt: null, // platformExpiry not asked for: no ttl/expireTime on the platform
      ignoredResends: 0,
    });
    expect(h.stack.rbm.truth.messagesTo(phone)).toHaveLength(1);

    const view = await h.view(request.messageId);
    expect(view.message).toMatchObject({
      messageId: request.messageId,
      phoneNumber: phone,
      tracked: true,
      status: 'pending',
      deadline: new Date(deadline).toISOString(),
      policy: { name: 'otp', fallbackWhenUncertain: true },
      labels: { kind: 'otp', campaign: 'login' },
      send: { state: 'sent', httpStatus: 200 },
      fallback: { enabled: true, state: 'none' },
    });
    expect(view.timeline.map((e: { type: string }) => e.type)).toEqual(['REGISTERED']);
    expect(view.timeline[0]).toMatchObject({
      deadline: new Date(deadline).toISOString(),
      policy: 'otp',
      send: 'sent',
    });

    const tasks = revokeTasksOf(h, request.messageId);
    expect(tasks, 'exactly one revocation task').toHaveLength(1);
    expect(tasks[0]!.name, 'named from the message id, nothing random').toBe(
      deadlineTaskName(h, request.messageId),
    );
    expect(tasks[0]!.scheduleTime, 'due at the deadline').toBe(deadline);
    expect(h.stack.tasks.tasks('rbm-fallback')).toEqual([]);
  });

  it('sets the platform expireTime to the deadline only when platformExpiry is asked for', async () => {
    const withExpiry = messageRequest(offlinePhone(), { revokeAfter: '15m', platformExpiry: true });
    const without = messageRequest(offlinePhone(), { revokeAfter: '15m', platformExpiry: false });
    const deadline = h.clock.now() + 15 * minute;

    expect((await h.send(withExpiry)).status).toBe(201);
    expect((await h.send(without)).status).toBe(201);

    expect(h.stack.rbm.truth.message(withExpiry.messageId)?.expireAt).toBe(deadline);
    expect(h.stack.rbm.truth.message(without.messageId)?.expireAt).toBeNull();
    expect(revokeTasksOf(h, withExpiry.messageId).map((t) => t.scheduleTime)).toEqual([deadline]);
  });

  it('generates a UUID when the caller gives no messageId, and the platform gets that id', async () => {
    const phone = offlinePhone();
    const { messageId: _none, ...request } = messageRequest(phone);

    const answer = await h.send(request);

    expect(answer.status).toBe(201);
    const id = answer.body.messageId;
    expect(id).toMatch(uuidV4);
    expect(h.stack.rbm.truth.messagesTo(phone).map((m) => m.messageId)).toEqual([id]);
    expect((await h.view(id)).message.status).toBe('pending');
    expect(revokeTasksOf(h, id)).toHaveLength(1);
  });

  it("sends the business's messageTrafficType, or its policy's default, and stores what it sent", async () => {
    const typed = messageRequest(offlinePhone(), {
      content: {
        contentMessage: { text: 'Your booking is confirmed' },
        messageTrafficType: 'SERVICEREQUEST',
      },
    });
    const otp = messageRequest(offlinePhone(), { policy: 'otp' });
    const promo = messageRequest(offlinePhone(), { policy: 'promo' });
    const custom = messageRequest(offlinePhone(), { policy: { fallbackWhenUncertain: true } });
    const expected: Array<[typeof typed, string]> = [
      [typed, 'SERVICEREQUEST'],
      [otp, 'AUTHENTICATION'],
      [promo, 'PROMOTION'],
      [custom, 'TRANSACTION'],
    ];
    for (const [request, type] of expected) {
      expect((await h.send(request)).status).toBe(201);
      expect(h.stack.rbm.truth.message(request.messageId)?.messageTrafficType, 'what the platform got').toBe(
        type,
      );
      const view = await h.view(request.messageId);
      expect(view.message.messageTrafficType, 'what the record says').toBe(type);
      expect(view.timeline[0].messageTrafficType).toBe(type);
      expect((await storedDoc(h, request.messageId))?.messageTrafficType).toBe(type);
    }
  });

  it('takes an explicit policy (settings instead of a name) and shows it', async () => {
    const request = messageRequest(offlinePhone(), {
      policy: { fallbackWhenUncertain: false, graceSeconds: 45, maxRevokeAttempts: 2 },
    });
    expect((await h.send(request)).status).toBe(201);
    expect((await h.view(request.messageId)).message.policy).toEqual({
      name: 'custom',
      fallbackWhenUncertain: false,
      graceMs: 45_000,
      maxRevokeAttempts: 2,
    });
  });
});

describe('deadline: absolute time or duration', () => {
  it('an absolute deadline, with a UTC offset, is the instant it names', async () => {
    const deadline = h.clock.now() + 45 * minute;
    // The same instant written at +02:00.
    const local = new Date(deadline + 2 * 3_600_000).toISOString().replace('.000Z', '+02:00');
    const request = messageRequest(offlinePhone(), { revokeAfter: undefined, deadline: local });

    const answer = await h.send(request);

    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect((await h.view(request.messageId)).message.deadline).toBe(new Date(deadline).toISOString());
    expect(revokeTasksOf(h, request.messageId).map((t) => t.scheduleTime)).toEqual([deadline]);
  });

  it.each([
    ['600s', 600_000],
    ['2h', 2 * 3_600_000],
    ['3d', 3 * day],
  ])('revokeAfter "%s" puts the deadline that far from now', async (revokeAfter, ms) => {
    const request = messageRequest(offlinePhone(), { revokeAfter });
    const deadline = h.clock.now() + ms;
    expect((await h.send(request)).status).toBe(201);
    expect((await h.view(request.messageId)).message.deadline).toBe(new Date(deadline).toISOString());
    expect(revokeTasksOf(h, request.messageId).map((t) => t.scheduleTime)).toEqual([deadline]);
  });

  it('a deadline beyond the 30-day Cloud Tasks horizon is kept; its task is armed inside the horizon', async () => {
    const request = messageRequest(offlinePhone(), { revokeAfter: '60d', policy: 'promo' });
    const now = h.clock.now();
    expect((await h.send(request)).status).toBe(201);
    expect((await h.view(request.messageId)).message.deadline).toBe(new Date(now + 60 * day).toISOString());
    const [task, ...more] = revokeTasksOf(h, request.messageId);
    expect(more).toEqual([]);
    expect(task!.scheduleTime).toBeLessThanOrEqual(now + 30 * day);
    expect(task!.scheduleTime).toBeGreaterThan(now + 29 * day);
  });

  it('a message is kept at least until its deadline (or such a deadline is refused)', async () => {
    const request = messageRequest(offlinePhone(), { revokeAfter: '120d', policy: 'promo' });
    const deadline = h.clock.now() + 120 * day;
    const answer = await h.send(request);
    if (answer.status === 400) {
      expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain('revokeAfter');
      return;
    }
    expect(answer.status).toBe(201);
    const doc = await storedDoc(h, request.messageId);
    expect(doc?.expireAt.toMillis(), 'retention must outlast the deadline').toBeGreaterThan(deadline);
  });
});

describe('register-only (the business sent the message itself)', () => {
  it('sends nothing to the platform, tracks the message and arms its revocation', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone, { content: undefined, revokeAfter: '20m' });
    const deadline = h.clock.now() + 20 * minute;

    const answer = await h.send(request);

    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(h.stack.rbm.truth.message(request.messageId), 'nothing sent').toBeUndefined();
    expect(h.stack.rbm.truth.messagesTo(phone)).toEqual([]);
    const view = await h.view(request.messageId);
    expect(view.message).toMatchObject({
      tracked: true,
      status: 'pending',
      send: { state: 'external' },
      deadline: new Date(deadline).toISOString(),
    });
    expect(view.timeline.map((e: { type: string }) => e.type)).toEqual(['REGISTERED']);
    const tasks = revokeTasksOf(h, request.messageId);
    expect(tasks.map((t) => [t.name, t.scheduleTime])).toEqual([
      [deadlineTaskName(h, request.messageId), deadline],
    ]);
  });
});

describe('numbers that cannot take the message', () => {
  it('a non-RCS number (404 on send) is registered and goes straight to one SMS, with no revoke task', async () => {
    const phone = nextPhone();
    h.stack.rbm.setPhone(phone, { rcs: false });
    const request = messageRequest(phone, { sms: { text: 'SMS for a non-RCS phone' } });

    const answer = await h.send(request);

    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.message.send).toMatchObject({ state: 'not_rcs', httpStatus: 404 });
    expect(h.stack.rbm.truth.message(request.messageId), 'the platform refused it').toBeUndefined();
    expect(revokeTasksOf(h, request.messageId), 'nothing to revoke').toEqual([]);
    await h.advance(10_000);
    const sms = h.stack.sms.sent(phone);
    expect(sms.map((s) => s.text)).toEqual(['SMS for a non-RCS phone']);
    expect((await h.view(request.messageId)).message.status).toBe('sms_sent');
    expect(tasksOf(h, request.messageId)).toEqual([]);
  });

  it('an opted-out number is refused with 422: nothing sent, written or scheduled', async () => {
    const phone = nextPhone();
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [] });
    h.stack.rbm.userAction(phone, { type: 'unsubscribe' });
    await h.advance(10_000);
    const tasksBefore = h.stack.tasks.tasks().length;
    const request = messageRequest(phone);

    const answer = await h.send(request);

    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      messageId: request.messageId,
      error: expect.stringMatching(/opted out/),
    });
    await expectNothingWritten(h, request.messageId, phone, tasksBefore);
  });
});

describe('the id and agent the platform sees are the registered ones', () => {
  it('an upper-case messageId: the delivery receipt reaches the registered message', async () => {
    const phone = nextPhone();
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [], latency: 1_000 });
    const request = messageRequest(phone, { messageId: crypto.randomUUID().toUpperCase() });

    const answer = await h.send(request);
    expect(answer.status).toBe(201);
    await h.advance(30_000);

    expect(h.stack.rbm.truth.message(request.messageId.toLowerCase())?.status).toBe('delivered');
    const view = await h.view(answer.body.messageId);
    expect(view.message.deliveredAt, 'the product must know the phone got it').toBeDefined();
  });

  it('a message registered under an agentId is sent under that agentId (or the field is refused)', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone, { agentId: 'another-agent' });
    const answer = await h.send(request);
    if (answer.status === 400) {
      expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain('agentId');
      return;
    }
    expect(answer.status).toBe(201);
    expect(h.stack.rbm.truth.message(request.messageId)?.agentId).toBe(answer.body.message.agentId);
  });
});

describe('the answer', () => {
  it('is JSON and shows neither the SMS text nor the request hash', async () => {
    const request = messageRequest(offlinePhone(), { sms: { text: 'SECRET-SMS-7731' } });
    const answer = await call(h, 'POST', '/messages', request);
    await h.stack.settle();
    expect(answer.status).toBe(201);
    expect(answer.headers.get('content-type')).toMatch(/application\/json/);
    expect(answer.text).not.toContain('SECRET-SMS-7731');
    expect(answer.body.message).not.toHaveProperty('requestHash');
    expect(answer.body.message.fallback).toEqual({ state: 'none', enabled: true });
  });
});

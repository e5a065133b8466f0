import { describe, expect, it } from 'vitest';
import {
  type ApiAnswer,
  call,
  expectNothingWritten,
  messageRequest,
  offlineForADay,
  phoneNumbers,
  revokeTasksOf,
  storedDoc,
} from '../../helpers/messages-api.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * POST /messages is idempotent by messageId (same request: 200, one platform
 * send, one task; different request: 409, nothing changed), and whatever it
 * refuses (bad input: 400 naming the field; RBM faults: 503, retryable;
 * content the platform refuses: 400) leaves nothing behind: no document, no
 * platform send, no task.
 */

const h = useStack();
const nextPhone = phoneNumbers(2);
const day = 24 * 3_600_000;

function offlinePhone() {
  const phone = nextPhone();
  h.stack.rbm.setPhone(phone, offlineForADay);
  return phone;
}

/** Waits (on I/O, not on the clock) until `ready()` holds; bounded, so a broken product fails instead of hanging. */
async function until(ready: () => boolean, what: string) {
  for (let waited = 0; !ready(); waited += 1) {
    if (waited > 2_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Two POSTs whose platform sends are held by the sandbox (a slow answer, in
 * clock time) until each request has either reached the platform or been
 * answered without reaching it: the two requests really race.
 */
async function racingPosts(first: unknown, second: unknown): Promise<[ApiAnswer, ApiAnswer]> {
  const timersBefore = h.clock.pending;
  let answered = 0;
  h.stack.rbm.setFaults([{ endpoint: 'send', kind: 'slow', delayMs: 1_000, times: 2 }]);
  const post = (body: unknown) =>
    call(h, 'POST', '/messages', body).then((answer) => {
      answered += 1;
      return answer;
    });
  const answers = Promise.all([post(first), post(second)]);
  await until(
    () => h.clock.pending - timersBefore + answered >= 2,
    'both requests to reach the platform or be answered',
  );
  await h.clock.advanceTo(h.clock.now() + 1_000);
  const settled = await answers;
  h.stack.rbm.setFaults([]);
  await h.stack.settle();
  return settled;
}

describe('idempotent by messageId', () => {
  it('the same request twice: 201, then 200 with the same message; one platform send, one task', async () => {
    const request = messageRequest(offlinePhone());

    const first = await h.send(request);
    await h.advance(60_000); // a retry comes a minute later: revokeAfter must not move the deadline
    const again = await h.send(request);

    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.messageId).toBe(request.messageId);
    expect(again.body.message).toEqual(first.body.message);
    expect(h.stack.rbm.truth.message(request.messageId)?.ignoredResends, 'no second send').toBe(0);
    expect(h.stack.rbm.truth.messagesTo(request.phoneNumber)).toHaveLength(1);
    expect(revokeTasksOf(h, request.messageId)).toHaveLength(1);
    expect((await h.view(request.messageId)).timeline).toHaveLength(1);
  });

  it('the same request with its keys in another order is still the same request (200)', async () => {
    const request = messageRequest(offlinePhone());
    expect((await h.send(request)).status).toBe(201);
    const reordered = Object.fromEntries(Object.entries(request).reverse());
    reordered.labels = Object.fromEntries(Object.entries(request.labels as object).reverse());
    expect((await h.send(reordered)).status).toBe(200);
  });

  it('a register-only request twice: 201 then 200, one task, nothing sent', async () => {
    const request = messageRequest(offlinePhone(), { content: undefined });
    expect((await h.send(request)).status).toBe(201);
    expect((await h.send(request)).status).toBe(200);
    expect(h.stack.rbm.truth.messagesTo(request.phoneNumber)).toEqual([]);
    expect(revokeTasksOf(h, request.messageId)).toHaveLength(1);
  });

  it.each([
    ['other text', { content: { contentMessage: { text: 'Another code: 111111' } } }],
    ['other number', { phoneNumber: '+14155559999' }],
    ['other deadline', { revokeAfter: '11m' }],
    ['other policy', { policy: 'promo' }],
    ['other SMS text', { sms: { text: 'another SMS' } }],
    ['other labels', { labels: { kind: 'promo' } }],
    ['register-only', { content: undefined }],
  ])('a different request (%s) with the same messageId: 409, nothing changed', async (_what, change) => {
    const request = messageRequest(offlinePhone());
    expect((await h.send(request)).status).toBe(201);
    const docBefore = await storedDoc(h, request.messageId);
    const tasksBefore = h.stack.tasks.tasks();
    const truthBefore = structuredClone(h.stack.rbm.truth.message(request.messageId));

    const conflicting = messageRequest(request.phoneNumber, { ...request, ...change });
    const answer = await h.send(conflicting);

    expect(answer.status, JSON.stringify(answer.body)).toBe(409);
    expect(answer.body.messageId).toBe(request.messageId);
    expect(await storedDoc(h, request.messageId)).toEqual(docBefore);
    expect(h.stack.tasks.tasks()).toEqual(tasksBefore);
    expect(h.stack.rbm.truth.message(request.messageId)).toEqual(truthBefore);
    expect(h.stack.rbm.truth.messagesTo('+14155559999')).toEqual([]);
    expect((await h.view(request.messageId)).timeline).toHaveLength(1);
  });

  it('the same request twice at once: one 201 and one 200, one message on the platform, one task', async () => {
    const request = messageRequest(offlinePhone());

    const answers = await racingPosts(request, request);

    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    expect(answers[0].body.message).toEqual(answers[1].body.message);
    expect(h.stack.rbm.truth.messagesTo(request.phoneNumber)).toHaveLength(1);
    // The product sends before it records, so both racers send; the platform ignores the second
    // (same id). Reported, not a defect: the same content cannot reach the phone twice.
    const resends = h.stack.rbm.truth.message(request.messageId)!.ignoredResends;
    console.info(`identical racing POSTs: ${resends} platform re-send(s), ignored by the platform`);
    expect(resends).toBeLessThanOrEqual(1);
    expect(revokeTasksOf(h, request.messageId)).toHaveLength(1);
    expect((await h.view(request.messageId)).timeline).toHaveLength(1);
  });

  it('two different requests racing for one messageId: one 201, one 409 that sent nothing', async () => {
    const phone = offlinePhone();
    const a = messageRequest(phone, { content: { contentMessage: { text: 'text A' } } });
    const b = messageRequest(phone, {
      messageId: a.messageId,
      content: { contentMessage: { text: 'text B' } },
    });

    const answers = await racingPosts(a, b);

    expect(answers.map((x) => x.status).sort()).toEqual([201, 409]);
    const winner = answers[0].status === 201 ? a : b;
    const truth = h.stack.rbm.truth.message(a.messageId)!;
    expect(truth.text, 'the phone gets what was registered').toBe(
      (winner.content as { contentMessage: { text: string } }).contentMessage.text,
    );
    expect(truth.ignoredResends, 'the refused request must not have been sent').toBe(0);
  });
});

describe('bad input: 400 naming the field; nothing written, sent or scheduled', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['messageId not a UUID', { messageId: 'order-1234' }, 'messageId'],
    ['phone number not E.164', { phoneNumber: '4155550123' }, 'phoneNumber'],
    ['phone number with a leading zero', { phoneNumber: '+0415555012' }, 'phoneNumber'],
    [
      'text over 3,072 characters',
      { content: { contentMessage: { text: 'x'.repeat(3_073) } } },
      'content.contentMessage.text',
    ],
    ['policy unknown', { policy: 'urgent' }, 'policy'],
    ['policy settings without fallbackWhenUncertain', { policy: { graceSeconds: 30 } }, 'policy'],
    ['label name starting with a digit', { labels: { '1kind': 'otp' } }, 'labels.1kind'],
    ['label value not a string', { labels: { kind: 5 } }, 'labels.kind'],
    ['label value over 256 characters', { labels: { campaign: 'c'.repeat(257) } }, 'labels.campaign'],
    [
      'more than 16 labels',
      { labels: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`l${i}`, 'v'])) },
      'labels',
    ],
    ['SMS text over 1,600 characters', { sms: { text: 's'.repeat(1_601) } }, 'sms.text'],
    ['SMS text empty', { sms: { text: '' } }, 'sms.text'],
    [
      'messageTrafficType the platform does not know',
      { content: { contentMessage: { text: 'hi' }, messageTrafficType: 'MARKETING' } },
      'content.messageTrafficType',
    ],
    ['content with its own ttl', { content: { contentMessage: { text: 'hi' }, ttl: '60s' } }, 'content'],
    [
      'content with its own expireTime',
      { content: { contentMessage: { text: 'hi' }, expireTime: '2026-11-21T09:30:00Z' } },
      'content',
    ],
    ['both deadline and revokeAfter', { deadline: '2026-12-01T00:00:00Z', revokeAfter: '10m' }, 'deadline'],
    ['neither deadline nor revokeAfter', { revokeAfter: undefined }, 'deadline'],
    ['deadline without a time zone', { revokeAfter: undefined, deadline: '2026-12-01T00:00:00' }, 'deadline'],
    ['deadline in the past', { revokeAfter: undefined, deadline: '2026-01-01T00:00:00Z' }, 'deadline'],
    ['revokeAfter not a duration', { revokeAfter: 'soon' }, 'revokeAfter'],
    ['revokeAfter zero', { revokeAfter: '0s' }, 'revokeAfter'],
    [
      'platformExpiry with a deadline 16 days out',
      { revokeAfter: '16d', platformExpiry: true },
      'platformExpiry',
    ],
    ['platformExpiry not a boolean', { platformExpiry: 'yes' }, 'platformExpiry'],
    ['policy missing', { policy: undefined }, 'policy'],
    ['phone number missing', { phoneNumber: undefined }, 'phoneNumber'],
  ];

  it.each(cases)('%s', async (_what, change, field) => {
    const phone = offlinePhone();
    const request = messageRequest(phone, change);
    const tasksBefore = h.stack.tasks.tasks().length;

    const answer = await h.send(request);

    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.errors).toEqual(
      expect.arrayContaining([{ field, reason: expect.stringMatching(/\w/) }]),
    );
    const id = typeof request.messageId === 'string' && /^[0-9a-f-]{36}$/.test(request.messageId);
    await expectNothingWritten(h, id ? request.messageId : undefined, phone, tasksBefore);
  });

  it('platformExpiry with a deadline of exactly 15 days is accepted', async () => {
    const request = messageRequest(offlinePhone(), { revokeAfter: '15d', platformExpiry: true });
    const deadline = h.clock.now() + 15 * day;
    expect((await h.send(request)).status).toBe(201);
    expect(h.stack.rbm.truth.message(request.messageId)?.expireAt).toBe(deadline);
  });

  it('text of exactly 3,072 characters is accepted and sent whole', async () => {
    const text = 't'.repeat(3_072);
    const request = messageRequest(offlinePhone(), { content: { contentMessage: { text } } });
    expect((await h.send(request)).status).toBe(201);
    expect(h.stack.rbm.truth.message(request.messageId)?.text).toBe(text);
  });

  it('an unknown top-level field: 400 whose reason names it; nothing written', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone, { priority: 'high' });
    const tasksBefore = h.stack.tasks.tasks().length;
    const answer = await h.send(request);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body.errors)).toContain('priority');
    await expectNothingWritten(h, request.messageId, phone, tasksBefore);
  });

  it('an unknown top-level field is named as the field', async () => {
    const answer = await h.send(messageRequest(offlinePhone(), { priority: 'high' }));
    expect(answer.body.errors).toContainEqual({ field: 'priority', reason: expect.any(String) });
  });

  it('a bad policy is explained: the reason names what is allowed', async () => {
    const answer = await h.send(messageRequest(offlinePhone(), { policy: 'urgent' }));
    expect(answer.status).toBe(400);
    const reason = answer.body.errors.find((e: { field: string }) => e.field.startsWith('policy'))?.reason;
    expect(reason).toMatch(/otp/);
    expect(reason).toMatch(/promo/);
  });

  it('a revokeAfter too large to be a date is a 400 on revokeAfter, not a 503', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone, { revokeAfter: '99999999d' });
    const tasksBefore = h.stack.tasks.tasks().length;
    const answer = await h.send(request);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.errors).toContainEqual({ field: 'revokeAfter', reason: expect.any(String) });
    await expectNothingWritten(h, request.messageId, phone, tasksBefore);
  });

  it('a body that is not a JSON object: 400; nothing written', async () => {
    const tasksBefore = h.stack.tasks.tasks().length;
    for (const [body, type] of [
      ['[1, 2]', 'application/json'],
      ['"text"', 'application/json'],
      ['phoneNumber=+14155550123', 'text/plain'],
      ['{"phoneNumber": ', 'application/json'],
    ] as const) {
      const answer = await call(h, 'POST', '/messages', body, type);
      expect(answer.status, `${type} ${body}`).toBe(400);
    }
    expect(h.stack.tasks.tasks()).toHaveLength(tasksBefore);
  });

  // functions-framework's body parser refuses malformed JSON before the function runs, with its own
  // 400 page rather than the API's {errors: [...]} (no hook exists to change that; docs/messages-api.md).
  it('malformed JSON is refused with 400 before the function runs, and nothing is written', async () => {
    const tasksBefore = h.stack.tasks.tasks().length;
    const answer = await call(h, 'POST', '/messages', '{"phoneNumber": ');
    expect(answer.status).toBe(400);
    expect(h.stack.tasks.tasks()).toHaveLength(tasksBefore);
  });
});

describe('RBM faults on send', () => {
  it('a 503 from the platform: 503 (retryable), nothing written; the retry is sent once and registered', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone);
    const tasksBefore = h.stack.tasks.tasks().length;
    h.stack.rbm.setFaults([{ endpoint: 'send', kind: 'error', status: 503, times: 1 }]);

    const refused = await h.send(request);

    expect(refused.status, JSON.stringify(refused.body)).toBe(503);
    expect(refused.body).toMatchObject({ messageId: request.messageId, error: expect.stringMatching(/503/) });
    await expectNothingWritten(h, request.messageId, phone, tasksBefore);

    const retried = await h.send(request);
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(h.stack.rbm.truth.message(request.messageId)).toMatchObject({ ignoredResends: 0 });
    expect(revokeTasksOf(h, request.messageId)).toHaveLength(1);
  });

  it('a 429 with Retry-After: 503 carrying a Retry-After header; nothing written', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone);
    const tasksBefore = h.stack.tasks.tasks().length;
    h.stack.rbm.setFaults([{ endpoint: 'send', kind: 'rate-limit', retryAfterSeconds: 42, times: 1 }]);

    const answer = await call(h, 'POST', '/messages', request);
    await h.stack.settle();

    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('42');
    await expectNothingWritten(h, request.messageId, phone, tasksBefore);
    expect((await h.send(request)).status).toBe(201);
  });

  it('a connection dropped before the platform acted: 503, nothing written', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone);
    const tasksBefore = h.stack.tasks.tasks().length;
    h.stack.rbm.setFaults([{ endpoint: 'send', kind: 'drop', times: 1 }]);
    const answer = await h.send(request);
    expect(answer.status).toBe(503);
    await expectNothingWritten(h, request.messageId, phone, tasksBefore);
  });

  it('the platform took the send but the answer was lost: 503; the retry registers it without a second delivery', async () => {
    const phone = offlinePhone();
    const request = messageRequest(phone);
    const tasksBefore = h.stack.tasks.tasks().length;
    h.stack.rbm.setFaults([{ endpoint: 'send', kind: 'error', status: 503, phase: 'after', times: 1 }]);

    const lost = await h.send(request);

    expect(lost.status).toBe(503);
    expect(await storedDoc(h, request.messageId), 'not registered yet').toBeUndefined();
    expect(h.stack.tasks.tasks()).toHaveLength(tasksBefore);
    expect(h.stack.rbm.truth.message(request.messageId)?.status, 'the platform has it').toBe('queued');

    const retried = await h.send(request);
    expect(retried.status).toBe(201);
    expect(
      h.stack.rbm.truth.message(request.messageId)?.ignoredResends,
      'the platform ignored the re-send',
    ).toBe(1);
    expect(h.stack.rbm.truth.messagesTo(phone)).toHaveLength(1);
    expect(revokeTasksOf(h, request.messageId)).toHaveLength(1);
  });

  it('content the platform refuses (400): 400 on content; nothing written', async () => {
    const phone = offlinePhone();
    const tasksBefore = h.stack.tasks.tasks().length;
    for (const content of [
      { contentMessage: {} },
      { contentMessage: { text: 'both', richCard: { standaloneCard: {} } } },
    ]) {
      const request = messageRequest(phone, { content });
      const answer = await h.send(request);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.errors).toEqual([
        { field: 'content', reason: expect.stringMatching(/RBM refused/) },
      ]);
      await expectNothingWritten(h, request.messageId, phone, tasksBefore);
    }
  });
});

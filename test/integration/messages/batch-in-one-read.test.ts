import { describe, expect, it } from 'vitest';
import {
  call,
  deadlineTaskName,
  expectNothingWritten,
  type Json,
  messageRequest,
  offlineForADay,
  phoneNumbers,
  postBatch,
  recordFirestoreCalls,
  revokeTasksOf,
  storedDoc,
} from '../../helpers/messages-api.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * POST /messages:batch, the campaign form: per-item results in input order,
 * each item answered as POST /messages would answer it alone, every valid
 * message sent once, registered and armed; the existing ids and opt-outs read
 * in ONE Firestore round trip, not one per message. Timing of a 200-message
 * batch against 200 single POSTs is logged (not asserted).
 */

const h = useStack();
const nextPhone = phoneNumbers(4);
const minute = 60_000;
/** The big batches run the whole stack in this one process: generous, so a loaded machine does not fail them. */
const heavy = 120_000;

function offlinePhone() {
  const phone = nextPhone();
  h.stack.rbm.setPhone(phone, offlineForADay);
  return phone;
}

type Expected = { status: number; field?: string; kind?: 'sent' | 'register-only' };

describe('a batch of 200 mixed messages', () => {
  it(
    'answers every item in input order and reads ids and opt-outs in one round trip',
    async () => {
      // Already registered before the batch: one repeated as is, one reused by a different request.
      const repeated = messageRequest(offlinePhone());
      const reused = messageRequest(offlinePhone());
      expect((await h.send(repeated)).status).toBe(201);
      expect((await h.send(reused)).status).toBe(201);
      const reusedDoc = await storedDoc(h, reused.messageId);
      const optedOut = nextPhone();
      h.stack.rbm.setPhone(optedOut, { rcs: true, offline: [] });
      h.stack.rbm.userAction(optedOut, { type: 'unsubscribe' });
      await h.advance(10_000);
      const sharedPhone = offlinePhone(); // ten campaign messages to one number

      const items: Array<Record<string, unknown>> = [];
      const expected: Expected[] = [];
      for (let i = 0; i < 200; i += 1) {
        const text = `Campaign message ${i}`;
        const base = () =>
          messageRequest(i >= 180 && i < 190 ? sharedPhone : offlinePhone(), {
            content: { contentMessage: { text } },
            policy: i % 2 ? 'promo' : 'otp',
            revokeAfter: `${10 + (i % 5)}m`,
            labels: { kind: 'promo', campaign: 'winter', item: String(i) },
          });
        const special: Record<number, () => [Record<string, unknown>, Expected]> = {
          10: () => [
            { ...base(), messageId: 'campaign-10' },
            { status: 400, field: 'messageId' },
          ],
          20: () => [repeated, { status: 200 }],
          50: () => [
            { ...base(), phoneNumber: '555-0100' },
            { status: 400, field: 'phoneNumber' },
          ],
          60: () => [{ ...reused, sms: { text: 'a different SMS' } }, { status: 409 }],
          90: () => [
            { ...base(), content: { contentMessage: { text: 'x'.repeat(3_073) } } },
            { status: 400, field: 'content.contentMessage.text' },
          ],
          100: () => [messageRequest(optedOut), { status: 422 }],
          130: () => [{ ...base(), channel: 'rcs' }, { status: 400 }],
          170: () => [
            { ...base(), content: undefined },
            { status: 201, kind: 'register-only' },
          ],
        };
        const [item, expect_] = special[i]?.() ?? [base(), { status: 201, kind: 'sent' as const }];
        items.push(item);
        expected.push(expect_);
      }
      const revokeTasksBefore = h.stack.tasks.tasks('rbm-revoke').length;
      const sentAt = h.clock.now();

      const firestore = recordFirestoreCalls(h.stack.db);
      const started = performance.now();
      let answer: Awaited<ReturnType<typeof postBatch>>;
      try {
        answer = await postBatch(h, items);
      } finally {
        firestore.restore();
      }
      const elapsed = performance.now() - started;

      expect(answer.status, answer.text.slice(0, 500)).toBe(200);
      const results: Json[] = answer.body.results;
      expect(results).toHaveLength(200);
      expect(results.map((r) => r.status)).toEqual(expected.map((e) => e.status));
      for (const [i, result] of results.entries()) {
        const want = expected[i]!;
        if (want.status === 400) {
          expect(result.index, `item ${i}`).toBe(i);
          if (want.field) expect(result.errors.map((e: { field: string }) => e.field)).toContain(want.field);
        } else {
          expect(result.messageId, `item ${i}`).toBe(items[i]!.messageId);
        }
      }

      // Every valid new message: sent once (or not at all when register-only), registered, armed at its deadline.
      let created = 0;
      for (const [i, item] of items.entries()) {
        const want = expected[i]!;
        if (want.status !== 201) continue;
        created += 1;
        const id = item.messageId as string;
        const doc = await storedDoc(h, id);
        expect(doc?.tracked, `item ${i} registered`).toBe(true);
        const truth = h.stack.rbm.truth.message(id);
        if (want.kind === 'sent') {
          expect(truth, `item ${i} sent`).toMatchObject({ text: `Campaign message ${i}`, ignoredResends: 0 });
          const deadline = sentAt + (10 + (i % 5)) * minute;
          expect(doc?.deadline.toMillis()).toBe(deadline);
          expect(
            revokeTasksOf(h, id).map((t) => [t.name, t.scheduleTime]),
            `item ${i} armed`,
          ).toEqual([[deadlineTaskName(h, id), deadline]]);
        } else {
          expect(truth, 'register-only: nothing sent').toBeUndefined();
          expect(revokeTasksOf(h, id)).toHaveLength(1);
        }
      }
      expect(created).toBe(193);
      expect(h.stack.rbm.truth.messagesTo(sharedPhone)).toHaveLength(10);

      // The repeated and the reused ids changed nothing; the refused items left nothing.
      expect(h.stack.rbm.truth.message(repeated.messageId)?.ignoredResends).toBe(0);
      expect(revokeTasksOf(h, repeated.messageId)).toHaveLength(1);
      expect(await storedDoc(h, reused.messageId)).toEqual(reusedDoc);
      expect(h.stack.rbm.truth.message(reused.messageId)?.ignoredResends).toBe(0);
      expect(h.stack.rbm.truth.messagesTo(optedOut)).toEqual([]);
      expect(await storedDoc(h, items[100]!.messageId as string)).toBeUndefined();
      for (const i of [50, 90, 130]) {
        const id = items[i]!.messageId as string;
        expect(await storedDoc(h, id), `item ${i}`).toBeUndefined();
        expect(h.stack.rbm.truth.message(id), `item ${i}`).toBeUndefined();
      }
      // 193 new messages, each armed once.
      expect(h.stack.tasks.tasks('rbm-revoke').length).toBe(revokeTasksBefore + 193);

      // One round trip for all the ids and opt-outs; afterwards only each new message's own transaction.
      const plain = firestore.plainReads();
      const transactional = firestore.transactionalReads();
      const prepared = items.filter((_, i) => expected[i]!.status !== 400);
      const distinctDocs =
        new Set(prepared.map((m) => m.messageId)).size + new Set(prepared.map((m) => m.phoneNumber)).size;
      console.info(
        `batch of 200: ${elapsed.toFixed(0)} ms; Firestore: ${plain.length} plain read call(s) ` +
          `(${plain.map((c) => c.documents).join(', ')} documents), ${transactional.length} transactional reads, ` +
          `${firestore.count('commit')} commits, ${firestore.count('beginTransaction')} transactions begun`,
      );
      expect(plain, 'ids and opt-outs read in ONE call').toHaveLength(1);
      expect(plain[0]!.documents).toBe(distinctDocs);
      expect(transactional.length, 'no read per message beyond its own transaction').toBeLessThanOrEqual(
        created,
      );
    },
    heavy,
  );

  it(
    'a 200-message batch against 200 single POSTs (wall time logged, not asserted): all 400 land',
    async () => {
      const batch = Array.from({ length: 200 }, () => messageRequest(offlinePhone(), { policy: 'promo' }));
      const singles = Array.from({ length: 200 }, () => messageRequest(offlinePhone(), { policy: 'promo' }));

      const batchStarted = performance.now();
      const batchAnswer = await call(h, 'POST', '/messages:batch', { messages: batch });
      const batchMs = performance.now() - batchStarted;
      await h.stack.settle();

      const singlesStarted = performance.now();
      const singleStatuses: number[] = [];
      for (const request of singles)
        singleStatuses.push((await call(h, 'POST', '/messages', request)).status);
      const singlesMs = performance.now() - singlesStarted;
      await h.stack.settle();

      console.info(
        `wall time: 1 batch of 200 = ${batchMs.toFixed(0)} ms; 200 sequential single POSTs = ${singlesMs.toFixed(0)} ms ` +
          `(${(singlesMs / batchMs).toFixed(1)}x)`,
      );
      expect(batchAnswer.status).toBe(200);
      expect(batchAnswer.body.results.map((r: Json) => r.status)).toEqual(Array(200).fill(201));
      expect(singleStatuses).toEqual(Array(200).fill(201));
      for (const request of [...batch, ...singles]) {
        expect(h.stack.rbm.truth.message(request.messageId)?.ignoredResends).toBe(0);
        expect(revokeTasksOf(h, request.messageId)).toHaveLength(1);
      }
    },
    heavy,
  );
});

describe('batch limits and odd batches', () => {
  it('more than 500 messages: 400 on `messages`; nothing written or sent', async () => {
    const phone = offlinePhone();
    const items = Array.from({ length: 501 }, () => messageRequest(phone));
    const tasksBefore = h.stack.tasks.tasks().length;

    const answer = await postBatch(h, items);

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ field: 'messages', reason: expect.stringMatching(/500/) }]);
    await expectNothingWritten(h, items[0]!.messageId, phone, tasksBefore);
    const docs = await h.stack.db.getAll(
      ...items.map((m) => h.stack.db.collection('messages').doc(m.messageId)),
    );
    expect(docs.filter((d) => d.exists)).toEqual([]);
  });

  it(
    'exactly 500 messages are accepted (register-only here): 500 results, 500 registered',
    async () => {
      const phone = offlinePhone();
      const items = Array.from({ length: 500 }, () => messageRequest(phone, { content: undefined }));
      const answer = await postBatch(h, items);
      expect(answer.status, answer.text.slice(0, 300)).toBe(200);
      expect(answer.body.results.map((r: Json) => r.status)).toEqual(Array(500).fill(201));
      const docs = await h.stack.db.getAll(
        ...items.map((m) => h.stack.db.collection('messages').doc(m.messageId)),
      );
      expect(docs.filter((d) => d.exists)).toHaveLength(500);
    },
    heavy,
  );

  it.each([
    ['no messages', { messages: [] }, 'messages'],
    ['messages not a list', { messages: { a: 1 } }, 'messages'],
    ['no body fields', {}, 'messages'],
  ])('%s: 400 on `%s`', async (_what, body, field) => {
    const answer = await call(h, 'POST', '/messages:batch', body);
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('a batch whose every item is invalid: 200 with a 400 per item', async () => {
    const answer = await postBatch(h, [
      messageRequest(nextPhone(), { messageId: 'bad-1' }),
      messageRequest('not-a-number'),
    ]);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.results.map((r: Json) => r.status)).toEqual([400, 400]);
  });

  it('the same request twice in one batch: 201 then 200; one message on the platform, one task', async () => {
    const request = messageRequest(offlinePhone());
    const answer = await postBatch(h, [request, request]);
    expect(answer.body.results.map((r: Json) => r.status)).toEqual([201, 200]);
    expect(h.stack.rbm.truth.messagesTo(request.phoneNumber)).toHaveLength(1);
    expect(revokeTasksOf(h, request.messageId)).toHaveLength(1);
    const resends = h.stack.rbm.truth.message(request.messageId)!.ignoredResends;
    // Both items were sent (the batch does not look for repeats within itself); the platform ignored one.
    console.info(`same request twice in one batch: ${resends} platform re-send(s)`);
    expect(resends).toBeLessThanOrEqual(1);
  });

  it('two different requests for one messageId in one batch: 201 and 409, and the 409 sent nothing', async () => {
    const phone = offlinePhone();
    const first = messageRequest(phone, { content: { contentMessage: { text: 'first' } } });
    const second = { ...first, content: { contentMessage: { text: 'second' } } };
    const answer = await postBatch(h, [first, second]);
    expect(answer.body.results.map((r: Json) => r.status)).toEqual([201, 409]);
    expect(h.stack.rbm.truth.message(first.messageId)).toMatchObject({ text: 'first', ignoredResends: 0 });
  });

  it('an item the platform rate-limits is 503 and left unwritten; the others land', async () => {
    const requests = Array.from({ length: 5 }, () => messageRequest(offlinePhone()));
    h.stack.rbm.setFaults([{ endpoint: 'send', kind: 'rate-limit', retryAfterSeconds: 30, times: 1 }]);
    const answer = await postBatch(h, requests);
    h.stack.rbm.setFaults([]);
    const statuses: number[] = answer.body.results.map((r: Json) => r.status);
    expect(statuses.filter((s) => s === 503)).toHaveLength(1);
    expect(statuses.filter((s) => s === 201)).toHaveLength(4);
    for (const [i, request] of requests.entries()) {
      const doc = await storedDoc(h, request.messageId);
      expect(doc === undefined, `item ${i}`).toBe(statuses[i] === 503);
    }
  });

  it('a rate-limited item carries its retry hint in the batch answer', async () => {
    const request = messageRequest(offlinePhone());
    h.stack.rbm.setFaults([{ endpoint: 'send', kind: 'rate-limit', retryAfterSeconds: 30, times: 1 }]);
    const answer = await postBatch(h, [request]);
    h.stack.rbm.setFaults([]);
    expect(answer.body.results[0]).toMatchObject({ status: 503 });
    expect(JSON.stringify(answer.body.results[0])).toMatch(/retryAfter/i);
  });

  it('an invalid item keeps its index and does not stop the valid ones', async () => {
    const good = messageRequest(offlinePhone());
    const answer = await postBatch(h, [messageRequest(nextPhone(), { policy: 'urgent' }), good]);
    expect(answer.status).toBe(200);
    expect(answer.body.results[0]).toMatchObject({ index: 0, status: 400 });
    expect(answer.body.results[1]).toMatchObject({ messageId: good.messageId, status: 201 });
  });
});

import { describe, expect, it } from 'vitest';
import { type CountedUnits, countUnits } from '../../../local/bench/cost-count.ts';
import { naivePerMessage, perMessage } from '../../../local/bench/cost-model.ts';
import { taskId } from '../../../shared/tasks/names.ts';
import { expectConsistentWithTruth, otpRequest, promoRequest } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * What one message costs on the common paths, counted where it happens:
 * Firestore RPCs and documents at the embedded emulator, tasks at the Cloud
 * Tasks emulator, requests per function, RBM calls at the RBM sandbox, SMS at
 * the SMS sandbox (local/bench/cost-count.ts, which `npm run bench:cost` uses
 * too). The sweep is off (its cost is per minute, not per message:
 * docs/BENCHMARKS.md), and nothing reads through the API until the counts are
 * taken. The figures are written in docs/BENCHMARKS.md; this test keeps them true.
 */
const external = Boolean(process.env.FIRESTORE_EMULATOR_HOST);
const h = useStack({ sweepEveryMs: null });

interface Cost {
  firestore: Record<string, number>;
  tasksCreated: number;
  tasksDeleted: number;
  rbmCalls: { send: number; revoke: number };
  sms: number;
  units: CountedUnits;
}

async function costOf(request: { messageId: string; phoneNumber: string }, runFor: number): Promise<Cost> {
  const emulator = h.stack.firestoreEmulator!;
  emulator.resetCalls(h.stack.projectId);
  const response = await h.send(request);
  expect(response.status).toBe(201);
  await h.advance(runFor);
  const firestore = emulator.calls(h.stack.projectId);
  const units = await countUnits(h.stack, firestore, [request]);
  await expectConsistentWithTruth(h, request.messageId);
  return {
    firestore,
    tasksCreated: units.tasks.created,
    tasksDeleted: units.tasks.deleted,
    rbmCalls: units.rbm,
    sms: units.sms,
    units,
  };
}

/** Billable units of one message as the model reads them (no CPU: that is the benchmark's). */
const billable = (u: CountedUnits) => ({
  reads: u.firestore.reads,
  writes: u.firestore.writes,
  ttlDeletes: u.firestore.ttlDeletes,
  taskOperations: u.tasks.created + u.tasks.deleted + u.tasks.attempts,
  requests: u.requests,
  openMs: u.openMs,
});

describe.skipIf(external)('cost per message on the common paths', () => {
  let delivered: CountedUnits | undefined;

  it('OTP delivered before its deadline', async () => {
    const phone = '+14155550801';
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [], neverReads: true });
    const cost = await costOf(otpRequest(phone), 30 * 60_000);
    // messages: 1 batched read (id + opt-out), the claim (a create: 1 commit), the record
    // (a transaction: read + commit); webhook DELIVERED: read + commit.
    expect(cost.firestore).toEqual({
      BatchGetDocuments: 3,
      Commit: 3,
      documentsRead: 5,
      documentsWritten: 5,
    });
    expect(cost).toMatchObject({
      tasksCreated: 1,
      tasksDeleted: 1,
      rbmCalls: { send: 1, revoke: 0 },
      sms: 0,
    });
    // The message, its REGISTERED and DELIVERED entries carry expireAt; the revoke task:
    // create + delete, never dispatched; requests: the send and the one webhook POST.
    expect(cost.units.firestore.ttlKinds).toEqual({ message: 1, REGISTERED: 1, DELIVERED: 1 });
    expect(billable(cost.units)).toMatchObject({
      reads: 5,
      writes: 5,
      ttlDeletes: 3,
      taskOperations: 2,
      requests: { messages: 1, webhook: 1, revoke: 0, fallback: 0, sweep: 0 },
    });
    delivered = cost.units;
  });

  it('promotion to an offline phone: revoked at the deadline, confirmed, one SMS', async () => {
    const phone = '+14155550802';
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [{ forMs: 24 * 3_600_000 }] });
    const cost = await costOf(promoRequest(phone), 3 * 3_600_000);
    expect(cost).toMatchObject({
      tasksCreated: 3,
      tasksDeleted: 0,
      rbmCalls: { send: 1, revoke: 1 },
      sms: 1,
    });
    // messages: 2 reads + 2 commits as above; revoke: claim and result (a read and a commit each);
    // confirm: one of each, and one query of the webhook's ingestion shards (none here: a healthy
    // webhook writes none; Firestore bills an empty query as one read); fallback: claim and result.
    expect(cost.firestore).toEqual({
      BatchGetDocuments: 7,
      Commit: 7,
      RunQuery: 1,
      documentsRead: 8,
      documentsWritten: 12,
      queryDocuments: 0,
      queryReads: 1,
    });
  });

  it('OTP to an offline phone: revoked, SMS at once, confirmed after the grace period', async () => {
    const phone = '+14155550803';
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [{ forMs: 24 * 3_600_000 }] });
    const cost = await costOf(otpRequest(phone), 3 * 3_600_000);
    expect(cost).toMatchObject({
      tasksCreated: 3,
      tasksDeleted: 0,
      rbmCalls: { send: 1, revoke: 1 },
      sms: 1,
    });
    expect(cost.firestore).toEqual({
      BatchGetDocuments: 7,
      Commit: 7,
      RunQuery: 1,
      documentsRead: 8,
      documentsWritten: 12,
      queryDocuments: 0,
      queryReads: 1,
    });
    // Timeline: registered, the revoke attempt, the confirmation, the SMS attempt, beside the
    // message; three tasks (revoke, confirm, fallback), each created and delivered once.
    expect(cost.units.firestore.ttlKinds).toEqual({
      message: 1,
      REGISTERED: 1,
      REVOKE_ATTEMPT: 1,
      REVOKE_CONFIRM: 1,
      FALLBACK_ATTEMPT: 1,
    });
    expect(billable(cost.units)).toMatchObject({
      reads: 9, // 8 documents and the empty query's 1
      writes: 12,
      ttlDeletes: 5,
      taskOperations: 6,
      requests: { messages: 1, webhook: 0, revoke: 2, fallback: 1, sweep: 0 },
    });
    // Open from the send to the confirmation: the 10-minute deadline plus the 30 s grace.
    expect(cost.units.openMs).toBe(10 * 60_000 + 30_000);
  });

  it('OTP lost race: the revoke is answered 404, DELIVERED follows within the grace period, no SMS', async () => {
    const phone = '+14155550804';
    h.stack.rbm.setPhone(phone, {
      rcs: true,
      offline: [{ forMs: 24 * 3_600_000 }],
      neverReads: true,
      racesRevoke: { answer: 404, deliveredAfterMs: 1_000, times: 1 },
    });
    const cost = await costOf(otpRequest(phone), 3 * 3_600_000);
    expect(cost).toMatchObject({
      tasksCreated: 2,
      tasksDeleted: 0,
      rbmCalls: { send: 1, revoke: 1 },
      sms: 0,
    });
    // messages: 2 reads + 2 commits; revoke: claim and result; webhook DELIVERED; confirm
    // (the ingestion-shard query, then finds it delivered: a read, a commit that ends the transaction).
    expect(cost.firestore).toEqual({
      BatchGetDocuments: 6,
      Commit: 6,
      RunQuery: 1,
      documentsRead: 8,
      documentsWritten: 8,
      queryDocuments: 0,
      queryReads: 1,
    });
    expect(cost.units.firestore.ttlKinds).toEqual({
      message: 1,
      REGISTERED: 1,
      REVOKE_ATTEMPT: 1,
      DELIVERED: 1,
    });
    // Two tasks (revoke, confirm), each created and delivered once; open until the DELIVERED.
    expect(billable(cost.units)).toMatchObject({
      ttlDeletes: 4,
      taskOperations: 4,
      requests: { messages: 1, webhook: 1, revoke: 2, fallback: 0, sweep: 0 },
      openMs: 10 * 60_000 + 1_000,
    });
  });

  it('not RCS-capable: the send is answered 404, straight to one SMS', async () => {
    const phone = '+14155550805';
    h.stack.rbm.setPhone(phone, { rcs: false });
    const cost = await costOf(otpRequest(phone), 30 * 60_000);
    expect(cost).toMatchObject({
      tasksCreated: 1,
      tasksDeleted: 0,
      rbmCalls: { send: 1, revoke: 0 }, // the send, answered 404
      sms: 1,
    });
    // messages: the batched read, the claim, the record (which finds it not RCS and plans the
    // fallback); fallback: claim and result.
    expect(cost.firestore).toEqual({
      BatchGetDocuments: 4,
      Commit: 4,
      documentsRead: 5,
      documentsWritten: 7,
    });
    expect(cost.units.firestore.ttlKinds).toEqual({ message: 1, REGISTERED: 1, FALLBACK_ATTEMPT: 1 });
    expect(billable(cost.units)).toMatchObject({
      ttlDeletes: 3,
      taskOperations: 2,
      requests: { messages: 1, webhook: 0, revoke: 0, fallback: 1, sweep: 0 },
    });
  });

  it('a revoke task for a message already delivered (what not cancelling costs): a read and a skip entry', async () => {
    const phone = '+14155550806';
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [], neverReads: true });
    const request = otpRequest(phone);
    expect((await h.send(request)).status).toBe(201);
    await h.advance(60_000);
    const emulator = h.stack.firestoreEmulator!;
    emulator.resetCalls(h.stack.projectId);
    const response = await fetch(h.stack.functions.urls.revoke, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-cloudtasks-taskname': taskId(request.messageId, 'revoke', 0),
      },
      body: JSON.stringify({ step: 'revoke', messageId: request.messageId, sequence: 0 }),
    });
    expect(response.status).toBe(200);
    expect(emulator.calls(h.stack.projectId)).toEqual({
      BatchGetDocuments: 1,
      Commit: 1,
      documentsRead: 1,
      documentsWritten: 1,
    });
    // The naive design dispatches this instead of the cancel: one more request, one more read,
    // the skip entry (a write, and later its TTL delete); the task operations stay two.
    const ours = perMessage(delivered!, {}, 0.5);
    const naive = naivePerMessage(
      ours,
      delivered!,
      { reads: 1, writes: 1, deletes: 1, vcpuSeconds: 0 },
      {
        sweepEveryMs: 60_000,
        gibPerVcpu: 0.5,
      },
    );
    expect(naive.requests - ours.requests).toBe(1);
    expect(naive.taskOperations).toBe(ours.taskOperations);
    expect(naive.writes - ours.writes).toBe(1);
    expect(naive.reads - ours.reads).toBeCloseTo(1 + delivered!.openMs / 60_000, 9);
  });

  it('a sweep run with nothing overdue reads one document (a query that returns none)', async () => {
    const emulator = h.stack.firestoreEmulator!;
    emulator.resetCalls(h.stack.projectId);
    const response = await fetch(h.stack.functions.urls.sweep, { method: 'POST' });
    expect(await response.json()).toMatchObject({ overdue: 0, redriven: 0 });
    expect(emulator.calls(h.stack.projectId)).toEqual({ RunQuery: 1, queryDocuments: 0, queryReads: 1 });
  });
});

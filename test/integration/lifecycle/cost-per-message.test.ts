import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectConsistentWithTruth, otpRequest, promoRequest } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * What one message costs on the common paths, counted where it happens:
 * Firestore RPCs at the embedded emulator, tasks at the Cloud Tasks
 * emulator, RBM calls at the RBM sandbox, SMS at the SMS sandbox. The sweep
 * is off (its cost is per minute, not per message: docs/BENCHMARKS.md), and
 * nothing reads through the API until the counts are taken.
 * The figures are written in docs/BENCHMARKS.md; this test keeps them true.
 */
const external = Boolean(process.env.FIRESTORE_EMULATOR_HOST);
const h = useStack({ sweepEveryMs: null });

interface Cost {
  firestore: Record<string, number>;
  tasksCreated: number;
  tasksDeleted: number;
  rbmCalls: { send: number; revoke: number };
  sms: number;
}

async function costOf(request: { messageId: string; phoneNumber: string }, runFor: number): Promise<Cost> {
  const emulator = h.stack.firestoreEmulator!;
  emulator.resetCalls(h.stack.projectId);
  const response = await h.send(request);
  expect(response.status).toBe(201);
  await h.advance(runFor);
  const firestore = emulator.calls(h.stack.projectId);
  const hash = createHash('sha256').update(request.messageId).digest('hex').slice(0, 32);
  const ours = (name: string) => name.includes(`/tasks/${hash}-`);
  const finished = h.stack.tasks.finished().filter((t) => ours(t.name));
  const pending = h.stack.tasks.tasks().filter((t) => ours(t.name));
  const truth = h.stack.rbm.truth.message(request.messageId);
  await expectConsistentWithTruth(h, request.messageId);
  return {
    firestore,
    tasksCreated: finished.length + pending.length,
    tasksDeleted: finished.filter((t) => t.outcome === 'deleted').length,
    rbmCalls: { send: truth ? 1 + truth.ignoredResends : 0, revoke: truth?.revokeAttempts.length ?? 0 },
    sms: h.stack.sms.sent(request.phoneNumber).length,
  };
}

describe.skipIf(external)('cost per message on the common paths', () => {
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
    });
  });
});

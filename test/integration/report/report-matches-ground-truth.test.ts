import { Transaction } from '@google-cloud/firestore';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type DemoMessage, demoNudge, runDemoWorkload } from '../../../local/stack/demo.ts';
import { demoStatus } from '../../../local/stack/demo-status.ts';
import { readReport } from '../../../shared/report/read.ts';
import type { Report } from '../../../shared/report/types.ts';
import { otpRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * The report's figures on a known seeded scenario, checked against what
 * really happened: the RBM sandbox's ground truth (what each phone received
 * and read, and when; what each revoke did) and the SMS sandbox's count. Not
 * against the report's own reading of Firestore.
 */

const start = Date.UTC(2026, 10, 21, 9, 0, 0);
const h = useStack({ start });
const minute = 60_000;

/** Nearest rank, written out again here so the test does not trust the code it checks. */
function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

let demo: DemoMessage[];
let accepted: DemoMessage[];
/** Sent later, to a second agent, with their own label: the window and the groups must tell them apart. */
const later: Array<{ messageId: string; phoneNumber: string }> = [];
let laterAt: number;

beforeAll(async () => {
  demo = await runDemoWorkload(h.stack, 24, 7);
  accepted = demo.filter((m) => m.accepted === 201);
  // Until every demo message is terminal (the slowest path: promo, 404, re-revoke, grace, SMS).
  for (let i = 0; i < 36; i++) {
    await h.advance(5 * minute);
    const status = await demoStatus(h.stack, demo);
    if (status.settled === status.total) break;
  }
  const status = await demoStatus(h.stack, demo);
  expect(status.settled).toBe(status.total);
  expect(status.problems).toEqual([]);

  await h.advance(60 * minute);
  laterAt = h.clock.now();
  for (let i = 0; i < 3; i++) {
    const phoneNumber = `+1555200000${i}`;
    h.stack.rbm.setPhone(phoneNumber, {
      rcs: true,
      offline: [],
      neverReads: true,
      latency: { median: 3_000, spread: 0 },
    });
    const request = otpRequest(phoneNumber, { agentId: 'second-agent', labels: { kind: 'alert' } });
    await sendOk(h, request);
    later.push({ messageId: request.messageId, phoneNumber });
  }
  await h.advance(30 * minute);
}, 120_000);

const truthOf = (m: { messageId: string }) => h.stack.rbm.truth.message(m.messageId);
/** Fallback SMS to the number; the escalation nudges (their own text) are counted apart. */
const smsTo = (m: { phoneNumber: string }) =>
  h.stack.sms.sent(m.phoneNumber).filter((s) => s.text !== demoNudge.text).length;
const nudgesTo = (m: { phoneNumber: string }) =>
  h.stack.sms.sent(m.phoneNumber).filter((s) => s.text === demoNudge.text).length;
const upTo = (until: number) => ({ until: { kind: 'absolute' as const, at: new Date(until) } });

/** The figures the ground truth gives for a set of accepted messages. */
function expected(messages: Array<{ messageId: string; phoneNumber: string }>) {
  const platform = messages.filter((m) => truthOf(m) !== undefined);
  const delivered = platform.filter((m) => truthOf(m)!.deliveredAt !== null);
  // Read and reported: a user with read receipts off reads without the platform saying READ.
  const read = platform.filter((m) => truthOf(m)!.readAt !== null && truthOf(m)!.readReported);
  return {
    messages: messages.length,
    // The platform never accepted a send to a number without RCS (404): those are the not-RCS ones.
    notRcs: messages.length - platform.length,
    rcsSent: platform.length,
    delivered: delivered.length,
    read: read.length,
    smsSent: messages.reduce((sum, m) => sum + smsTo(m), 0),
    nudges: messages.reduce((sum, m) => sum + nudgesTo(m), 0),
    // Nudged, then read (and reported) after the nudge went out.
    readAfterNudge: messages.filter((m) => {
      const nudge = h.stack.sms.sent(m.phoneNumber).find((s) => s.text === demoNudge.text);
      const t = truthOf(m);
      return nudge !== undefined && t?.readReported === true && t.readAt! >= nudge.acceptedAt;
    }).length,
    duplicate: delivered.filter((m) => smsTo(m) > 0).length,
    smsOnly: messages.filter((m) => smsTo(m) > 0 && truthOf(m)?.deliveredAt == null).length,
    // A revoke call was made, yet the phone got the message: the revoke lost the race.
    lostRace: delivered.filter((m) => truthOf(m)!.revokeAttempts.length > 0).length,
    // A revoke call was made and the phone never got it: revoked for good.
    revoked: platform.filter((m) => truthOf(m)!.neverDelivered && truthOf(m)!.revokeAttempts.length > 0)
      .length,
    // DELETE calls the platform answered, and requests the SMS provider received (no faults injected here).
    deleteCalls: platform.reduce((sum, m) => sum + truthOf(m)!.revokeAttempts.length, 0),
    providerCalls: h.stack.sms.records.attempts.filter(
      (a) => a.text !== demoNudge.text && messages.some((m) => m.phoneNumber === a.to),
    ).length,
    timeToDeliver: delivered.map((m) => truthOf(m)!.deliveredAt! - truthOf(m)!.acceptedAt),
    timeToRead: read.map((m) => truthOf(m)!.readAt! - truthOf(m)!.acceptedAt),
  };
}

function expectFigures(scope: Report['overall'], truth: ReturnType<typeof expected>) {
  expect(scope.messages).toBe(truth.messages);
  expect(scope.tracked).toBe(truth.messages);
  expect(scope.untracked).toBe(0);
  expect(scope.notRcs).toBe(truth.notRcs);
  expect(scope.rcsSent).toBe(truth.rcsSent);
  expect(scope.delivered).toBe(truth.delivered);
  expect(scope.read).toBe(truth.read);
  expect(scope.deliveryRate).toBeCloseTo(truth.delivered / truth.rcsSent, 10);
  expect(scope.readRate).toBeCloseTo(truth.read / truth.delivered, 10);
  expect(scope.fallback.sent).toBe(truth.smsSent);
  expect(scope.escalation.sent).toBe(truth.nudges);
  expect(scope.escalation.readAfterNudge).toBe(truth.readAfterNudge);
  expect(scope.byStatus.sms_sent).toBe(truth.smsOnly);
  expect(scope.duplicateDeliveries).toBe(truth.duplicate);
  expect(scope.byStatus.duplicate).toBe(truth.duplicate);
  expect(scope.revocation.lostRace).toBe(truth.lostRace);
  expect(scope.revocation.confirmed).toBe(truth.revoked);
  expect(scope.revocation.deleteCalls).toBe(truth.deleteCalls);
  expect(scope.fallback.providerCalls).toBe(truth.providerCalls);
  for (const p of [50, 90, 99] as const) {
    expect(scope.timeToDeliverMs[`p${p}`], `time to deliver p${p}`).toBe(nearestRank(truth.timeToDeliver, p));
    expect(scope.timeToReadMs[`p${p}`], `time to read p${p}`).toBe(nearestRank(truth.timeToRead, p));
  }
  expect(scope.timeToDeliverMs.count).toBe(truth.delivered);
  expect(scope.timeToReadMs.count).toBe(truth.read);
}

describe('the report on the seeded demo (24 messages, seed 7) plus 3 later messages', () => {
  it('the scenario shows the paths the figures are about', () => {
    // A guard: if the demo's mix changes so that a figure is always 0, the checks below would prove little.
    const truth = expected(accepted);
    expect(demo.length - accepted.length).toBeGreaterThan(0); // an opted-out number was refused
    expect(truth.notRcs).toBeGreaterThan(0);
    expect(truth.read).toBeGreaterThan(0);
    expect(truth.smsOnly).toBeGreaterThan(0);
    expect(truth.duplicate).toBeGreaterThan(0);
    expect(truth.lostRace).toBeGreaterThan(0);
    expect(truth.revoked).toBeGreaterThan(0);
    expect(truth.delivered).toBeLessThan(truth.rcsSent);
    expect(truth.nudges).toBeGreaterThan(0);
  });

  it('over the demo only (until the later messages): every figure agrees with the sandboxes', async () => {
    const report = await readReport(h.stack.db, upTo(laterAt));
    expectFigures(report.overall, expected(accepted));
    // Refused sends (the opted-out number) never reach Firestore, so the report cannot count them.
    expect(report.overall.messages).toBe(accepted.length);
  });

  it('over everything: the later messages count too, and the totals add up', async () => {
    const report = await readReport(h.stack.db);
    const all = [...accepted, ...later];
    expectFigures(report.overall, expected(all));
    const byStatus = Object.values(report.overall.byStatus).reduce((a, b) => a + b, 0);
    expect(byStatus).toBe(all.length);
    expect(report.window).toEqual({ field: 'createdAt', since: null, until: null });
    expect(report.asOf).toBe(new Date(h.clock.now()).toISOString());
  });

  it('a window since the later messages (relative to the database clock) holds only them', async () => {
    const report = await readReport(h.stack.db, {
      since: { kind: 'relative', beforeNowMs: h.clock.now() - laterAt },
    });
    expect(report.window.since).toBe(new Date(laterAt).toISOString());
    expectFigures(report.overall, expected(later));
    expect(report.overall.delivered).toBe(3);
    // Time to deliver is the phones' 3 s latency, as the sandbox applied it.
    expect(report.overall.timeToDeliverMs.p50).toBe(3_000);
  });

  it('an empty window reports zeros and no rates', async () => {
    const report = await readReport(h.stack.db, {
      since: { kind: 'absolute', at: new Date(start + 1) },
      ...upTo(laterAt),
    });
    expect(report.overall.messages).toBe(0);
    expect(report.overall.deliveryRate).toBeNull();
    expect(report.overall.timeToDeliverMs).toMatchObject({ count: 0, p50: null, p90: null, p99: null });
  });

  it('per agent and per label: each group agrees with the sandboxes for its own messages', async () => {
    const report = await readReport(h.stack.db, {
      groups: [{ by: 'agent' }, { by: 'label', key: 'kind' }, { by: 'label', key: 'path' }],
    });
    const [agents, kinds, paths] = report.groups;
    expect(agents!.values.map((v) => v.value)).toEqual(['local-agent', 'second-agent']);
    expectFigures(agents!.values[0]!, expected(accepted));
    expectFigures(agents!.values[1]!, expected(later));

    const kindsSent = [...new Set([...accepted.map((m) => m.kind), 'alert'])].sort();
    expect(kinds!.values.map((v) => v.value)).toEqual(kindsSent);
    for (const group of kinds!.values) {
      const mine = group.value === 'alert' ? later : accepted.filter((m) => m.kind === group.value);
      expectFigures(group, expected(mine));
    }
    // Only the demo's messages carry a `path` label.
    const pathCounts = paths!.values.map((v) => [v.value, v.messages]);
    const demoPaths = [...new Set(accepted.map((m) => m.path))].sort();
    expect(pathCounts).toEqual(demoPaths.map((p) => [p, accepted.filter((m) => m.path === p).length]));
  });

  it('per traffic type: each type agrees with the sandboxes for the messages sent as it', async () => {
    const report = await readReport(h.stack.db, { groups: [{ by: 'trafficType' }] });
    const [types] = report.groups;
    expect(types).toMatchObject({ by: 'trafficType', field: 'messageTrafficType', truncated: false });
    // Every message here takes its policy's default: otp AUTHENTICATION, promo PROMOTION (the later ones are otp).
    const typeOf = (m: { messageId: string }) =>
      accepted.find((a) => a.messageId === m.messageId)?.kind === 'promo' ? 'PROMOTION' : 'AUTHENTICATION';
    const all = [...accepted, ...later];
    // The platform got that type for every message it accepted (a non-RCS number's send was refused).
    for (const m of all) {
      const truth = h.stack.rbm.truth.message(m.messageId);
      if (truth) expect(truth.messageTrafficType, m.messageId).toBe(typeOf(m));
    }
    expect(types!.values.map((v) => v.value)).toEqual(['AUTHENTICATION', 'PROMOTION']);
    for (const group of types!.values) {
      const mine = all.filter((m) => typeOf(m) === group.value);
      expect(mine.length).toBeGreaterThan(0);
      expectFigures(group, expected(mine));
    }
  });

  it('--max-groups keeps the first values and says so', async () => {
    const report = await readReport(h.stack.db, { groups: [{ by: 'label', key: 'path' }], maxGroups: 2 });
    expect(report.groups[0]!.values).toHaveLength(2);
    expect(report.groups[0]!.truncated).toBe(true);
  });

  it('the timeline puts each message in the bucket of its createdAt, with its outcome', async () => {
    const report = await readReport(h.stack.db, { timeline: { bucketMs: 3_600_000 } });
    const busy = report.timeline!.buckets.filter((b) => Object.values(b.counts).some((n) => n > 0));
    const demoTruth = expected(accepted);
    const hourOf = (t: number) => new Date(Math.floor(t / 3_600_000) * 3_600_000).toISOString();
    expect(report.timeline!.bucketMs).toBe(3_600_000);
    expect(busy.map((b) => b.from)).toEqual([hourOf(start), hourOf(laterAt)]);
    // Neither RCS nor SMS reached the phone: revoked without SMS, or failed.
    const neither = accepted.filter((m) => smsTo(m) === 0 && truthOf(m)?.deliveredAt == null).length;
    const first = busy[0]!.counts;
    expect(first).toMatchObject({
      delivered: demoTruth.delivered - demoTruth.duplicate,
      duplicate: demoTruth.duplicate,
      sms_sent: demoTruth.smsOnly,
      in_progress: 0,
    });
    expect(first.revoked + first.failed).toBe(neither);
    expect(busy[1]!.counts).toMatchObject({ delivered: 3, in_progress: 0 });
  });

  it('reads documents only for the delivered messages, and only the fields it needs', async () => {
    const returned: Array<Record<string, unknown>> = [];
    const aggregations: unknown[] = [];
    const original = Transaction.prototype.get;
    const spy = vi.spyOn(Transaction.prototype, 'get').mockImplementation(function (
      this: Transaction,
      ...args: Parameters<Transaction['get']>
    ) {
      const result = (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      return result.then((snapshot) => {
        const docs = (snapshot as { docs?: Array<{ data(): Record<string, unknown> }> }).docs;
        if (docs) for (const d of docs) returned.push(d.data());
        else aggregations.push(snapshot);
        return snapshot;
      }) as never;
    });
    try {
      const report = await readReport(h.stack.db, upTo(laterAt));
      expect(report.groups).toEqual([]);
      // Every delivered message once, with nothing but the selected fields.
      expect(returned).toHaveLength(expected(accepted).delivered);
      for (const data of returned) {
        expect(Object.keys(data).sort()).toEqual(
          expect.arrayContaining(['createdAt', 'deliveredAt', 'send']),
        );
        expect(
          Object.keys(data).every((k) =>
            ['createdAt', 'deliveredAt', 'readAt', 'deliveredLearnedAt', 'readLearnedAt', 'send'].includes(k),
          ),
        ).toBe(true);
        expect(Object.keys(data.send as object)).toEqual(['at']);
      }
      // The counts came from aggregation queries.
      expect(aggregations.length).toBeGreaterThan(10);
    } finally {
      spy.mockRestore();
    }
  });
});

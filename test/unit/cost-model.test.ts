import { describe, expect, it } from 'vitest';
import type { CountedUnits } from '../../local/bench/cost-count.ts';
import {
  costOf,
  listPrices,
  naivePerMessage,
  perMessage,
  runAloneCost,
  sweepPerMonth,
} from '../../local/bench/cost-model.ts';

/** Two delivered OTPs' worth of counts, in the shape local/bench/cost-count.ts returns. */
const twoDelivered: CountedUnits = {
  messages: 2,
  firestore: { reads: 10, writes: 10, ttlDeletes: 6, ttlKinds: {}, rpcs: {} },
  tasks: { created: 2, deleted: 2, attempts: 0 },
  requests: { messages: 2, webhook: 2, revoke: 0, fallback: 0, sweep: 0 },
  rbm: { send: 2, revoke: 0 },
  sms: 0,
  openMs: 2 * 6_000,
};

describe('the cost model', () => {
  it('divides the counts by the messages they cover and adds up task operations and requests', () => {
    const u = perMessage(twoDelivered, { messages: 0.004, webhook: 0.006 }, 0.5);
    expect(u).toEqual({
      reads: 5,
      writes: 5,
      deletes: 3,
      taskOperations: 2, // create + delete
      requests: 2,
      vcpuSeconds: 0.005,
      gibSeconds: 0.0025,
    });
  });

  it('prices a million messages at the list prices, without free tiers', () => {
    const u = perMessage(twoDelivered, { messages: 0.004, webhook: 0.006 }, 0.5);
    const cost = costOf(u);
    // 5 × $0.30 + 5 × $0.90 + 3 × $0.10 per million documents
    expect(cost.firestore).toBeCloseTo(6.3, 9);
    // 2 × $0.40 per million operations
    expect(cost.tasks).toBeCloseTo(0.8, 9);
    // 2 × $0.40 per million requests + 5,000 vCPU-s × $0.000024 + 2,500 GiB-s × $0.0000025
    expect(cost.run).toBeCloseTo(0.8 + 0.12 + 0.00625, 9);
    expect(cost.total).toBeCloseTo(6.3 + 0.8 + 0.92625, 9);
    // Linear in the count.
    expect(costOf(u, listPrices, 10_000_000).total).toBeCloseTo(10 * cost.total, 6);
  });

  it('builds the naive design from the same units: a dispatched revoke instead of each cancel, and a poll of every open message', () => {
    const ours = perMessage(twoDelivered, { messages: 0.004, webhook: 0.006 }, 0.5);
    const skip = { reads: 1, writes: 1, deletes: 1, vcpuSeconds: 0.003 };
    const naive = naivePerMessage(ours, twoDelivered, skip, { sweepEveryMs: 60_000, gibPerVcpu: 0.5 });
    expect(naive.reads).toBeCloseTo(5 + 1 + 6_000 / 60_000, 9);
    expect(naive.writes).toBe(6);
    expect(naive.deletes).toBe(4);
    // The DeleteTask call becomes a push delivery attempt: one billable operation either way.
    expect(naive.taskOperations).toBe(2);
    expect(naive.requests).toBe(3);
    expect(naive.vcpuSeconds).toBeCloseTo(0.008, 12);
    expect(naive.gibSeconds).toBeCloseTo(0.004, 12);
  });

  it('a path with nothing cancelled and nothing open costs the naive design the same', () => {
    const none: CountedUnits = { ...twoDelivered, tasks: { created: 2, deleted: 0, attempts: 2 }, openMs: 0 };
    const ours = perMessage(none, {}, 0.5);
    const naive = naivePerMessage(
      ours,
      none,
      { reads: 1, writes: 1, deletes: 1, vcpuSeconds: 1 },
      {
        sweepEveryMs: 60_000,
        gibPerVcpu: 0.5,
      },
    );
    expect(naive).toEqual(ours);
  });

  it('the sweep every minute is 43,200 runs in a 30-day month', () => {
    const { runs, cost } = sweepPerMonth({ reads: 1, vcpuSeconds: 0.01 }, 60_000, 0.5);
    expect(runs).toBe(43_200);
    expect(cost.firestore).toBeCloseTo(43_200 * 0.3e-6, 12);
    expect(cost.run).toBeCloseTo(43_200 * (0.4e-6 + 0.01 * 0.000024 + 0.005 * 0.0000025), 12);
  });

  it('bills a request alone on its instance at least 100 ms of 1 vCPU and 0.5 GiB', () => {
    // 2 requests × ($0.40 per million + 0.1 s × ($0.000024 + 0.5 × $0.0000025)) × 1,000,000
    expect(runAloneCost(2, 0.5)).toBeCloseTo(2 * (0.4 + 0.1 * (24 + 1.25)), 9);
  });

  it('refuses counts that cover no message', () => {
    expect(() => perMessage({ ...twoDelivered, messages: 0 }, {}, 0.5)).toThrow(RangeError);
  });
});

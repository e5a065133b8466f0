import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDeadlineBench } from '../../../local/bench/deadlines-run.ts';
import { terraformQueueRateLimits } from '../../../local/stack/start.ts';
import { terraformDir } from '../../helpers/terraform.ts';

/*
 * `npm run bench:deadlines`, scaled down: 200 OTP messages to offline phones
 * on the local stack in process mode, their deadlines within the same clock
 * seconds. Every message must end revoked, confirmed and re-sent by exactly
 * one SMS, checked against the sandboxes' ground truth, and every figure must
 * be computed. Timing is not asserted: the figures of a full run are in
 * docs/BENCHMARKS.md.
 */

describe('the deadline burst benchmark, scaled down', () => {
  it('loses no message, sends no SMS twice, and computes every figure', async () => {
    const report = await runDeadlineBench({
      messages: 200,
      // x10: the OTP's 30-second grace period takes 3 s.
      timeScale: 10,
      queueShards: 2,
      functionInstances: { revoke: 2 },
    });

    // Warnings (a send still under way at the first deadline, a busy machine) are about timing: not asserted.
    expect(report.problems).toEqual([]);
    expect(report.lost).toBe(0);
    expect(report.phonesWithTwoSms).toBe(0);
    expect(report.smsSent).toBe(200);
    expect(report.byStatus).toEqual({ sms_sent: 200 });
    expect(Object.values(report.revocationStates).reduce((a, b) => a + b, 0)).toBe(200);
    expect(report.send.answered201).toBe(200);
    expect(report.burst.deletes).toBe(200);
    expect(report.revokeLatenessMs.count).toBe(200);
    expect(report.smsLatenessMs.count).toBe(200);
    for (const figure of [report.revokeLatenessMs, report.smsLatenessMs]) {
      expect(figure.p50).toBeTypeOf('number');
      expect(figure.p99!).toBeGreaterThanOrEqual(figure.p50!);
      expect(figure.max!).toBeGreaterThanOrEqual(figure.p99!);
    }
    // A DELETE never comes before its deadline.
    expect(report.revokeLatenessMs.p50!).toBeGreaterThanOrEqual(0);
    expect(report.burst.deletesPerSecond).toBeGreaterThan(0);
    // The stack's process and every function instance, revoke twice.
    expect(Object.keys(report.processes).sort()).toEqual(
      [
        'fallback#0',
        'messages#0',
        'outcomes#0',
        'revoke#0',
        'revoke#1',
        'stack',
        'sweep#0',
        'webhook#0',
      ].sort(),
    );
    for (const figures of Object.values(report.processes)) {
      expect(figures.peakRssMiB).toBeGreaterThan(0);
      expect(figures.cpuSeconds.afterDeadline).toBeTypeOf('number');
    }
    expect(
      report.processes['revoke#0']!.cpuSeconds.burst! + report.processes['revoke#1']!.cpuSeconds.burst!,
    ).toBeGreaterThan(0);
    expect(report.machineBusy.burst).toBeTypeOf('number');
  }, 240_000);

  it('defaults to the rate limits Terraform deploys', () => {
    const variables = readFileSync(`${terraformDir}/variables.tf`, 'utf8');
    for (const kind of ['revoke', 'fallback'] as const) {
      const declared = new RegExp(
        `${kind} = optional\\(object\\(\\{\\s*max_dispatches_per_second = optional\\(number, (\\d+)\\)\\s*max_concurrent_dispatches = optional\\(number, (\\d+)\\)`,
      ).exec(variables);
      expect(declared, `queue_rate_limits.${kind} in variables.tf`).not.toBeNull();
      expect(terraformQueueRateLimits[kind]).toEqual({
        maxDispatchesPerSecond: Number(declared![1]),
        maxConcurrentDispatches: Number(declared![2]),
      });
    }
  });
});

import type { OutcomeCategory, Report, ScopeReport } from '../../shared/report/types.ts';
import { statuses } from '../../shared/report/types.ts';

/** 185 ms, 1.8 s, 4.0 min, 2.5 h, 1.2 d; an em dash for nothing. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)} %`;
}

function window(report: Report): string {
  const { since, until } = report.window;
  if (!since && !until) return 'all messages (no --since / --until)';
  return `createdAt from ${since ?? 'the first message'} until ${until ?? 'now'}`;
}

function distribution(d: ScopeReport['timeToDeliverMs']): string {
  if (d.count === 0) return 'none';
  return `p50 ${formatDuration(d.p50)} · p90 ${formatDuration(d.p90)} · p99 ${formatDuration(d.p99)}  (n ${d.count}, max ${formatDuration(d.max)})`;
}

function scopeLines(s: ScopeReport): string[] {
  const byStatus = statuses
    .filter((st) => s.byStatus[st] > 0)
    .map((st) => `${st} ${s.byStatus[st]}`)
    .join(' · ');
  return [
    `messages            ${s.messages}  (${s.tracked} tracked, ${s.untracked} untracked)`,
    `by status           ${byStatus || 'none'}`,
    `sent as RCS         ${s.rcsSent}  (${s.notRcs} not RCS-capable: straight to SMS, not in the rates)`,
    `delivered           ${s.delivered} of ${s.rcsSent}  delivery rate ${formatRate(s.deliveryRate)}`,
    `read                ${s.read} of ${s.delivered}  read rate ${formatRate(s.readRate)}`,
    `time to deliver     ${distribution(s.timeToDeliverMs)}`,
    `time to read        ${distribution(s.timeToReadMs)}`,
    `webhook lag         DELIVERED ${distribution(s.webhookLagMs.delivered)}`,
    `                    READ ${distribution(s.webhookLagMs.read)}`,
    `revocation          confirmed ${s.revocation.confirmed} · lost the race ${s.revocation.lostRace} · failed ${s.revocation.failed}  (${s.revocation.deleteCalls} DELETE calls)`,
    `fallback SMS        sent ${s.fallback.sent} · failed ${s.fallback.failed} · skipped ${s.fallback.skipped}  (${s.fallback.providerCalls} provider calls)`,
    `capability check    reachable ${s.capabilityChecks.reachable} · not reachable (straight to SMS) ${s.capabilityChecks.unreachable} · failed (sent anyway) ${s.capabilityChecks.failed}`,
    `escalation SMS      sent ${s.escalation.sent} · failed ${s.escalation.failed} · read after the nudge ${s.escalation.readAfterNudge} (${formatRate(s.escalation.readAfterNudgeRate)})`,
    `duplicate delivery  ${s.duplicateDeliveries}  (RCS and SMS both reached the phone)`,
    `late delivery       ${s.lateDeliveries}  (DELIVERED after a revoke or the SMS)`,
    `sweep re-drives     ${s.sweepRedrives}`,
    `send latency (avg)  ${formatDuration(s.sendLatencyMsAvg)}`,
  ];
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** The report for people, as `npm run report` prints it. */
export function formatText(report: Report): string {
  const lines = [
    `rbm-lifecycle report · project ${report.projectId} · database ${report.databaseId} · as of ${report.asOf}`,
    `window: ${window(report)}`,
    '',
    ...scopeLines(report.overall),
    `outcome pushes      delivered ${report.outcomePushes.delivered} · pending ${report.outcomePushes.pending} · failed ${report.outcomePushes.failed}  (docs/outcomes.md)`,
  ];
  for (const group of report.groups) {
    lines.push('', `by ${group.by} (${group.field})${group.truncated ? ', first values only' : ''}`);
    if (group.values.length === 0) {
      lines.push('  no message has this field in the window');
      continue;
    }
    const header = [
      group.by,
      'msgs',
      'RCS',
      'deliv.',
      'rate',
      'read',
      'rate',
      'deliver p50',
      'p90',
      'read p50',
      'lag p99',
      'revoked',
      'lost race',
      'rev. failed',
      'SMS',
      'dup.',
      'nudged',
      'read after',
    ];
    const rows = group.values.map((v) => [
      v.value,
      String(v.messages),
      String(v.rcsSent),
      String(v.delivered),
      formatRate(v.deliveryRate),
      String(v.read),
      formatRate(v.readRate),
      formatDuration(v.timeToDeliverMs.p50),
      formatDuration(v.timeToDeliverMs.p90),
      formatDuration(v.timeToReadMs.p50),
      formatDuration(v.webhookLagMs.delivered.p99),
      String(v.revocation.confirmed),
      String(v.revocation.lostRace),
      String(v.revocation.failed),
      String(v.fallback.sent),
      String(v.duplicateDeliveries),
      String(v.escalation.sent),
      String(v.escalation.readAfterNudge),
    ]);
    lines.push(...table([header, ...rows]).map((l) => `  ${l}`));
  }
  if (report.timeline) {
    const categories = Object.keys(report.timeline.buckets[0]?.counts ?? {}) as OutcomeCategory[];
    const busy = report.timeline.buckets.filter((b) => categories.some((c) => b.counts[c] > 0));
    lines.push(
      '',
      `outcomes by createdAt, buckets of ${formatDuration(report.timeline.bucketMs)} (empty buckets left out)`,
    );
    if (busy.length === 0) lines.push('  no messages');
    else
      lines.push(
        ...table([
          ['from', ...categories],
          ...busy.map((b) => [b.from, ...categories.map((c) => String(b.counts[c]))]),
        ]).map((l) => `  ${l}`),
      );
  }
  return `${lines.join('\n')}\n`;
}

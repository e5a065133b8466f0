import { describe, expect, it } from 'vitest';
import { formatDuration, formatRate, formatText } from '../../local/report/format.ts';
import { escapeHtml, formatHtml } from '../../local/report/html.ts';
import { buildScope } from '../../shared/report/stats.ts';
import { type Report, type ScopeCounts, statuses } from '../../shared/report/types.ts';

const zero = Object.fromEntries(statuses.map((s) => [s, 0])) as ScopeCounts['byStatus'];
const counts: ScopeCounts = {
  messages: 10,
  byStatus: { ...zero, delivered: 4, read: 1, sms_sent: 4, duplicate: 1 },
  notRcs: 2,
  revocation: { confirmed: 3, lostRace: 1, failed: 0, deleteCalls: 5 },
  fallback: { sent: 5, failed: 0, skipped: 4, providerCalls: 5 },
  escalation: { sent: 2, failed: 0, readAfterNudge: 1 },
  capabilityChecks: { reachable: 3, unreachable: 1, failed: 0 },
  duplicateDeliveries: 1,
  lateDeliveries: 1,
  sendLatencyMsAvg: 42,
  sweepRedrives: 0,
};
const samples = [1_500, 2_500, 4_000, 90_000, 400_000, 700_000].map((d, i) => ({
  createdAt: 0,
  sendAt: 0,
  deliveredAt: d,
  readAt: i === 0 ? 30_000 : null,
  deliveredLearnedAt: d + 1_000 * (i + 1),
  readLearnedAt: i === 0 ? 31_000 : null,
  groups: { 'labels.campaign': i < 3 ? 'spring <sale>' : 'otp' },
}));
const overall = buildScope(counts, samples);
const report: Report = {
  version: 1,
  projectId: 'demo-project',
  databaseId: '(default)',
  asOf: '2026-11-21T12:00:00.000Z',
  window: { field: 'createdAt', since: '2026-11-20T12:00:00.000Z', until: null },
  outcomePushes: { pending: 1, delivered: 12, failed: 0 },
  overall,
  groups: [
    {
      by: 'label:campaign',
      field: 'labels.campaign',
      truncated: false,
      values: [{ value: 'spring <sale>', ...buildScope(counts, samples.slice(0, 3)) }],
    },
  ],
  timeline: {
    bucketMs: 3_600_000,
    buckets: [
      {
        from: '2026-11-21T10:00:00.000Z',
        to: '2026-11-21T11:00:00.000Z',
        counts: { delivered: 5, duplicate: 1, sms_sent: 4, revoked: 0, failed: 0, in_progress: 0 },
      },
      {
        from: '2026-11-21T11:00:00.000Z',
        to: '2026-11-21T12:00:00.000Z',
        counts: { delivered: 0, duplicate: 0, sms_sent: 0, revoked: 0, failed: 0, in_progress: 0 },
      },
    ],
  },
};

describe('numbers for people', () => {
  it('durations in the unit that reads best', () => {
    expect(formatDuration(185)).toBe('185 ms');
    expect(formatDuration(1_751)).toBe('1.8 s');
    expect(formatDuration(240_000)).toBe('4.0 min');
    expect(formatDuration(5_400_000)).toBe('1.5 h');
    expect(formatDuration(2 * 86_400_000)).toBe('2.0 d');
    expect(formatDuration(null)).toBe('—');
  });

  it('rates as percentages, a dash when there is no base', () => {
    expect(formatRate(0.7222)).toBe('72.2 %');
    expect(formatRate(null)).toBe('—');
  });
});

describe('text report', () => {
  const text = formatText(report);

  it('states the figures with their bases', () => {
    expect(text).toContain('project demo-project');
    expect(text).toContain('createdAt from 2026-11-20T12:00:00.000Z until now');
    expect(text).toMatch(/delivered\s+6 of 8 {2}delivery rate 75\.0 %/);
    expect(text).toMatch(/read\s+1 of 6 {2}read rate 16\.7 %/);
    expect(text).toContain('p50 4.0 s · p90 11.7 min · p99 11.7 min');
    expect(text).toContain('confirmed 3 · lost the race 1 · failed 0');
    expect(text).toContain('sent 5 · failed 0 · skipped 4');
    expect(text).toMatch(/duplicate delivery\s+1/);
  });

  it('has a row per group value and leaves empty timeline buckets out', () => {
    expect(text).toContain('by label:campaign (labels.campaign)');
    expect(text).toMatch(/spring <sale>\s+10\s+8\s+6/);
    expect(text).toContain('2026-11-21T10:00:00.000Z');
    expect(text).not.toContain('2026-11-21T11:00:00.000Z');
  });
});

describe('HTML report', () => {
  const html = formatHtml(report);

  it('is self-contained: no script, no external asset, no link out', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('escapes what came from the data', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(html).toContain('spring &lt;sale&gt;');
    expect(html).not.toContain('spring <sale>');
  });

  it('draws the distributions and the timeline as inline SVG with the data', () => {
    expect(html.match(/<svg /g)?.length).toBe(4); // status bars, two histograms, timeline
    // One histogram bar per non-empty range between the first and last non-empty bin, each titled with its count.
    expect(html).toContain('1s to 2s: 1 messages');
    expect(html).toContain('5m to 10m: 1 messages');
    expect(html).toContain('Time to deliver (DELIVERED − send): p50 4.0 s');
    expect(html).toContain('2026-11-21T10:00:00.000Z: SMS sent 4');
    expect(html).toContain('75.0 %');
  });
});

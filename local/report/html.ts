import type {
  Distribution,
  OutcomeCategory,
  Report,
  ScopeReport,
  Timeline,
} from '../../shared/report/types.ts';
import { statuses } from '../../shared/report/types.ts';
import { formatDuration, formatRate } from './format.ts';

/*
 * The report as one self-contained HTML page: inline CSS and inline SVG
 * charts, no script, no external asset, so it can be mailed or archived.
 */

const escapeMap: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapeMap[c]!);
}

const categoryColors: Record<OutcomeCategory, string> = {
  delivered: '#2e7d32',
  duplicate: '#c62828',
  sms_sent: '#1565c0',
  revoked: '#6d4c41',
  failed: '#ef6c00',
  in_progress: '#9e9e9e',
};

const categoryNames: Record<OutcomeCategory, string> = {
  delivered: 'delivered / read (RCS)',
  duplicate: 'duplicate (RCS and SMS)',
  sms_sent: 'SMS sent',
  revoked: 'revoked, no SMS',
  failed: 'failed',
  in_progress: 'in progress',
};

/** 500ms, 2s, 10m, 1h, 1d: short enough to sit under a bar. */
function shortDuration(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1_000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function binLabel(fromMs: number, toMs: number | null): string {
  return toMs === null ? `≥${shortDuration(fromMs)}` : `<${shortDuration(toMs)}`;
}

/** Vertical bars, one per histogram bin; empty bins at either end are left out. */
function histogramSvg(title: string, d: Distribution): string {
  if (d.count === 0)
    return `<figure><figcaption>${escapeHtml(title)}</figcaption><p class="none">no data</p></figure>`;
  const first = d.histogram.findIndex((b) => b.count > 0);
  const last = d.histogram.length - 1 - [...d.histogram].reverse().findIndex((b) => b.count > 0);
  const bins = d.histogram.slice(first, last + 1);
  const max = Math.max(...bins.map((b) => b.count));
  const barW = 40;
  const gap = 8;
  const h = 160;
  const top = 18;
  const width = Math.max(200, bins.length * (barW + gap) + gap);
  const bars = bins
    .map((b, i) => {
      const x = gap + i * (barW + gap);
      const bh = max === 0 ? 0 : Math.round((b.count / max) * (h - top));
      const y = h - bh;
      return [
        `<rect x="${x}" y="${y}" width="${barW}" height="${bh}" fill="#1565c0"><title>${escapeHtml(
          `${shortDuration(b.fromMs)} to ${b.toMs === null ? 'more' : shortDuration(b.toMs)}: ${b.count} messages`,
        )}</title></rect>`,
        `<text x="${x + barW / 2}" y="${y - 4}" class="n">${b.count}</text>`,
        `<text x="${x + barW / 2}" y="${h + 14}" class="l">${escapeHtml(binLabel(b.fromMs, b.toMs))}</text>`,
      ].join('');
    })
    .join('');
  const caption = `${title}: p50 ${formatDuration(d.p50)} · p90 ${formatDuration(d.p90)} · p99 ${formatDuration(
    d.p99,
  )} (n ${d.count})`;
  return `<figure><figcaption>${escapeHtml(caption)}</figcaption><svg role="img" aria-label="${escapeHtml(
    caption,
  )}" width="${width}" height="${h + 24}" viewBox="0 0 ${width} ${h + 24}">${bars}<line x1="0" y1="${h}" x2="${width}" y2="${h}" stroke="#444"/></svg></figure>`;
}

/** Horizontal bars: one per status with messages. */
function statusSvg(s: ScopeReport): string {
  const rows = statuses.filter((st) => s.byStatus[st] > 0);
  if (rows.length === 0) return '<p class="none">no messages</p>';
  const max = Math.max(...rows.map((st) => s.byStatus[st]));
  const rowH = 22;
  const labelW = 100;
  const barMax = 360;
  const height = rows.length * rowH + 4;
  const bars = rows
    .map((st, i) => {
      const y = i * rowH + 2;
      const w = Math.max(1, Math.round((s.byStatus[st] / max) * barMax));
      return `<text x="${labelW - 6}" y="${y + 15}" class="r">${st}</text><rect x="${labelW}" y="${y + 2}" width="${w}" height="${rowH - 6}" fill="#546e7a"/><text x="${labelW + w + 6}" y="${y + 15}">${s.byStatus[st]}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="messages by status" width="${labelW + barMax + 60}" height="${height}">${bars}</svg>`;
}

/** Stacked bars: outcomes of the messages created in each bucket. */
function timelineSvg(timeline: Timeline): string {
  const categories = Object.keys(categoryColors) as OutcomeCategory[];
  const totals = timeline.buckets.map((b) => categories.reduce((sum, c) => sum + b.counts[c], 0));
  const max = Math.max(1, ...totals);
  const n = timeline.buckets.length;
  const barW = Math.max(6, Math.min(40, Math.floor(720 / n) - 4));
  const gap = 4;
  const h = 200;
  const width = Math.max(300, n * (barW + gap) + gap);
  const labelEvery = Math.ceil(n / 8);
  const bars = timeline.buckets
    .map((b, i) => {
      const x = gap + i * (barW + gap);
      let y = h;
      const segments = categories
        .filter((c) => b.counts[c] > 0)
        .map((c) => {
          const sh = (b.counts[c] / max) * (h - 10);
          y -= sh;
          return `<rect x="${x}" y="${y.toFixed(1)}" width="${barW}" height="${sh.toFixed(1)}" fill="${categoryColors[c]}"><title>${escapeHtml(
            `${b.from}: ${categoryNames[c]} ${b.counts[c]}`,
          )}</title></rect>`;
        })
        .join('');
      const label =
        i % labelEvery === 0
          ? `<text x="${x}" y="${h + 14}" class="t">${escapeHtml(b.from.slice(5, 16).replace('T', ' '))}</text>`
          : '';
      return segments + label;
    })
    .join('');
  const legend = categories
    .map(
      (c) =>
        `<span class="key"><span class="sw" style="background:${categoryColors[c]}"></span>${escapeHtml(categoryNames[c])}</span>`,
    )
    .join(' ');
  return `<figure><figcaption>Outcome of the messages created in each ${escapeHtml(
    formatDuration(timeline.bucketMs),
  )} (UTC), tallest bar ${max}</figcaption><svg role="img" aria-label="outcomes over time" width="${width}" height="${h + 22}">${bars}<line x1="0" y1="${h}" x2="${width}" y2="${h}" stroke="#444"/></svg><div>${legend}</div></figure>`;
}

function tile(label: string, value: string, note = ''): string {
  return `<div class="tile"><div class="v">${escapeHtml(value)}</div><div class="k">${escapeHtml(label)}</div>${
    note ? `<div class="note">${escapeHtml(note)}</div>` : ''
  }</div>`;
}

function tiles(s: ScopeReport, pushes: Report['outcomePushes']): string {
  return `<div class="tiles">${[
    tile('messages', String(s.messages), `${s.tracked} tracked, ${s.untracked} untracked`),
    tile('delivery rate', formatRate(s.deliveryRate), `${s.delivered} of ${s.rcsSent} sent as RCS`),
    tile('read rate', formatRate(s.readRate), `${s.read} of ${s.delivered} delivered`),
    tile(
      'time to deliver p50',
      formatDuration(s.timeToDeliverMs.p50),
      `p90 ${formatDuration(s.timeToDeliverMs.p90)}`,
    ),
    tile(
      'webhook lag p99',
      formatDuration(s.webhookLagMs.delivered.p99),
      `DELIVERED stored after the platform's time; max ${formatDuration(s.webhookLagMs.delivered.max)}`,
    ),
    tile(
      'revoked (confirmed)',
      String(s.revocation.confirmed),
      `lost the race ${s.revocation.lostRace}, failed ${s.revocation.failed}`,
    ),
    tile('SMS sent', String(s.fallback.sent), `failed ${s.fallback.failed}, skipped ${s.fallback.skipped}`),
    tile(
      'escalated (unread nudge)',
      String(s.escalation.sent),
      `read after the nudge ${s.escalation.readAfterNudge}, failed ${s.escalation.failed}`,
    ),
    tile('duplicate deliveries', String(s.duplicateDeliveries), 'RCS and SMS both arrived'),
    tile('not RCS-capable', String(s.notRcs), 'straight to SMS'),
    tile(
      'capability checks',
      String(s.capabilityChecks.reachable + s.capabilityChecks.unreachable + s.capabilityChecks.failed),
      `not reachable ${s.capabilityChecks.unreachable}, failed ${s.capabilityChecks.failed}`,
    ),
    tile('outcomes pushed', String(pushes.delivered), `pending ${pushes.pending}, failed ${pushes.failed}`),
  ].join('')}</div>`;
}

function groupTable(report: Report): string {
  return report.groups
    .map((g) => {
      const head = [
        g.by,
        'messages',
        'sent as RCS',
        'delivered',
        'delivery rate',
        'read',
        'read rate',
        'deliver p50',
        'deliver p90',
        'read p50',
        'webhook lag p99',
        'revoked',
        'lost race',
        'revoke failed',
        'SMS sent',
        'duplicates',
        'nudged (unread)',
        'read after nudge',
      ];
      const rows = g.values.map((v) =>
        [
          v.value,
          v.messages,
          v.rcsSent,
          v.delivered,
          formatRate(v.deliveryRate),
          v.read,
          formatRate(v.readRate),
          formatDuration(v.timeToDeliverMs.p50),
          formatDuration(v.timeToDeliverMs.p90),
          formatDuration(v.timeToReadMs.p50),
          formatDuration(v.webhookLagMs.delivered.p99),
          v.revocation.confirmed,
          v.revocation.lostRace,
          v.revocation.failed,
          v.fallback.sent,
          v.duplicateDeliveries,
          v.escalation.sent,
          v.escalation.readAfterNudge,
        ]
          .map((cell) => `<td>${escapeHtml(String(cell))}</td>`)
          .join(''),
      );
      return `<h2>By ${escapeHtml(g.by)} <code>${escapeHtml(g.field)}</code>${
        g.truncated ? ' (first values only)' : ''
      }</h2><table><thead><tr>${head.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r}</tr>`)
        .join('')}</tbody></table>`;
    })
    .join('');
}

const style = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:#555}.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
.tile{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:150px}
.tile .v{font-size:22px;font-weight:600}.tile .k{color:#444}.tile .note{color:#777;font-size:12px}
figure{margin:12px 0 20px}figcaption{font-weight:600;margin-bottom:6px}
svg text{font-size:11px;fill:#333}svg text.n,svg text.l{text-anchor:middle}svg text.r{text-anchor:end}
table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}.key{margin-right:12px;white-space:nowrap}
.sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}.none{color:#777}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{color:#555}`;

/** The report as a self-contained page for people. */
export function formatHtml(report: Report): string {
  const s = report.overall;
  const { since, until } = report.window;
  const windowText =
    since || until
      ? `createdAt from ${since ?? 'the first message'} until ${until ?? 'now'}`
      : 'all messages';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>rbm-lifecycle report · ${escapeHtml(report.projectId)} · ${escapeHtml(report.asOf)}</title>
<style>${style}</style></head><body>
<h1>rbm-lifecycle report</h1>
<div class="meta">project <code>${escapeHtml(report.projectId)}</code> · database <code>${escapeHtml(
    report.databaseId,
  )}</code> · as of ${escapeHtml(report.asOf)} · ${escapeHtml(windowText)}</div>
${tiles(s, report.outcomePushes)}
<h2>Messages by status</h2>
${statusSvg(s)}
<h2>How fast</h2>
${histogramSvg('Time to deliver (DELIVERED − send)', s.timeToDeliverMs)}
${histogramSvg('Time to read (READ − send)', s.timeToReadMs)}
${report.timeline ? `<h2>Outcomes over time</h2>${timelineSvg(report.timeline)}` : ''}
<h2>Other figures</h2>
<dl>
<dt>revoke DELETE calls</dt><dd>${s.revocation.deleteCalls}</dd>
<dt>SMS provider calls</dt><dd>${s.fallback.providerCalls}</dd>
<dt>late deliveries</dt><dd>${s.lateDeliveries} (DELIVERED after a revoke or the SMS)</dd>
<dt>sweep re-drives</dt><dd>${s.sweepRedrives}</dd>
<dt>average send latency</dt><dd>${escapeHtml(formatDuration(s.sendLatencyMsAvg))}</dd>
</dl>
${groupTable(report)}
<p class="meta">Definitions: docs/local-stack.md, “Report”. Machine-readable: <code>npm run report -- --json</code>.</p>
</body></html>
`;
}

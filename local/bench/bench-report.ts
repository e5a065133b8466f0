/*
 * The generated section of docs/BENCHMARKS.md that `npm run bench`
 * (local/bench/all.ts) rewrites: each benchmark's headline figures from its
 * JSON, with the machine and the commands. Pure: results in, markdown out;
 * the hand-written sections around it keep the analysis and past runs.
 */

export const sectionStart = '<!-- npm run bench: generated from here -->';
export const sectionEnd = '<!-- npm run bench: generated up to here -->';

export const benchNames = ['webhook', 'coldStart', 'deadlines', 'cost'] as const;
export type BenchName = (typeof benchNames)[number];

/** What each benchmark printed as JSON (absent: not run, or it failed, with why). */
export interface BenchResults {
  at: Date;
  machine: { cores: number; cpu: string; node: string; loadAverage: number[] };
  commands: Partial<Record<BenchName, string>>;
  failures: Partial<Record<BenchName, string>>;
  // biome-ignore lint/suspicious/noExplicitAny: each benchmark's own JSON, read by field name.
  webhook?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  coldStart?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  deadlines?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  cost?: any;
}

const round = (n: unknown, digits = 0): string =>
  typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '—';

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

function webhookLines(w: BenchResults['webhook']): string[] {
  const row = (name: string, f: { requestsPerSecond: number; latencyMs: Record<string, number> }) => [
    name,
    round(f.requestsPerSecond),
    round(f.latencyMs.p50, 2),
    round(f.latencyMs.p90, 2),
    round(f.latencyMs.p99, 2),
  ];
  return [
    ...table(
      ['target', 'requests/s', 'p50 ms', 'p90 ms', 'p99 ms'],
      [row('no-op', w.noop), row('webhook', w.webhook)],
    ),
    '',
    `Ratio webhook / no-op: requests/s ${round(w.ratio.requestsPerSecond, 3)}, p50 ${round(w.ratio.p50, 1)}×, p99 ${round(w.ratio.p99, 1)}×. Every check passed: ${Object.values(w.verification?.checks ?? {}).every(Boolean) ? 'yes' : 'no'}.`,
  ];
}

function coldStartLines(c: BenchResults['coldStart']): string[] {
  const targets: Record<string, BenchResults['coldStart']> = c.targets;
  const rows = Object.entries(targets).map(([target, f]) => [
    target,
    `${f.listeningMs.median} (${f.listeningMs.min}–${f.listeningMs.max})`,
    `${f.firstRequestMs.median} (${f.firstRequestMs.min}–${f.firstRequestMs.max})`,
    `${round(f.ratioToBare, 2)}×`,
    f.rssMbMedian === null ? '—' : String(f.rssMbMedian),
  ]);
  return [
    `${c.runs} cold starts per target; medians, (min–max).`,
    '',
    ...table(
      ['target', 'spawn to listening, ms', 'first request, ms', 'to first answer vs bare', 'RSS, MB'],
      rows,
    ),
  ];
}

function deadlineLines(d: BenchResults['deadlines']): string[] {
  const real = d.revokeLatenessRealMs ?? {};
  const peak = Object.entries((d.processes ?? {}) as Record<string, { peakRssMiB: number | null }>)
    .map(([name, p]) => `${name} ${round(p.peakRssMiB)}`)
    .join(', ');
  return [
    ...table(
      ['messages', 'revoke lateness p50 / p99 / max (real ms)', 'DELETEs/s', 'SMS sent', 'lost', 'two SMS'],
      [
        [
          String(d.options?.messages ?? '—'),
          `${round(real.p50)} / ${round(real.p99)} / ${round(real.max)}`,
          round(d.burst?.deletesPerSecond, 1),
          String(d.smsSent ?? '—'),
          String(d.lost ?? '—'),
          String(d.phonesWithTwoSms ?? '—'),
        ],
      ],
    ),
    '',
    `Time x${d.options?.timeScale ?? '—'}, ${d.options?.queueShards ?? '—'} queue shard(s). Peak RSS per process, MiB: ${peak || '—'}.${
      (d.problems ?? []).length ? ` Problems: ${(d.problems as string[]).join('; ')}.` : ''
    }`,
  ];
}

function costLines(c: BenchResults['cost']): string[] {
  const rows = c.paths.map((p: BenchResults['cost']) => [
    p.label,
    `$${round(p.costPerMillion.ours.total, 2)}`,
    `$${round(p.costPerMillion.naive.total, 2)}`,
    round(p.costPerMillion.naiveOverOurs, 2),
  ]);
  return [
    'Firestore + Cloud Tasks + Cloud Run per 1,000,000 messages, list prices, no free tier (SMS and RBM apart).',
    '',
    ...table(['path', 'ours', 'naive', 'naive / ours'], rows),
  ];
}

/** The generated section, markers included. */
export function renderBenchSection(results: BenchResults): string {
  const { machine } = results;
  const lines = [
    sectionStart,
    '## Latest `npm run bench`',
    '',
    `Run ${results.at.toISOString()} on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}; load average at the start ${machine.loadAverage.map((n) => n.toFixed(2)).join(', ')}. One run each; the sections above discuss the figures and keep earlier runs.`,
    '',
  ];
  const part = (title: string, key: BenchName, render: () => string[]) => {
    lines.push(`### ${title}`, '', `\`${results.commands[key] ?? key}\``, '');
    if (results.failures[key]) lines.push(`Not measured: ${results.failures[key]}`);
    else if (results[key]) lines.push(...render());
    else lines.push('Not run.');
    lines.push('');
  };
  part('Webhook against a no-op handler', 'webhook', () => webhookLines(results.webhook));
  part('Cold start', 'coldStart', () => coldStartLines(results.coldStart));
  part('Deadlines in the same seconds', 'deadlines', () => deadlineLines(results.deadlines));
  part('Cost', 'cost', () => costLines(results.cost));
  lines.push(sectionEnd);
  return `${lines.join('\n')}\n`;
}

/** The document with its generated section replaced (or appended, the first time). */
export function replaceBenchSection(document: string, section: string): string {
  const start = document.indexOf(sectionStart);
  const end = document.indexOf(sectionEnd);
  if (start >= 0 && end > start) {
    return `${document.slice(0, start)}${section}${document.slice(end + sectionEnd.length).replace(/^\n/, '')}`;
  }
  return `${document.replace(/\n*$/, '\n\n')}${section}`;
}

import { describe, expect, it } from 'vitest';
import {
  type BenchResults,
  renderBenchSection,
  replaceBenchSection,
  sectionEnd,
  sectionStart,
} from '../../local/bench/bench-report.ts';

// The section `npm run bench` writes into docs/BENCHMARKS.md, from each benchmark's JSON.
const results: BenchResults = {
  at: new Date('2026-12-03T16:00:00Z'),
  machine: { cores: 2, cpu: 'Test CPU', node: 'v24.21.0', loadAverage: [0.5, 0.4, 0.3] },
  commands: {
    webhook: 'node local/bench/webhook.ts --json',
    coldStart: 'node local/bench/cold-start.ts --json',
  },
  failures: { deadlines: 'exited 1' },
  webhook: {
    noop: { requestsPerSecond: 5000, latencyMs: { p50: 1.5, p90: 2, p99: 4 } },
    webhook: { requestsPerSecond: 400, latencyMs: { p50: 20.25, p90: 30, p99: 60 } },
    ratio: { requestsPerSecond: 0.08, p50: 13.5, p99: 15 },
    verification: { checks: { 'every request stored': true } },
  },
  coldStart: {
    runs: 5,
    targets: {
      bare: {
        listeningMs: { median: 180, min: 170, max: 200 },
        firstRequestMs: { median: 9, min: 8, max: 20 },
        ratioToBare: 1,
        rssMbMedian: 88,
      },
      webhook: {
        listeningMs: { median: 530, min: 520, max: 560 },
        firstRequestMs: { median: 170, min: 160, max: 190 },
        ratioToBare: 3.71,
        rssMbMedian: 159,
      },
    },
  },
};

describe('the generated section of docs/BENCHMARKS.md', () => {
  const section = renderBenchSection(results);

  it('gives the machine, each command and its headline figures; a failure is named, not hidden', () => {
    expect(section.startsWith(sectionStart)).toBe(true);
    expect(section.trimEnd().endsWith(sectionEnd)).toBe(true);
    expect(section).toContain('2 cores (Test CPU), Node v24.21.0');
    expect(section).toContain('`node local/bench/webhook.ts --json`');
    expect(section).toContain('| webhook | 400 | 20.25 | 30.00 | 60.00 |');
    expect(section).toContain('p50 13.5×');
    expect(section).toContain('| webhook | 530 (520–560) | 170 (160–190) | 3.71× | 159 |');
    expect(section).toContain('Not measured: exited 1');
    expect(section).toMatch(/### Cost\n\n`cost`\n\nNot run\./);
  });

  it('replaces the previous section and keeps the hand-written text around it; the first time, appends', () => {
    const first = replaceBenchSection('# Benchmarks\n\nProse.\n', section);
    expect(first).toBe(`# Benchmarks\n\nProse.\n\n${section}`);
    const later = renderBenchSection({ ...results, at: new Date('2026-12-04T00:00:00Z') });
    const second = replaceBenchSection(`${first}\n## After\n`, later);
    expect(second).toContain('# Benchmarks\n\nProse.\n');
    expect(second).toContain('2026-12-04T00:00:00.000Z');
    expect(second).not.toContain('2026-12-03T16:00:00.000Z');
    expect(second.endsWith('\n## After\n')).toBe(true);
    expect(second.split(sectionStart)).toHaveLength(2);
  });
});

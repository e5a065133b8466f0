import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, usageError } from '../common/cli.ts';
import {
  type BenchName,
  type BenchResults,
  benchNames,
  renderBenchSection,
  replaceBenchSection,
} from './bench-report.ts';

/*
 * `npm run bench`: every benchmark in turn, one at a time (they measure the
 * machine, so none may share it), each with --json; then the generated
 * section of docs/BENCHMARKS.md is rewritten from what they printed, with the
 * machine and the commands (local/bench/bench-report.ts). A benchmark that
 * fails is named there with its error, and the run exits 1.
 */

const program = 'npm run bench';
const usage = `Usage: npm run bench -- [options]

Runs every benchmark (webhook, cold start, deadlines in the same seconds, cost) one after the
other and rewrites the generated section of docs/BENCHMARKS.md with their figures.

Options:
  --quick        scaled-down runs (a minute or two in all), to try the pipeline; not figures to keep
  --only LIST    only these, comma-separated: ${benchNames.join(', ')}
  --no-write     print the section instead of rewriting docs/BENCHMARKS.md
  -h, --help     show this help
`;

const { values } = parseCommandLine(program, usage, {
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});

const only = values.only?.split(',').map((name) => name.trim()) ?? [...benchNames];
for (const name of only)
  if (!(benchNames as readonly string[]).includes(name))
    usageError(program, `--only: "${name}" is not one of ${benchNames.join(', ')}`);

const repoRoot = join(import.meta.dirname, '../..');
const benchFile = join(repoRoot, 'docs/BENCHMARKS.md');

/**
 * Each benchmark's script and arguments, full size or scaled down, and how it gives its JSON:
 * with --json, or (bench:deadlines) always as its last stdout line.
 */
const plans: Record<BenchName, { script: string; full: string[]; quick: string[]; json: string[] }> = {
  webhook: {
    script: 'local/bench/webhook.ts',
    full: [],
    quick: ['--duration', '3', '--warmup', '1'],
    json: ['--json'],
  },
  coldStart: { script: 'local/bench/cold-start.ts', full: [], quick: ['--runs', '2'], json: ['--json'] },
  deadlines: { script: 'local/bench/deadlines.ts', full: [], quick: ['--messages', '500'], json: [] },
  cost: {
    script: 'local/bench/cost.ts',
    full: [],
    quick: ['--messages', '5', '--warmup', '1'],
    json: ['--json'],
  },
};

const results: BenchResults = {
  at: new Date(),
  machine: {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage: os.loadavg(),
  },
  commands: {},
  failures: {},
};

for (const name of only as BenchName[]) {
  const plan = plans[name];
  const args = [...(values.quick ? plan.quick : plan.full), ...plan.json];
  results.commands[name] = ['node', plan.script, ...args].join(' ');
  if (!existsSync(join(repoRoot, plan.script))) {
    results.failures[name] = `${plan.script} is not in this checkout`;
    continue;
  }
  process.stderr.write(`bench: ${name} (${results.commands[name]}) ...\n`);
  const started = Date.now();
  try {
    results[name] = await runJson(plan.script, args);
    process.stderr.write(`bench: ${name} done in ${Math.round((Date.now() - started) / 1000)} s\n`);
  } catch (error) {
    results.failures[name] = (error as Error).message;
    process.stderr.write(`bench: ${name} failed: ${(error as Error).message}\n`);
  }
}

const section = renderBenchSection(results);
if (values['no-write']) process.stdout.write(section);
else {
  writeFileSync(benchFile, replaceBenchSection(readFileSync(benchFile, 'utf8'), section));
  process.stderr.write(`bench: rewrote the generated section of docs/BENCHMARKS.md\n`);
}
process.exit(Object.keys(results.failures).length === 0 ? 0 : 1);

/** Runs `node script ...args`; its stdout must be JSON (the whole of it, or its last line). */
function runJson(script: string, args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const parsed = parseJson(stdout);
      if (code === 0 && parsed !== undefined) resolve(parsed);
      else reject(new Error(`exited ${signal ?? code}${parsed === undefined ? ', no JSON on stdout' : ''}`));
    });
  });
}

function parseJson(text: string): unknown {
  for (const candidate of [text.trim(), text.trim().split('\n').pop() ?? '']) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the last line
    }
  }
  return undefined;
}

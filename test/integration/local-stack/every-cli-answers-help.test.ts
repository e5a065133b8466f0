import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Every command line under local/ follows one convention (local/common/cli.ts):
 * `--help` prints the usage on stdout with exit 0, and an unknown option is
 * one line on stderr with exit 2, never a stack trace.
 */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const clis = [
  'local/firestore-emulator/cli.ts',
  'local/tasks-emulator/cli.ts',
  'local/rbm-sandbox/cli.ts',
  'local/sms-sandbox/cli.ts',
  'local/stack/cli.ts',
  'local/chaos/cli.ts',
  'local/capabilities/cli.ts',
  'local/bench/webhook.ts',
  'local/bench/cost.ts',
  'local/bench/cold-start.ts',
  'local/bench/all.ts',
  'local/bench/deadlines.ts',
  'local/bench/cpu-profile.ts',
  'local/bench/serve-function.ts',
  'local/google-client-suite/run.ts',
  'local/google-client-suite/vendor.ts',
];

// Command lines owned elsewhere, with their own conventions.
const notCovered = ['local/source-archive/', 'local/terraform-schema/', 'local/report/'];

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, METADATA_SERVER_DETECTION: 'none' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} did not exit within 20 s: ${stderr}`));
    }, 20_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the jobs two at a time (the machine may have only two cores). */
async function inPairs<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < jobs.length; i += 2)
    results.push(...(await Promise.all(jobs.slice(i, i + 2).map((job) => job()))));
  return results;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)));
}

describe('every command line under local/', () => {
  it('is in this list: every file that reads its command line', () => {
    const readers = sourcesUnder('local')
      .filter((file) => !notCovered.some((prefix) => file.startsWith(prefix)))
      .filter((file) => !file.startsWith('local/common/'))
      .filter((file) =>
        /process\.argv|parseArgs\(|parseCommandLine\(/.test(readFileSync(join(repoRoot, file), 'utf8')),
      );
    expect(readers.sort()).toEqual([...clis].sort());
  });

  it('answers --help with its usage on stdout and exit 0', { timeout: 120_000 }, async () => {
    const outcomes = await inPairs(clis.map((cli) => () => run(cli, ['--help'])));
    for (const [i, cli] of clis.entries()) {
      const { code, stdout, stderr } = outcomes[i]!;
      expect(code, `${cli}: ${stderr}`).toBe(0);
      expect(stdout, cli).toContain('Usage');
    }
  });

  it('explains an unknown option in one line on stderr with exit 2, never a stack trace', {
    timeout: 120_000,
  }, async () => {
    const outcomes = await inPairs(clis.map((cli) => () => run(cli, ['--no-such-flag'])));
    for (const [i, cli] of clis.entries()) {
      const { code, stderr } = outcomes[i]!;
      expect(code, `${cli}: ${stderr}`).toBe(2);
      expect(stderr.trim().split('\n'), cli).toHaveLength(1);
      expect(stderr, cli).toMatch(/--no-such-flag/);
      expect(stderr, cli).not.toContain('    at ');
    }
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, usageError } from '../common/cli.ts';
import { startFirestoreEmulator } from '../firestore-emulator/index.ts';

/*
 * Runs Google's Node.js Firestore client system tests (vendored in
 * test/google-client-suite/vendor/) with mocha against the embedded emulator,
 * and holds the outcome to test/google-client-suite/expected-failures.json.
 */

const program = 'google-client-suite';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vendorDir = join(root, 'test', 'google-client-suite', 'vendor');
const expectedFile = join(root, 'test', 'google-client-suite', 'expected-failures.json');
const SUITE_FILES = ['system-test/firestore.ts', 'system-test/query.ts', 'system-test/pipeline.ts'];

const usage = `Usage: node local/google-client-suite/run.ts [options]   (npm run test:google-suite -- [options])

Starts the embedded Firestore emulator on 127.0.0.1 (a free port), runs Google's client
system tests against it with mocha, and prints passed, failed, skipped and expected failures.

Options:
  --grep PATTERN    only tests whose full title matches (mocha --grep)
  --named-db        use database "test-db" instead of "(default)" (FIRESTORE_NAMED_DATABASE)
  --timeout MS      per-test timeout (default 60000)
  --verbose         show the suite's own output, and the stack of each unexpected failure

Exit codes: 0 every failure is on the expected list and every listed test that ran failed;
1 otherwise (an unexpected failure, or a listed test that passed); 2 could not run.
`;

const { values } = parseCommandLine(program, usage, {
  options: {
    grep: { type: 'string' },
    'named-db': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '60000' },
    verbose: { type: 'boolean', default: false },
  },
});
if (!/^\d+$/.test(values.timeout)) usageError(program, `--timeout must be a number of milliseconds`);

interface ExpectedFailure {
  test: string;
  reason: string;
}
interface MochaTest {
  fullTitle: string;
  err?: { message?: string; stack?: string };
}
interface MochaReport {
  stats: { tests: number; passes: number; pending: number; failures: number; duration: number };
  passes: MochaTest[];
  failures: MochaTest[];
  pending: MochaTest[];
}

const expected: ExpectedFailure[] = JSON.parse(readFileSync(expectedFile, 'utf8')).expectedFailures;
for (const entry of expected) {
  if (typeof entry.test !== 'string' || typeof entry.reason !== 'string' || entry.reason.trim() === '') {
    usageError(program, `${expectedFile}: every entry needs a "test" (full title) and a "reason"`);
  }
}
const expectedByTitle = new Map(expected.map((e) => [e.test, e]));

const started = Date.now();
const emulator = await startFirestoreEmulator();
const workDir = mkdtempSync(join(tmpdir(), 'google-client-suite-'));
const reportFile = join(workDir, 'report.json');
let report: MochaReport;
try {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Settings that would point the suite elsewhere or at another edition.
  for (const key of Object.keys(env)) {
    if (key.startsWith('FIRESTORE_') || key === 'RUN_ENTERPRISE_TESTS') delete env[key];
  }
  Object.assign(env, {
    FIRESTORE_EMULATOR_HOST: emulator.host,
    GCLOUD_PROJECT: 'demo-google-client-suite',
    METADATA_SERVER_DETECTION: 'none',
    TSX_TSCONFIG_PATH: join(vendorDir, 'tsconfig.json'),
    ...(values['named-db'] ? { FIRESTORE_NAMED_DATABASE: 'test-db' } : {}),
  });
  const args = [
    // As upstream's .mocharc.js: source maps, deprecations are errors. Given to node, not
    // mocha: mocha re-spawns node for node flags, without tsx.
    '--enable-source-maps',
    '--throw-deprecation',
    '--import',
    import.meta.resolve('tsx'),
    join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'),
    '--timeout',
    values.timeout,
    '--reporter',
    'json',
    '--reporter-option',
    `output=${reportFile}`,
    ...(values.grep ? ['--grep', values.grep] : []),
    ...SUITE_FILES,
  ];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: vendorDir,
      env,
      stdio: ['ignore', values.verbose ? 'inherit' : 'ignore', values.verbose ? 'inherit' : 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-20_000);
    });
    child.on('error', reject);
    child.on('exit', (exitCode) => {
      if (exitCode !== 0 && stderr) process.stderr.write(stderr);
      resolve(exitCode);
    });
  });
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
  } catch {
    process.stderr.write(`${program}: mocha exited with ${code} and wrote no report\n`);
    process.exit(2);
  }
} finally {
  await emulator.stop();
}
rmSync(workDir, { recursive: true, force: true });

const outcomes = new Map<string, { passed: number; failed: MochaTest[] }>();
const outcome = (title: string) => {
  let o = outcomes.get(title);
  if (!o) {
    o = { passed: 0, failed: [] };
    outcomes.set(title, o);
  }
  return o;
};
for (const t of report.passes) outcome(t.fullTitle).passed++;
for (const t of report.failures) outcome(t.fullTitle).failed.push(t);

const expectedFailed: ExpectedFailure[] = [];
const unexpectedFailures: MochaTest[] = [];
const unexpectedPasses: ExpectedFailure[] = [];
for (const [title, o] of outcomes) {
  const entry = expectedByTitle.get(title);
  if (!entry) unexpectedFailures.push(...o.failed);
  else if (o.passed > 0) unexpectedPasses.push(entry);
  else expectedFailed.push(entry);
}

const line = (text = '') => process.stdout.write(`${text}\n`);
const firstLine = (text?: string) => (text ?? '').split('\n')[0]!.slice(0, 300);
line(`Google's Firestore client system tests against the embedded emulator (${emulator.host})`);
line(
  `passed ${report.stats.passes}, failed ${report.stats.failures} (expected ${expectedFailed.length}), ` +
    `skipped ${report.stats.pending}, total ${report.stats.tests}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
if (expectedFailed.length > 0) {
  line('\nExpected to fail:');
  for (const e of expectedFailed) line(`  - ${e.test}\n      ${e.reason}`);
}
const notRun = expected.filter((e) => !outcomes.has(e.test));
if (notRun.length > 0 && !values.grep) {
  line('\nOn the expected-failures list but not run (skipped or renamed):');
  for (const e of notRun) line(`  - ${e.test}`);
}
if (unexpectedPasses.length > 0) {
  line('\nUNEXPECTED PASSES (take them off test/google-client-suite/expected-failures.json):');
  for (const e of unexpectedPasses) line(`  - ${e.test}`);
}
if (unexpectedFailures.length > 0) {
  line('\nUNEXPECTED FAILURES:');
  for (const t of unexpectedFailures) {
    line(`  - ${t.fullTitle}\n      ${firstLine(t.err?.message)}`);
    if (values.verbose && t.err?.stack) line(t.err.stack.replace(/^/gm, '      '));
  }
}
const ok = unexpectedFailures.length === 0 && unexpectedPasses.length === 0;
line(ok ? '\nOK' : '\nFAILED');
process.exit(ok ? 0 : 1);

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Google's Node.js Firestore client system tests, the whole of them (about 15 s
 * alone), through `npm run test:google-suite`'s runner: every failure must be on
 * test/google-client-suite/expected-failures.json and every listed test that
 * runs must still fail. The runner starts its own embedded emulator, so this is
 * skipped against an external one.
 */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe.skipIf(Boolean(process.env.FIRESTORE_EMULATOR_HOST))("Google's client system tests", () => {
  it('pass against the embedded emulator, but for the expected failures', { timeout: 240_000 }, async () => {
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(process.execPath, ['local/google-client-suite/run.ts'], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
      });
      child.stderr.on('data', (chunk) => {
        err += chunk;
      });
      child.once('error', reject);
      child.once('close', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    });
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/passed [1-9]\d*, failed \d+ \(expected \d+\), skipped \d+/);
  });
});

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultGenericSecret, defaultTwilioAccount } from '../../../local/sms-sandbox/sandbox.ts';

/*
 * Every line the whole system prints while it runs every lifecycle path, at
 * debug level: the six functions, the RBM and SMS sandboxes, the emulators,
 * the outcome receiver and `npm start` itself. No secret (the webhook's
 * clientToken, the SMS provider secrets, the outcome signing key and signatures, the sandbox's bearer token, any Authorization value) and
 * no full phone number may appear: the product masks numbers in its log
 * fields (shared/log/mask.ts), and the local components must not undo that.
 * The ready line is the one exception: it hands the local clientToken to the
 * developer on purpose (docs/local-stack.md), and is not a log line.
 */

const cli = join(import.meta.dirname, '../../../local/stack/cli.ts');
const freePorts = ['functions', 'rbm', 'sms', 'tasks', 'firestore', 'outcomes'].flatMap((c) => [
  `--port-${c}`,
  '0',
]);

async function runDemo(): Promise<{ ready: Record<string, unknown>; output: string; code: number | null }> {
  const { FIRESTORE_EMULATOR_HOST: _external, ...env } = process.env;
  const child = spawn(
    process.execPath,
    [
      cli,
      '--messages',
      '12',
      '--seed',
      '5',
      '--time-scale',
      '100',
      '--exit',
      '--log-level',
      'debug',
      // The capability check's log lines too (messages.capability_checked, with the number masked).
      '--capability-check',
      'on',
      ...freePorts,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, METADATA_SERVER_DETECTION: 'none' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  // At info and debug the components' start-up lines come before the ready line.
  const lines = stdout.split('\n');
  const readyAt = lines.findIndex((line) => line.startsWith('{"ready":true'));
  const ready = readyAt >= 0 ? JSON.parse(lines[readyAt]!) : {};
  const logs = lines.filter((_, i) => i !== readyAt).join('\n');
  return { ready, output: `${logs}\n${stderr}`, code };
}

describe('what the running system prints', () => {
  it('holds no secret and no full phone number, at debug level, on every lifecycle path', async () => {
    const { ready, output, code } = await runDemo();
    expect(code, output.slice(-2_000)).toBe(0);
    const lines = output.split('\n').filter((line) => line.startsWith('{'));
    // The functions really logged their events, a masked recipient among them.
    expect(lines.length).toBeGreaterThan(40);
    expect(output).toMatch(/"event":"fallback\.claimed".*"recipient":"\+\d{1,4}•+\d{1,4}"/);
    expect(output).toMatch(/"event":"messages\.capability_checked".*"phoneNumber":"\+\d{1,4}•+\d{1,4}"/);

    const clientToken = String(ready.clientToken);
    expect(clientToken.length).toBeGreaterThan(10);
    expect(output).not.toContain(clientToken);
    expect(output).not.toContain('local-sandbox-token'); // the RBM access token the functions use here
    expect(output).not.toContain(defaultGenericSecret);
    expect(output).not.toContain(defaultTwilioAccount.authToken);
    expect(output).not.toMatch(/Bearer\s+\S+/i);
    expect(output).not.toMatch(/"authorization"\s*:\s*"[^"]+"/i);
    expect(output).not.toMatch(/Basic\s+[A-Za-z0-9+/=]{8,}/);
    // Outcome push ran (npm start has it on), and neither its key nor a signature was printed.
    expect(output).toMatch(/"event":"outcomes\.delivered"/);
    expect(output).not.toContain('whsec_');
    expect(output).not.toMatch(/v1,[A-Za-z0-9+/]{20,}/);
    // E.164 numbers: a plus and 8 to 15 digits, unmasked.
    const numbers = output.match(/\+[1-9]\d{7,14}(?!\d)/g) ?? [];
    expect(numbers, 'full phone numbers in the output').toEqual([]);
  }, 120_000);
});

/**
 * Runs the RBM sandbox from the command line:
 *   node local/rbm-sandbox/cli.ts --port 8085 --webhook-url http://127.0.0.1:8080/webhook \
 *     --client-token TOKEN --seed 42 --time-scale 60 [--handshake required|report|skip] [--config file.json]
 * Prints one JSON line {"ready":true,"url":...} on stdout when listening (logs go to stderr),
 * and stops cleanly on SIGINT / SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '../../shared/log/index.ts';
import type { RbmSandboxOptions } from './options.ts';
import { startRbmSandbox } from './sandbox.ts';
import { WebhookHandshakeError } from './webhook/handshake.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'webhook-url': { type: 'string' },
    'client-token': { type: 'string' },
    seed: { type: 'string' },
    'time-scale': { type: 'string' },
    handshake: { type: 'string' },
    'access-token': { type: 'string' },
    'log-level': { type: 'string' },
    /** JSON file with any of: population, phones, webhook, faults, defaultAgentId. */
    config: { type: 'string' },
  },
  strict: true,
});

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) fail(`--${name} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

const handshakeMode = values.handshake ?? 'required';
if (!['required', 'report', 'skip'].includes(handshakeMode))
  fail('--handshake must be required, report or skip');
const fromFile: Partial<RbmSandboxOptions> = values.config
  ? JSON.parse(readFileSync(values.config, 'utf8'))
  : {};
const seed =
  values.seed === undefined ? undefined : /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
const port = number('port', values.port);
const timeScale = number('time-scale', values['time-scale']);

try {
  const sandbox = await startRbmSandbox({
    ...fromFile,
    ...(port !== undefined && { port }),
    ...(timeScale !== undefined && { timeScale }),
    ...(seed !== undefined && { seed }),
    ...(values['webhook-url'] && { webhookUrl: values['webhook-url'] }),
    ...(values['client-token'] && { clientToken: values['client-token'] }),
    ...(values['access-token'] && { accessToken: values['access-token'] }),
    handshake: handshakeMode as 'required' | 'report' | 'skip',
    // stdout carries only the ready line; logs go to stderr.
    logger: createLogger({ level: values['log-level'] ?? 'info', destination: process.stderr }),
  });
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: sandbox.url, port: sandbox.port, seed: sandbox.seed, handshake: sandbox.handshake })}\n`,
  );
  const shutdown = () => {
    sandbox.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof WebhookHandshakeError) fail(error.message);
  throw error;
}

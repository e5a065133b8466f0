/**
 * Runs the RBM sandbox from the command line (see `--help` below).
 * Prints one JSON line {"ready":true,"url":...} on stdout when listening (logs go to stderr),
 * and stops cleanly on SIGINT / SIGTERM. Any start-up failure (bad option, unreadable config,
 * port in use, failed handshake) is one line on stderr and exit code 2.
 */
import { createLogger } from '../../shared/log/index.ts';
import {
  CliError,
  exitWithError,
  parseCommandLine,
  portOption,
  positiveNumberOption,
  seedOption,
} from '../common/cli.ts';
import { readConfigFile } from './config-file.ts';
import { startRbmSandbox } from './sandbox.ts';
import { isPushConcurrency } from './webhook/push-window.ts';

const program = 'rbm-sandbox';

const usage = `Usage: node local/rbm-sandbox/cli.ts [options]

A local RCS Business Messaging platform on 127.0.0.1 (docs/rbm-sandbox.md).

Options:
  --port N                  port on 127.0.0.1 (default: a free one)
  --webhook-url URL         the agent's webhook: handshake on start, then every event
  --client-token TOKEN      the webhook's clientToken (handshake, X-Goog-Signature key)
  --handshake MODE          required (default: exit 2 if it fails) | report | skip
  --handshake-timeout-ms N  real milliseconds the webhook has to answer the handshake (default 10000)
  --seed SEED               seed for every random draw (default 1)
  --time-scale N            clock speed relative to real time, > 0 (default 1; 60: a minute a second)
  --access-token TOKEN      accept only this bearer token (default: any non-empty one)
  --webhook-concurrency M   serial (default: one POST at a time) | adaptive (Pub/Sub push's slow start)
  --config FILE             JSON: population, phones, webhook, faults, defaultAgentId, handshakeTimeoutMs
  --log-level LEVEL         pino level for the logs on stderr (default info)
  -h, --help                show this help

Prints {"ready":true,"url":...,"port":...,"seed":...,"handshake":...} on stdout once listening.
Exit codes: 0 stopped by SIGINT/SIGTERM, 2 could not start (the reason is on stderr).
`;

try {
  const { values } = parseCommandLine(program, usage, {
    options: {
      port: { type: 'string' },
      'webhook-url': { type: 'string' },
      'client-token': { type: 'string' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
      handshake: { type: 'string' },
      'handshake-timeout-ms': { type: 'string' },
      'access-token': { type: 'string' },
      'log-level': { type: 'string' },
      config: { type: 'string' },
      'webhook-concurrency': { type: 'string' },
    },
  });
  const handshake = values.handshake ?? 'required';
  if (handshake !== 'required' && handshake !== 'report' && handshake !== 'skip')
    throw new CliError(`--handshake must be required, report or skip, got ${JSON.stringify(handshake)}`);
  if (values['webhook-url'] !== undefined && !URL.canParse(values['webhook-url']))
    throw new CliError(`--webhook-url is not a URL: ${JSON.stringify(values['webhook-url'])}`);
  const concurrency = values['webhook-concurrency'];
  if (concurrency !== undefined && !isPushConcurrency(concurrency))
    throw new CliError(
      `--webhook-concurrency must be serial or adaptive, got ${JSON.stringify(concurrency)}`,
    );
  const fromFile = values.config ? readConfigFile(values.config) : {};
  const port = portOption(values.port);
  const timeScale = positiveNumberOption('time-scale', values['time-scale']);
  const handshakeTimeoutMs = positiveNumberOption('handshake-timeout-ms', values['handshake-timeout-ms']);
  const seed = seedOption(values.seed);

  const sandbox = await startRbmSandbox({
    ...fromFile,
    // The flag wins over the --config file's webhook.concurrency; the file's other webhook settings stay.
    ...(concurrency !== undefined && { webhook: { ...fromFile.webhook, concurrency } }),
    ...(port !== undefined && { port }),
    ...(timeScale !== undefined && { timeScale }),
    ...(seed !== undefined && { seed }),
    ...(handshakeTimeoutMs !== undefined && { handshakeTimeoutMs }),
    ...(values['webhook-url'] && { webhookUrl: values['webhook-url'] }),
    ...(values['client-token'] && { clientToken: values['client-token'] }),
    ...(values['access-token'] && { accessToken: values['access-token'] }),
    handshake,
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
  exitWithError(program, error);
}

/**
 * Runs the SMS sandbox from the command line:
 *   node local/sms-sandbox/cli.ts --port 8086 --seed 1 --time-scale 60 \
 *     [--secret GENERIC_SECRET] [--twilio-account-sid AC...] [--twilio-auth-token TOKEN]
 * Prints one JSON line {"ready":true,"url":...} on stdout (logs go to stderr); stops on SIGINT / SIGTERM.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../../shared/log/index.ts';
import { startSmsSandbox } from './sandbox.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    seed: { type: 'string' },
    'time-scale': { type: 'string' },
    secret: { type: 'string' },
    'twilio-account-sid': { type: 'string' },
    'twilio-auth-token': { type: 'string' },
    'log-level': { type: 'string' },
  },
  strict: true,
});

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) {
    process.stderr.write(`--${name} must be a number, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
}

const port = numberOption('port', values.port);
const timeScale = numberOption('time-scale', values['time-scale']);
const sandbox = await startSmsSandbox({
  ...(port !== undefined && { port }),
  ...(timeScale !== undefined && { timeScale }),
  ...(values.seed !== undefined && { seed: /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed }),
  ...(values.secret && { genericSecret: values.secret }),
  twilio: {
    ...(values['twilio-account-sid'] && { accountSid: values['twilio-account-sid'] }),
    ...(values['twilio-auth-token'] && { authToken: values['twilio-auth-token'] }),
  },
  logger: createLogger({ level: values['log-level'] ?? 'info', destination: process.stderr }),
});
process.stdout.write(
  `${JSON.stringify({ ready: true, url: sandbox.url, genericUrl: sandbox.genericUrl, twilioAccountSid: sandbox.twilio.accountSid })}\n`,
);
const shutdown = () => {
  sandbox.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

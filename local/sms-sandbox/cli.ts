/**
 * Runs the SMS sandbox from the command line (see `--help` below).
 * Prints one JSON line {"ready":true,"url":...} on stdout (logs go to stderr); stops on SIGINT / SIGTERM.
 * Any start-up failure (bad option, port in use) is one line on stderr and exit code 2.
 */
import { createLogger } from '../../shared/log/index.ts';
import {
  exitWithError,
  parseCommandLine,
  portOption,
  positiveNumberOption,
  seedOption,
} from '../common/cli.ts';
import { startSmsSandbox } from './sandbox.ts';

const program = 'sms-sandbox';

const usage = `Usage: node local/sms-sandbox/cli.ts [options]

A local SMS provider on 127.0.0.1, generic (HMAC-signed JSON) and Twilio-shaped (docs/sms-sandbox.md).

Options:
  --port N                    port on 127.0.0.1 (default: a free one)
  --seed SEED                 seed for ids and failure draws (default 1)
  --time-scale N              clock speed relative to real time, > 0 (default 1)
  --secret S                  the generic provider's X-Signature secret (default sms-sandbox-secret)
  --twilio-account-sid AC...  the Twilio account accepted (default AC000...0)
  --twilio-auth-token T       its auth token (default sms-sandbox-auth-token)
  --log-level LEVEL           pino level for the logs on stderr (default info)
  -h, --help                  show this help

Prints {"ready":true,"url":...,"genericUrl":...,"twilioAccountSid":...} on stdout once listening.
Exit codes: 0 stopped by SIGINT/SIGTERM, 2 could not start (the reason is on stderr).
`;

try {
  const { values } = parseCommandLine(program, usage, {
    options: {
      port: { type: 'string' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
      secret: { type: 'string' },
      'twilio-account-sid': { type: 'string' },
      'twilio-auth-token': { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const port = portOption(values.port);
  const timeScale = positiveNumberOption('time-scale', values['time-scale']);
  const seed = seedOption(values.seed);
  const sandbox = await startSmsSandbox({
    ...(port !== undefined && { port }),
    ...(timeScale !== undefined && { timeScale }),
    ...(seed !== undefined && { seed }),
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
} catch (error) {
  exitWithError(program, error);
}

import { parseCommandLine, usageError } from '../common/cli.ts';
import { isPushConcurrency } from '../rbm-sandbox/index.ts';
import { defaultTimeScale, runChaos } from './run.ts';

/** `npm run chaos`: a chaos run on the local stack in process mode (local/chaos/run.ts). */
// No Google account here: keep the clients from probing the metadata server.
process.env.METADATA_SERVER_DETECTION ??= 'none';

const program = 'npm run chaos';
const usage = `Usage: npm run chaos -- [options]
  --messages N       messages of the demo mix (default 200)
  --seed S           seed of the phones, the mix and the faults (default 1)
  --time-scale X     clock speed vs real time (default: 10,000 / N, from 1 to 60)
  --kill-every MS    mean real time between two random SIGKILLs of a function instance (default 5000)
  --instances N      instances (processes sharing a port) of each function but the sweep (default 2;
                     1 makes every kill take the whole function down)
  --webhook-concurrency M  adaptive (default, as Pub/Sub push) or serial: how the platform posts to the webhook
  --stall-every MS   mean real time between two Firestore stalls (default 20000)
  --stall MS         how long each stall holds every Firestore call (default 3000)
  --evidence FILE    write the record, timeline, ground truth and task attempts of each violating
                     message and of the 40 that ended latest to FILE, every message's lateness,
                     and every line the function processes printed
  --log-level L      of the functions and the sandboxes: debug, info, warn, error (default error)
  -h, --help         show this help
Prints progress on stderr, then the counts as one JSON line on stdout; exits 1 on any violation.`;

const args = parseCommandLine(program, usage, {
  options: {
    messages: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    'time-scale': { type: 'string' },
    'kill-every': { type: 'string', default: '5000' },
    instances: { type: 'string', default: '2' },
    'webhook-concurrency': { type: 'string', default: 'adaptive' },
    'stall-every': { type: 'string', default: '20000' },
    stall: { type: 'string', default: '3000' },
    evidence: { type: 'string' },
    'log-level': { type: 'string', default: 'error' },
  },
}).values;

const number = (name: string, value: string, min: number, max: number) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    usageError(program, `--${name} must be a number from ${min} to ${max}, got "${value}"`);
  return n;
};

const logLevels = ['debug', 'info', 'warn', 'error'] as const;
const logLevel = logLevels.find((level) => level === args['log-level']);
if (!logLevel)
  usageError(program, `--log-level must be one of ${logLevels.join(', ')}, got "${args['log-level']}"`);

const messages = number('messages', args.messages, 1, 20_000);
const webhookConcurrency = args['webhook-concurrency'];
if (!isPushConcurrency(webhookConcurrency))
  usageError(program, `--webhook-concurrency must be adaptive or serial, got "${webhookConcurrency}"`);
const timeScale =
  args['time-scale'] === undefined
    ? defaultTimeScale(messages)
    : number('time-scale', args['time-scale'], 1, 1_000);
if (args['time-scale'] === undefined) console.error(`chaos: time x${timeScale} for ${messages} messages`);

const report = await runChaos({
  logLevel,
  messages,
  seed: number('seed', args.seed, 0, 2 ** 31),
  timeScale,
  killEveryMs: number('kill-every', args['kill-every'], 10, 60_000),
  instances: number('instances', args.instances, 1, 8),
  webhookConcurrency,
  stallEveryMs: number('stall-every', args['stall-every'], 1_000, 3_600_000),
  stallMs: number('stall', args.stall, 0, 60_000),
  progress: (line) => console.error(line),
  ...(args.evidence !== undefined && { evidenceFile: args.evidence }),
});
console.log(JSON.stringify(report));
for (const violation of report.violations.slice(0, 20)) console.error(`  violation: ${violation}`);
console.error(
  report.violations.length === 0
    ? `chaos: ${report.settled}/${report.messages} messages consistent with the ground truth`
    : `chaos: ${report.violations.length} violations`,
);
process.exit(report.violations.length === 0 ? 0 : 1);

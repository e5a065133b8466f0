import { parseCommandLine, usageError } from '../common/cli.ts';
import { runChaos } from './run.ts';

/** `npm run chaos`: a chaos run on the local stack in process mode (local/chaos/run.ts). */
// No Google account here: keep the clients from probing the metadata server.
process.env.METADATA_SERVER_DETECTION ??= 'none';

const program = 'npm run chaos';
const usage = `Usage: npm run chaos -- [options]
  --messages N       messages of the demo mix (default 200)
  --seed S           seed of the phones, the mix and the faults (default 1)
  --time-scale X     clock speed vs real time (default 60)
  --kill-every MS    mean real time between two SIGKILLs of a function process (default 400)
  -h, --help         show this help
Prints progress on stderr, then the counts as one JSON line on stdout; exits 1 on any violation.`;

const args = parseCommandLine(program, usage, {
  options: {
    messages: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    'time-scale': { type: 'string', default: '60' },
    'kill-every': { type: 'string', default: '400' },
  },
}).values;

const number = (name: string, value: string, min: number, max: number) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    usageError(program, `--${name} must be a number from ${min} to ${max}, got "${value}"`);
  return n;
};

const report = await runChaos({
  messages: number('messages', args.messages, 1, 20_000),
  seed: number('seed', args.seed, 0, 2 ** 31),
  timeScale: number('time-scale', args['time-scale'], 1, 1_000),
  killEveryMs: number('kill-every', args['kill-every'], 10, 60_000),
  progress: (line) => console.error(line),
});
console.log(JSON.stringify(report));
for (const violation of report.violations.slice(0, 20)) console.error(`  violation: ${violation}`);
console.error(
  report.violations.length === 0
    ? `chaos: ${report.settled}/${report.messages} messages consistent with the ground truth`
    : `chaos: ${report.violations.length} violations`,
);
process.exit(report.violations.length === 0 ? 0 : 1);

/**
 * Runs the local Cloud Tasks emulator on its own:
 *   node_modules/.bin/node local/tasks-emulator/cli.ts --queue revoke --queue fallback [--port 8123] [--time-scale 60]
 * Prints one JSON line `{"ready":true,...}` on stdout once it listens, logs each
 * attempt as a JSON line on stderr, and stops cleanly on SIGINT/SIGTERM.
 */

import { describeError, parseCommandLine } from '../common/cli.ts';
import { SystemClock } from '../common/clock.ts';
import { startTasksEmulator } from './index.ts';

const program = 'tasks-emulator';

const usage = `Usage: node local/tasks-emulator/cli.ts [options]

A local Cloud Tasks emulator (gRPC) on 127.0.0.1 that dispatches HTTP tasks with OIDC tokens.

Options:
  --queue NAME                    a queue to create; repeat for more (default: none)
  --port N                        gRPC port on 127.0.0.1 (default 0: a free one)
  --time-scale N                  clock speed relative to real time, > 0 (default 1)
  --project ID                    project id in queue paths (default local-project)
  --location ID                   location in queue paths (default us-central1)
  --name-retention-seconds N      how long a task name stays taken after the task ends, >= 0
  -h, --help                      show this help

Prints {"ready":true,"host":...,"port":...,"queues":[...],"jwksUrl":...} on stdout once listening,
and one JSON line per dispatch attempt on stderr.
Exit codes: 0 stopped by SIGINT/SIGTERM, 2 could not start (the reason is on stderr).
`;

function fail(message: string): never {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(2);
}

const { values } = parseCommandLine(program, usage, {
  options: {
    port: { type: 'string', default: '0' },
    queue: { type: 'string', multiple: true, default: [] },
    'time-scale': { type: 'string', default: '1' },
    project: { type: 'string', default: 'local-project' },
    location: { type: 'string', default: 'us-central1' },
    'name-retention-seconds': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be a port number, got ${values.port}`);
const scale = Number(values['time-scale']);
if (!(scale > 0)) fail(`--time-scale must be > 0, got ${values['time-scale']}`);
const retention = values['name-retention-seconds'];
if (retention !== undefined && !(Number(retention) >= 0)) fail('--name-retention-seconds must be >= 0');

const emulator = await startTasksEmulator({
  port,
  clock: new SystemClock({ scale }),
  queues: values.queue.map((name) => ({ name })),
  projectId: values.project,
  location: values.location,
  ...(retention === undefined ? {} : { nameRetentionMs: Number(retention) * 1000 }),
  onAttempt: (attempt) => process.stderr.write(`${JSON.stringify({ attempt })}\n`),
}).catch((err: unknown) => fail(describeError(err)));

process.stdout.write(
  `${JSON.stringify({
    ready: true,
    host: emulator.host,
    port: emulator.port,
    projectId: emulator.projectId,
    location: emulator.location,
    queues: values.queue.map((q) => emulator.queuePath(q)),
    timeScale: scale,
    jwksUrl: emulator.jwksUrl,
    pemCertsUrl: emulator.pemCertsUrl,
  })}\n`,
);

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  void emulator.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

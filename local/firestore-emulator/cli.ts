import { describeError, parseCommandLine } from '../common/cli.ts';
import { startFirestoreEmulator } from './index.ts';

/*
 * Runs the emulator until SIGINT/SIGTERM:
 *   node local/firestore-emulator/cli.ts [--port 8080] [--host 127.0.0.1]
 * Prints one JSON line when ready: {"ready":true,"host":"127.0.0.1:PORT"}.
 */

const program = 'firestore-emulator';

const usage = `Usage: node local/firestore-emulator/cli.ts [options]

The embedded Firestore emulator (gRPC), for the Firestore client's FIRESTORE_EMULATOR_HOST.

Options:
  --port N        port to listen on (default 0: a free one)
  --host HOST     address to bind (default 127.0.0.1)
  -h, --help      show this help

Prints {"ready":true,"host":"HOST:PORT"} on stdout once listening.
Exit codes: 0 stopped by SIGINT/SIGTERM, 2 could not start (the reason is on stderr).
`;

const { values } = parseCommandLine(program, usage, {
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer in [0, 65535], got "${values.port}"`);
  process.exit(2);
}

const emulator = await startFirestoreEmulator({ port, host: values.host }).catch((error: unknown) => {
  process.stderr.write(`${program}: ${describeError(error)}\n`);
  process.exit(2);
});
process.stdout.write(`${JSON.stringify({ ready: true, host: emulator.host })}\n`);

const shutdown = () => {
  emulator.stop().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

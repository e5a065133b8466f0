import { parseArgs } from 'node:util';
import { startFirestoreEmulator } from './index.ts';

/*
 * Runs the emulator until SIGINT/SIGTERM:
 *   node local/firestore-emulator/cli.ts [--port 8080] [--host 127.0.0.1]
 * Prints one JSON line when ready: {"ready":true,"host":"127.0.0.1:PORT"}.
 */

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer in [0, 65535], got "${values.port}"`);
  process.exit(2);
}

const emulator = await startFirestoreEmulator({ port, host: values.host });
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

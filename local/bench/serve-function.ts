import type { AddressInfo } from 'node:net';
import * as ff from '@google-cloud/functions-framework';
import { getFunction, getTestServer } from '@google-cloud/functions-framework/testing';
import { parseCommandLine, usageError } from '../common/cli.ts';

/*
 * One HTTP function served by functions-framework on 127.0.0.1, in its own
 * process, for local/bench/webhook.ts:
 *   node local/bench/serve-function.ts webhook   # the real webhook (configured by the environment)
 *   node local/bench/serve-function.ts noop      # answers 200 {"ok":true}, nothing else
 * Needs an IPC channel to its parent: it sends {ready, url} once listening and
 * answers {stats} to a 'stats' message; it exits when the parent disconnects.
 *
 * Both targets run inside the same thin wrapper, which counts the requests
 * the handler answered with 200 (whether or not the client was still there to
 * read it) and the ones under way, so the parent can wait for quiet and check
 * that every answered request was stored.
 */

export interface ServerStats {
  answered: number;
  answered200: number;
  active: number;
}

const program = 'serve-function';

const usage = `Usage: node local/bench/serve-function.ts webhook|noop

Serves one HTTP function on 127.0.0.1 for local/bench/webhook.ts, which spawns it with an IPC channel:
  webhook   the real webhook function (configured by the environment)
  noop      answers 200 {"ok":true}, nothing else
Sends {ready,url} to the parent once listening, answers 'stats' with {stats}, exits on disconnect.
`;

const { positionals } = parseCommandLine(program, usage, { options: {}, allowPositionals: true });
const target = positionals[0];
if (positionals.length !== 1 || (target !== 'webhook' && target !== 'noop'))
  usageError(program, `expected one target, webhook or noop, got ${JSON.stringify(positionals.join(' '))}`);
if (!process.send) usageError(program, 'needs an IPC channel to its parent (spawn with stdio "ipc")');
if (target === 'webhook') {
  await import('../../functions/webhook/index.ts');
} else {
  ff.http('noop', (_req, res) => {
    res.status(200).json({ ok: true });
  });
}

const handler = getFunction(target) as ff.HttpFunction;
const stats: ServerStats = { answered: 0, answered200: 0, active: 0 };
ff.http('bench', async (req, res) => {
  stats.active += 1;
  try {
    await handler(req, res);
  } finally {
    stats.active -= 1;
    stats.answered += 1;
    if (res.statusCode === 200) stats.answered200 += 1;
  }
});

const server = getTestServer('bench');
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

process.on('message', (message) => {
  if (message === 'stats') process.send?.({ stats });
});
process.on('disconnect', () => process.exit(0));
process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
process.send({ ready: true, url: `http://127.0.0.1:${port}/` });

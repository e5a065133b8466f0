import type { AddressInfo } from 'node:net';
import * as ff from '@google-cloud/functions-framework';
import { getFunction, getTestServer } from '@google-cloud/functions-framework/testing';

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

const target = process.argv[2];
if (!process.send) throw new Error('serve-function.ts needs an IPC channel (spawn with stdio "ipc").');
if (target === 'webhook') {
  await import('../../functions/webhook/index.ts');
} else if (target === 'noop') {
  ff.http('noop', (_req, res) => {
    res.status(200).json({ ok: true });
  });
} else {
  throw new Error(`serve-function.ts: unknown target "${target}" (webhook | noop)`);
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

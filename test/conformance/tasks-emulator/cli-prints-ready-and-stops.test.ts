import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../../local/tasks-emulator/cli.ts', import.meta.url));

describe('tasks-emulator CLI', () => {
  it('prints one ready JSON line, serves the real client, and exits 0 on SIGTERM', async () => {
    // process.execPath is the project's Node 24 (vitest runs on it).
    const child = spawn(
      process.execPath,
      [CLI, '--queue', 'revoke', '--queue', 'fallback', '--time-scale', '60'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, METADATA_SERVER_DETECTION: 'none' } },
    );
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, 'line')) as [string];
      const ready = JSON.parse(first);
      expect(ready).toMatchObject({
        ready: true,
        host: '127.0.0.1',
        port: expect.any(Number),
        timeScale: 60,
        queues: [
          'projects/local-project/locations/us-central1/queues/revoke',
          'projects/local-project/locations/us-central1/queues/fallback',
        ],
      });
      const client = new CloudTasksClient({
        apiEndpoint: '127.0.0.1',
        port: ready.port,
        sslCreds: credentials.createInsecure(),
      });
      const [queue] = await client.getQueue({ name: ready.queues[0] });
      expect(queue.name).toBe(ready.queues[0]);
      // On real (scaled) time it really dispatches: a task due now reaches a local target.
      const target = http.createServer((_req, res) => res.end());
      await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
      const received = once(target, 'request') as Promise<[http.IncomingMessage]>;
      const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/from-cli`;
      await client.createTask({ parent: ready.queues[1], task: { httpRequest: { url } } });
      const [req] = await received;
      expect(req.url).toBe('/from-cli');
      expect(req.headers['x-cloudtasks-queuename']).toBe('fallback');
      target.closeAllConnections();
      target.close();
      await client.close();
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses a bad flag value with exit code 2', async () => {
    const child = spawn(process.execPath, [CLI, '--time-scale', '0'], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('--time-scale');
  });
});

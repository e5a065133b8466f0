import net from 'node:net';
import { CloudTasksClient } from '@google-cloud/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { startTasksEmulator } from '../../../local/tasks-emulator/index.ts';
import { TargetServer } from '../../helpers/tasks.ts';

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('stop() leaves no server, timer or request behind', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const target = new TargetServer(clock);
  beforeAll(() => target.start());
  afterAll(() => target.close());

  it('closes both ports, cancels every clock timer and aborts in-flight dispatches', async () => {
    const emulator = await startTasksEmulator({ clock, queues: [{ name: 'q' }] });
    const client = new CloudTasksClient(emulator.clientOptions());
    const parent = emulator.queuePath('q');
    target.respond({ hang: true });
    // One task in flight (with its deadline timer), one scheduled for later (the queue's wake timer).
    await client.createTask({ parent, task: { httpRequest: { url: target.url('/now') } } });
    await client.createTask({
      parent,
      task: {
        scheduleTime: { seconds: clock.now() / 1000 + 3600 },
        httpRequest: { url: target.url('/later') },
      },
    });
    while (target.held < 1) await new Promise((r) => setImmediate(r));
    expect(clock.pending).toBeGreaterThanOrEqual(2);
    const jwksPort = Number(new URL(emulator.jwksUrl).port);

    await emulator.stop();
    expect(clock.pending).toBe(0);
    expect(emulator.inFlight).toBe(0);
    expect(emulator.history()[0]).toMatchObject({ outcome: 'cancelled', next: 'stopped' });
    expect(await refusesConnections(emulator.port)).toBe(true);
    expect(await refusesConnections(jwksPort)).toBe(true);
    while (target.held > 0) await new Promise((r) => setImmediate(r));
    expect(target.requests[0]?.cancelled).toBe(true);
    // Nothing fires later either.
    await clock.advance(2 * 3_600_000);
    expect(target.requests.map((r) => r.path)).toEqual(['/now']);
    await expect(client.getQueue({ name: parent }, { timeout: 2_000, retry: null })).rejects.toMatchObject({
      code: expect.any(Number),
    });
    await client.close();
    // A second stop is harmless.
    await emulator.stop();
  });

  it('binds 127.0.0.1 only, on a free port unless told otherwise', async () => {
    const a = await startTasksEmulator({ clock });
    const b = await startTasksEmulator({ clock });
    expect(a.host).toBe('127.0.0.1');
    expect(a.port).not.toBe(b.port);
    expect(a.clientOptions()).toMatchObject({ apiEndpoint: '127.0.0.1', port: a.port });
    await a.stop();
    await b.stop();
  });
});

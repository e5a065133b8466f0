import { spawn } from 'node:child_process';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Firestore } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { startFirestoreEmulator } from '../../../local/firestore-emulator/index.ts';

// About the embedded emulator itself, not Firestore semantics: skipped against an external emulator.
describe.skipIf(Boolean(process.env.FIRESTORE_EMULATOR_HOST))('embedded Firestore emulator', () => {
  it('binds 127.0.0.1 on a free port by default, and not other interfaces', async () => {
    const a = await startFirestoreEmulator();
    const b = await startFirestoreEmulator();
    try {
      expect(a.host).toBe(`127.0.0.1:${a.port}`);
      expect(a.port).toBeGreaterThan(0);
      expect(b.port).not.toBe(a.port);
      await expect(connect('127.0.0.1', a.port)).resolves.toBe(true);
      const external = Object.values(networkInterfaces())
        .flat()
        .find((i) => i && i.family === 'IPv4' && !i.internal);
      if (external) await expect(connect(external.address, a.port)).resolves.toBe(false);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('refuses to bind a non-loopback address', async () => {
    await expect(startFirestoreEmulator({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('stop() releases the port, even with a client still connected', async () => {
    const emulator = await startFirestoreEmulator();
    const db = new Firestore({ projectId: 'stop-test', host: emulator.host, ssl: false });
    await db.doc('a/b').set({ v: 1 });
    await emulator.stop();
    await expect(listen(emulator.port)).resolves.toBe(true);
    await db.terminate();
  });

  it('reset(projectId) clears that project only', async () => {
    const emulator = await startFirestoreEmulator();
    const one = new Firestore({ projectId: 'one', host: emulator.host, ssl: false });
    const two = new Firestore({ projectId: 'two', host: emulator.host, ssl: false });
    try {
      await one.doc('a/b').set({ v: 1 });
      await two.doc('a/b').set({ v: 2 });
      emulator.reset('one');
      expect((await one.doc('a/b').get()).exists).toBe(false);
      expect((await two.doc('a/b').get()).exists).toBe(true);
      emulator.reset();
      expect((await two.doc('a/b').get()).exists).toBe(false);
    } finally {
      await Promise.all([one.terminate(), two.terminate()]);
      await emulator.stop();
    }
  });

  it('fails loudly with UNIMPLEMENTED on what it does not implement: partition queries', async () => {
    const emulator = await startFirestoreEmulator();
    const db = new Firestore({ projectId: 'unimplemented', host: emulator.host, ssl: false });
    try {
      const partitions = db.collectionGroup('a').getPartitions(4);
      await expect(partitions[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 12 });
    } finally {
      await db.terminate();
      await emulator.stop();
    }
  });

  it('the CLI prints one ready line with its host and exits on SIGTERM', async () => {
    const node = path.resolve('node_modules/.bin/node');
    const child = spawn(node, ['local/firestore-emulator/cli.ts', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', () => reject(new Error('CLI exited before it was ready')));
      });
      const ready = JSON.parse(line) as { ready: boolean; host: string };
      expect(ready.ready).toBe(true);
      expect(ready.host).toMatch(/^127\.0\.0\.1:\d+$/);
      const res = await fetch(`http://${ready.host}/`);
      expect(await res.text()).toBe('Ok\n');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

function connect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function listen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

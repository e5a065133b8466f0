import { Firestore, type QuerySnapshot } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { startFirestoreEmulator } from '../../../local/firestore-emulator/index.ts';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';
import { listenTo } from '../../helpers/snapshot-listener.ts';
import { startTcpProxy } from '../../helpers/tcp-proxy.ts';

// A listener whose connection breaks: the client re-opens Listen with its resume token.
const fs = useFirestoreEmulator();

describe('a broken Listen stream', () => {
  it('resumes: the next snapshot holds exactly what changed while the connection was down', async () => {
    const [host, port] = fs.host.split(':') as [string, string];
    const proxy = await startTcpProxy({ host, port: Number(port) });
    const client = new Firestore({ projectId: fs.projectId, host: proxy.host, ssl: false });
    await fs.db.doc('msgs/a').set({ n: 1 });
    await fs.db.doc('msgs/b').set({ n: 2 });
    await fs.db.doc('msgs/c').set({ n: 3 });
    const snapshots = listenTo<QuerySnapshot>(
      (onNext, onError) => client.collection('msgs').orderBy('n').onSnapshot(onNext, onError),
      10_000,
    );
    try {
      expect((await snapshots.next()).docs.map((d) => d.id)).toEqual(['a', 'b', 'c']);

      proxy.cut();
      await fs.db.doc('msgs/a').update({ n: 4 });
      await fs.db.doc('msgs/b').delete();
      await fs.db.doc('msgs/d').set({ n: 0 });
      proxy.restore();

      const resumed = await snapshots.next();
      expect(resumed.docs.map((d) => d.id)).toEqual(['d', 'c', 'a']);
      expect(resumed.docChanges().map((c) => `${c.type} ${c.doc.id} ${c.oldIndex}->${c.newIndex}`)).toEqual([
        'removed b 1->-1',
        'added d -1->0',
        'modified a 1->2',
      ]);

      // And it keeps listening on the new stream.
      await fs.db.doc('msgs/c').delete();
      expect(resumed.size - (await snapshots.next()).size).toBe(1);
    } finally {
      snapshots.stop();
      await client.terminate();
      await proxy.close();
    }
  });

  it.skipIf(Boolean(process.env.FIRESTORE_EMULATOR_HOST))(
    'resumes by RESET when the token outlived the version retention: only real changes are reported',
    async () => {
      const clock = new ManualClock();
      const emulator = await startFirestoreEmulator({ clock });
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: emulator.port });
      const writer = new Firestore({ projectId: 'resume-by-reset', host: emulator.host, ssl: false });
      const client = new Firestore({ projectId: 'resume-by-reset', host: proxy.host, ssl: false });
      await writer.doc('msgs/a').set({ n: 1 });
      await writer.doc('msgs/b').set({ n: 2 });
      const snapshots = listenTo<QuerySnapshot>(
        (onNext, onError) => client.collection('msgs').orderBy('n').onSnapshot(onNext, onError),
        10_000,
      );
      try {
        expect((await snapshots.next()).docs.map((d) => d.id)).toEqual(['a', 'b']);

        proxy.cut();
        await writer.doc('msgs/b').delete();
        // Past the hour of retention: the emulator can no longer say what changed since the token.
        await clock.advance(61 * 60 * 1000);
        await writer.doc('msgs/c').set({ n: 3 });
        proxy.restore();

        const resumed = await snapshots.next();
        expect(resumed.docs.map((d) => d.id)).toEqual(['a', 'c']);
        // a was sent again after the RESET, unchanged: the client does not report it.
        expect(resumed.docChanges().map((c) => `${c.type} ${c.doc.id}`)).toEqual(['removed b', 'added c']);
      } finally {
        snapshots.stop();
        await Promise.all([client.terminate(), writer.terminate()]);
        await proxy.close();
        await emulator.stop();
      }
    },
  );
});

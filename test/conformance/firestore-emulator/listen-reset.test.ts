import type { DocumentSnapshot, QuerySnapshot } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';
import { listenTo } from '../../helpers/snapshot-listener.ts';

// The emulator's reset (the HTTP DELETE both emulators serve) with listeners open.
const fs = useFirestoreEmulator();

describe('reset with open listeners', () => {
  it('listeners see every document removed, and keep listening', async () => {
    await fs.db.doc('msgs/a').set({ n: 1 });
    await fs.db.doc('msgs/b').set({ n: 2 });
    const query = listenTo<QuerySnapshot>((onNext, onError) =>
      fs.db.collection('msgs').orderBy('n').onSnapshot(onNext, onError),
    );
    const doc = listenTo<DocumentSnapshot>((onNext, onError) =>
      fs.db.doc('msgs/a').onSnapshot(onNext, onError),
    );
    try {
      expect((await query.next()).size).toBe(2);
      expect((await doc.next()).exists).toBe(true);

      await fs.reset();
      const cleared = await query.next();
      expect(cleared.size).toBe(0);
      expect(cleared.docChanges().map((c) => `${c.type} ${c.doc.id}`)).toEqual(['removed a', 'removed b']);
      expect((await doc.next()).exists).toBe(false);

      await fs.db.doc('msgs/a').set({ n: 3 });
      expect((await query.next()).docChanges().map((c) => `${c.type} ${c.doc.id}`)).toEqual(['added a']);
      expect((await doc.next()).get('n')).toBe(3);
    } finally {
      query.stop();
      doc.stop();
    }
  });

  it('a reset of another project leaves this project’s listeners alone', async () => {
    await fs.db.doc('msgs/a').set({ n: 1 });
    const query = listenTo<QuerySnapshot>((onNext, onError) =>
      fs.db.collection('msgs').onSnapshot(onNext, onError),
    );
    try {
      expect((await query.next()).size).toBe(1);
      await fs.reset(`${fs.projectId}-other`);
      await fs.db.doc('msgs/b').set({ n: 2 });
      // The next snapshot is the write's: the other project's reset sent nothing here.
      expect((await query.next()).docChanges().map((c) => `${c.type} ${c.doc.id}`)).toEqual(['added b']);
    } finally {
      query.stop();
    }
  });
});

import type { DocumentSnapshot } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';
import { listenTo } from '../../helpers/snapshot-listener.ts';

// DocumentReference.onSnapshot through the real client: one Listen stream per listener.
const fs = useFirestoreEmulator();

const watch = (path: string) =>
  listenTo<DocumentSnapshot>((onNext, onError) => fs.db.doc(path).onSnapshot(onNext, onError));

describe('listening to a document', () => {
  it('a missing document first, then its creation, update and deletion', async () => {
    const ref = fs.db.doc('rooms/r1');
    const snapshots = watch('rooms/r1');
    try {
      const missing = await snapshots.next();
      expect(missing.exists).toBe(false);

      await ref.set({ topic: 'a' });
      const created = await snapshots.next();
      expect(created.exists).toBe(true);
      expect(created.data()).toEqual({ topic: 'a' });

      const written = await ref.set({ topic: 'b' });
      const updated = await snapshots.next();
      expect(updated.data()).toEqual({ topic: 'b' });
      expect(updated.createTime?.isEqual(created.createTime!)).toBe(true);
      expect(updated.updateTime?.isEqual(written.writeTime)).toBe(true);
      expect(updated.readTime.valueOf() > created.readTime.valueOf()).toBe(true);

      await ref.delete();
      const deleted = await snapshots.next();
      expect(deleted.exists).toBe(false);
    } finally {
      snapshots.stop();
    }
  });

  it('an existing document arrives in the first snapshot, read at or after its update', async () => {
    const written = await fs.db.doc('rooms/r2').set({ topic: 'x', n: 1 });
    const snapshots = watch('rooms/r2');
    try {
      const first = await snapshots.next();
      expect(first.data()).toEqual({ topic: 'x', n: 1 });
      expect(first.updateTime?.isEqual(written.writeTime)).toBe(true);
      expect(first.readTime.valueOf() >= written.writeTime.valueOf()).toBe(true);
    } finally {
      snapshots.stop();
    }
  });

  it('writes to other documents do not produce snapshots', async () => {
    const snapshots = watch('rooms/mine');
    try {
      expect((await snapshots.next()).exists).toBe(false);
      await fs.db.doc('rooms/other').set({ topic: 'not mine' });
      await fs.db.doc('rooms/mine/messages/m1').set({ text: 'a subcollection is another document' });
      await fs.db.doc('rooms/mine').set({ topic: 'mine' });
      // The next snapshot is the one for this document: nothing came for the others before it.
      expect((await snapshots.next()).data()).toEqual({ topic: 'mine' });
      expect(snapshots.unread).toBe(0);
    } finally {
      snapshots.stop();
    }
  });

  it('a write that changes nothing produces no snapshot', async () => {
    await fs.db.doc('rooms/same').set({ topic: 'same' });
    const snapshots = watch('rooms/same');
    try {
      expect((await snapshots.next()).data()).toEqual({ topic: 'same' });
      await fs.db.doc('rooms/same').set({ topic: 'same' });
      await fs.db.doc('rooms/same').set({ topic: 'changed' });
      expect((await snapshots.next()).data()).toEqual({ topic: 'changed' });
    } finally {
      snapshots.stop();
    }
  });

  it('two listeners on one document each see every change', async () => {
    const one = watch('rooms/shared');
    const two = watch('rooms/shared');
    try {
      expect((await one.next()).exists).toBe(false);
      expect((await two.next()).exists).toBe(false);
      await fs.db.doc('rooms/shared').set({ v: 1 });
      expect((await one.next()).get('v')).toBe(1);
      expect((await two.next()).get('v')).toBe(1);
      two.stop();
      await fs.db.doc('rooms/shared').delete();
      expect((await one.next()).exists).toBe(false);
    } finally {
      one.stop();
      two.stop();
    }
  });

  it('a listener on another project sees only its own project', async () => {
    const other = fs.newClient(`${fs.projectId}-other`);
    const theirs = listenTo<DocumentSnapshot>((onNext, onError) =>
      other.doc('rooms/r').onSnapshot(onNext, onError),
    );
    const mine = watch('rooms/r');
    try {
      expect((await theirs.next()).exists).toBe(false);
      expect((await mine.next()).exists).toBe(false);
      await fs.db.doc('rooms/r').set({ owner: 'mine' });
      expect((await mine.next()).get('owner')).toBe('mine');
      await other.doc('rooms/r').set({ owner: 'theirs' });
      expect((await theirs.next()).get('owner')).toBe('theirs');
    } finally {
      theirs.stop();
      mine.stop();
      await fs.reset(`${fs.projectId}-other`);
    }
  });
});

import { FieldPath, type Query, type QuerySnapshot } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';
import { listenTo } from '../../helpers/snapshot-listener.ts';

// Query.onSnapshot through the real client: the server's result set and its changes, as docChanges().
const fs = useFirestoreEmulator();

const watch = (query: Query) =>
  listenTo<QuerySnapshot>((onNext, onError) => query.onSnapshot(onNext, onError));
const ids = (s: QuerySnapshot) => s.docs.map((d) => d.id);
const changes = (s: QuerySnapshot) =>
  s.docChanges().map((c) => `${c.type} ${c.doc.id} ${c.oldIndex}->${c.newIndex}`);

async function seed(collection: string, docs: Record<string, Record<string, unknown>>): Promise<void> {
  const batch = fs.db.batch();
  for (const [id, data] of Object.entries(docs)) batch.set(fs.db.collection(collection).doc(id), data);
  await batch.commit();
}

describe('query listeners', () => {
  it('report added, modified and removed documents with their old and new index', async () => {
    const msgs = fs.db.collection('msgs');
    const snapshots = watch(msgs.orderBy('n'));
    try {
      expect(changes(await snapshots.next())).toEqual([]);

      await seed('msgs', { a: { n: 1 }, b: { n: 2 } });
      const added = await snapshots.next();
      expect(ids(added)).toEqual(['a', 'b']);
      expect(changes(added)).toEqual(['added a -1->0', 'added b -1->1']);

      await msgs.doc('a').update({ n: 3 });
      const modified = await snapshots.next();
      expect(ids(modified)).toEqual(['b', 'a']);
      expect(changes(modified)).toEqual(['modified a 0->1']);
      expect(modified.docs[1]!.get('n')).toBe(3);

      await msgs.doc('b').delete();
      const removed = await snapshots.next();
      expect(ids(removed)).toEqual(['a']);
      expect(changes(removed)).toEqual(['removed b 0->-1']);
    } finally {
      snapshots.stop();
    }
  });

  it('a document that stops matching the filter is removed, one that starts is added', async () => {
    await seed('msgs', { a: { status: 'pending' }, b: { status: 'pending' }, c: { status: 'read' } });
    const snapshots = watch(fs.db.collection('msgs').where('status', '==', 'pending'));
    try {
      expect(ids(await snapshots.next())).toEqual(['a', 'b']);
      await fs.db.doc('msgs/b').update({ status: 'read' });
      const left = await snapshots.next();
      expect(changes(left)).toEqual(['removed b 1->-1']);
      // The removed change carries the document as the listener last saw it.
      expect(left.docChanges()[0]!.doc.get('status')).toBe('pending');

      await fs.db.doc('msgs/c').update({ status: 'pending' });
      expect(changes(await snapshots.next())).toEqual(['added c -1->1']);
    } finally {
      snapshots.stop();
    }
  });

  it('order by and limit: when a document leaves, the next one enters', async () => {
    await seed('msgs', { d1: { n: 1 }, d2: { n: 2 }, d3: { n: 3 }, d4: { n: 4 } });
    const snapshots = watch(fs.db.collection('msgs').orderBy('n').limit(2));
    try {
      expect(ids(await snapshots.next())).toEqual(['d1', 'd2']);

      await fs.db.doc('msgs/d1').delete();
      const shifted = await snapshots.next();
      expect(ids(shifted)).toEqual(['d2', 'd3']);
      expect(changes(shifted)).toEqual(['removed d1 0->-1', 'added d3 -1->1']);

      // A change beyond the window is not a change of the result.
      await fs.db.doc('msgs/d4').update({ n: 5 });
      await fs.db.doc('msgs/d4').update({ n: 0 });
      const jumped = await snapshots.next();
      expect(ids(jumped)).toEqual(['d4', 'd2']);
      expect(changes(jumped)).toEqual(['removed d3 1->-1', 'added d4 -1->0']);
    } finally {
      snapshots.stop();
    }
  });

  it('offset: a change before the window moves the window', async () => {
    await seed('msgs', { d1: { n: 1 }, d2: { n: 2 }, d3: { n: 3 } });
    const snapshots = watch(fs.db.collection('msgs').orderBy('n').offset(1).limit(1));
    try {
      expect(ids(await snapshots.next())).toEqual(['d2']);
      // d1 was never in the result set, but deleting it shifts which document is second.
      await fs.db.doc('msgs/d1').delete();
      expect(changes(await snapshots.next())).toEqual(['removed d2 0->-1', 'added d3 -1->0']);
    } finally {
      snapshots.stop();
    }
  });

  it('limitToLast keeps the last documents in query order', async () => {
    await seed('msgs', { d1: { n: 1 }, d2: { n: 2 }, d3: { n: 3 } });
    const snapshots = watch(fs.db.collection('msgs').orderBy('n').limitToLast(2));
    try {
      expect(ids(await snapshots.next())).toEqual(['d2', 'd3']);
      await fs.db.doc('msgs/d4').set({ n: 4 });
      const next = await snapshots.next();
      expect(ids(next)).toEqual(['d3', 'd4']);
      expect(changes(next)).toEqual(['removed d2 0->-1', 'added d4 -1->1']);
    } finally {
      snapshots.stop();
    }
  });

  it('cursors bound the result set as documents move in and out of range', async () => {
    await seed('msgs', { d1: { n: 1 }, d2: { n: 2 }, d3: { n: 3 }, d4: { n: 4 } });
    const snapshots = watch(fs.db.collection('msgs').orderBy('n').startAfter(1).endAt(3));
    try {
      expect(ids(await snapshots.next())).toEqual(['d2', 'd3']);
      await fs.db.doc('msgs/d3').update({ n: 3.5 });
      expect(changes(await snapshots.next())).toEqual(['removed d3 1->-1']);
      await fs.db.doc('msgs/d4').update({ n: 2.5 });
      expect(changes(await snapshots.next())).toEqual(['added d4 -1->1']);
      await fs.db.doc('msgs/d1').update({ n: 1.5 });
      expect(changes(await snapshots.next())).toEqual(['added d1 -1->0']);
    } finally {
      snapshots.stop();
    }
  });

  it('a collection group query sees the group at every depth and nothing else', async () => {
    await fs.db.doc('rooms/r1/messages/m1').set({ text: 'one' });
    await fs.db.doc('messages/m2').set({ text: 'two' });
    await fs.db.doc('rooms/r1/messages2/x').set({ text: 'other group' });
    const snapshots = watch(fs.db.collectionGroup('messages').orderBy(FieldPath.documentId()));
    try {
      const first = await snapshots.next();
      expect(first.docs.map((d) => d.ref.path)).toEqual(['messages/m2', 'rooms/r1/messages/m1']);
      await fs.db.doc('rooms/r1/messages2/y').set({ text: 'still another group' });
      await fs.db.doc('users/u/rooms/r9/messages/m3').set({ text: 'three' });
      const next = await snapshots.next();
      expect(next.docChanges().map((c) => `${c.type} ${c.doc.ref.path}`)).toEqual([
        'added users/u/rooms/r9/messages/m3',
      ]);
    } finally {
      snapshots.stop();
    }
  });

  it('select() sends only the selected fields', async () => {
    await seed('msgs', { a: { text: 'hi', secret: 's', n: 1 } });
    const snapshots = watch(fs.db.collection('msgs').select('text'));
    try {
      expect((await snapshots.next()).docs[0]!.data()).toEqual({ text: 'hi' });
      await fs.db.doc('msgs/a').update({ text: 'hello' });
      expect((await snapshots.next()).docs[0]!.data()).toEqual({ text: 'hello' });
    } finally {
      snapshots.stop();
    }
  });

  it('several listeners each follow their own query', async () => {
    await seed('msgs', { a: { n: 1 }, b: { n: 5 } });
    const low = watch(fs.db.collection('msgs').where('n', '<', 3));
    const high = watch(fs.db.collection('msgs').where('n', '>=', 3));
    try {
      expect(ids(await low.next())).toEqual(['a']);
      expect(ids(await high.next())).toEqual(['b']);
      await fs.db.doc('msgs/a').update({ n: 4 });
      expect(changes(await low.next())).toEqual(['removed a 0->-1']);
      expect(changes(await high.next())).toEqual(['added a -1->0']);
    } finally {
      low.stop();
      high.stop();
    }
  });

  it('a query the server rejects reaches the error callback with its status', async () => {
    const tooMany = Array.from({ length: 31 }, (_, i) => i);
    const snapshots = watch(fs.db.collection('msgs').where('n', 'in', tooMany));
    try {
      // The client reports a failed target as "Error <code>: <message>", without a code property.
      expect((await snapshots.error()).message).toMatch(/^Error 3: /);
    } finally {
      snapshots.stop();
    }
  });
});

describe('commits and snapshots', () => {
  it('a batch of several writes is one snapshot', async () => {
    await seed('msgs', { old: { n: 0 } });
    const snapshots = watch(fs.db.collection('msgs').orderBy('n'));
    try {
      expect(ids(await snapshots.next())).toEqual(['old']);
      const batch = fs.db.batch();
      batch.set(fs.db.doc('msgs/a'), { n: 1 });
      batch.set(fs.db.doc('msgs/b'), { n: 2 });
      batch.delete(fs.db.doc('msgs/old'));
      await batch.commit();
      const one = await snapshots.next();
      expect(changes(one)).toEqual(['removed old 0->-1', 'added a -1->0', 'added b -1->1']);

      // The next snapshot is the next commit's: the batch produced no other.
      await fs.db.doc('msgs/c').set({ n: 3 });
      expect(changes(await snapshots.next())).toEqual(['added c -1->2']);
    } finally {
      snapshots.stop();
    }
  });

  it('a transaction is one snapshot, at its commit', async () => {
    await seed('accounts', { alice: { balance: 10 }, bob: { balance: 0 } });
    const snapshots = watch(fs.db.collection('accounts'));
    try {
      expect(ids(await snapshots.next())).toEqual(['alice', 'bob']);
      await fs.db.runTransaction(async (tx) => {
        const alice = await tx.get(fs.db.doc('accounts/alice'));
        tx.update(alice.ref, { balance: alice.get('balance') - 4 });
        tx.update(fs.db.doc('accounts/bob'), { balance: 4 });
        tx.create(fs.db.doc('accounts/log'), { moved: 4 });
      });
      const one = await snapshots.next();
      expect(changes(one)).toEqual(['added log -1->2', 'modified alice 0->0', 'modified bob 1->1']);
      expect(one.docs.map((d) => d.get('balance') ?? d.get('moved'))).toEqual([6, 4, 4]);

      await fs.db.doc('accounts/carol').set({ balance: 1 });
      expect(changes(await snapshots.next())).toEqual(['added carol -1->2']);
    } finally {
      snapshots.stop();
    }
  });
});

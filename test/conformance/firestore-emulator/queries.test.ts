import { FieldPath, Filter, type Query, Timestamp } from '@google-cloud/firestore';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

// Queries only read: seed once, no reset between tests.
const fs = useFirestoreEmulator({ resetBeforeEach: false });

const ids = async (q: Query) => (await q.get()).docs.map((d) => d.id);

beforeAll(async () => {
  await fs.reset();
  const batch = fs.db.batch();
  const msgs = fs.db.collection('msgs');
  batch.set(msgs.doc('m1'), { status: 'pending', n: 1, tags: ['otp', 'a'], agent: 'x', score: 1.5 });
  batch.set(msgs.doc('m2'), { status: 'delivered', n: 2, tags: ['promo'], agent: 'x', score: null });
  batch.set(msgs.doc('m3'), { status: 'pending', n: 3, tags: ['otp'], agent: 'y' });
  batch.set(msgs.doc('m4'), { status: 'read', n: 4, tags: [], agent: 'y', score: Number.NaN });
  batch.set(msgs.doc('m5'), { status: 'revoked', n: 5, agent: 'z', score: 'text' });
  batch.set(msgs.doc('m6'), { n: 'six' });
  // Same prefix, other collection: never part of `msgs` queries.
  batch.set(fs.db.doc('msgs2/m1'), { status: 'pending', n: 1 });
  // Collection group `events` at three depths.
  batch.set(fs.db.doc('msgs/m1/events/e1'), { kind: 'DELIVERED', at: 1 });
  batch.set(fs.db.doc('msgs/m1/events/e2'), { kind: 'READ', at: 2 });
  batch.set(fs.db.doc('msgs/m3/events/e3'), { kind: 'DELIVERED', at: 3 });
  batch.set(fs.db.doc('events/e4'), { kind: 'READ', at: 4 });
  batch.set(fs.db.doc('agents/x/inbox/i1/events/e5'), { kind: 'DELIVERED', at: 5 });
  // Strings in UTF-8 byte order, which differs from UTF-16 code unit order for astral characters.
  for (const [id, s] of Object.entries({ a: 'z', b: 'é', c: '\uFFFD', d: '😀', e: 'Z' })) {
    batch.set(fs.db.doc(`strings/${id}`), { s });
  }
  await batch.commit();
});

describe('field filters', () => {
  const msgs = () => fs.db.collection('msgs');

  it('==', async () => {
    expect(await ids(msgs().where('status', '==', 'pending'))).toEqual(['m1', 'm3']);
  });

  it('!= excludes documents missing the field', async () => {
    expect(await ids(msgs().where('status', '!=', 'pending'))).toEqual(['m2', 'm4', 'm5']);
  });

  it('!= null excludes missing fields and nulls; == null matches only nulls', async () => {
    expect(await ids(msgs().where('score', '!=', null))).toEqual(['m4', 'm1', 'm5']);
    expect(await ids(msgs().where('score', '==', null))).toEqual(['m2']);
  });

  it('== NaN matches NaN only', async () => {
    expect(await ids(msgs().where('score', '==', Number.NaN))).toEqual(['m4']);
  });

  it('in and not-in (not-in excludes documents missing the field)', async () => {
    expect(await ids(msgs().where('status', 'in', ['read', 'revoked']))).toEqual(['m4', 'm5']);
    expect(await ids(msgs().where('status', 'not-in', ['pending', 'read']))).toEqual(['m2', 'm5']);
  });

  it('array-contains and array-contains-any', async () => {
    expect(await ids(msgs().where('tags', 'array-contains', 'otp'))).toEqual(['m1', 'm3']);
    expect(await ids(msgs().where('tags', 'array-contains-any', ['promo', 'a']))).toEqual(['m1', 'm2']);
  });

  it('range filters match only values of the same type', async () => {
    expect(await ids(msgs().where('n', '>', 2))).toEqual(['m3', 'm4', 'm5']);
    expect(await ids(msgs().where('n', '>=', 3))).toEqual(['m3', 'm4', 'm5']);
    expect(await ids(msgs().where('n', '<', 3))).toEqual(['m1', 'm2']);
    expect(await ids(msgs().where('n', '<=', 3))).toEqual(['m1', 'm2', 'm3']);
    expect(await ids(msgs().where('n', '>=', 'a'))).toEqual(['m6']);
  });

  it('range filters on two fields', async () => {
    expect(await ids(msgs().where('n', '>', 1).where('agent', '<', 'z'))).toEqual(['m2', 'm3', 'm4']);
  });

  it('several filters combine with AND', async () => {
    expect(await ids(msgs().where('agent', '==', 'y').where('status', '==', 'pending'))).toEqual(['m3']);
  });

  it('OR filters, and OR of ANDs', async () => {
    expect(
      await ids(msgs().where(Filter.or(Filter.where('status', '==', 'read'), Filter.where('n', '==', 1)))),
    ).toEqual(['m1', 'm4']);
    const nested = Filter.or(
      Filter.and(Filter.where('status', '==', 'pending'), Filter.where('n', '>', 1)),
      Filter.where('agent', '==', 'z'),
    );
    expect(await ids(msgs().where(nested))).toEqual(['m3', 'm5']);
  });

  it('a collection query sees only that collection, not same-prefix or nested ones', async () => {
    expect(await ids(msgs().where('n', '==', 1))).toEqual(['m1']);
    expect(await ids(fs.db.collection('msgs/m1/events'))).toEqual(['e1', 'e2']);
  });
});

describe('documentId() filters', () => {
  const msgs = () => fs.db.collection('msgs');

  it('==, in, not-in and ranges on the document id', async () => {
    expect(await ids(msgs().where(FieldPath.documentId(), '==', 'm3'))).toEqual(['m3']);
    expect(await ids(msgs().where(FieldPath.documentId(), 'in', ['m5', 'm1', 'nope']))).toEqual(['m1', 'm5']);
    expect(await ids(msgs().where(FieldPath.documentId(), 'not-in', ['m1', 'm2']))).toEqual([
      'm3',
      'm4',
      'm5',
      'm6',
    ]);
    expect(await ids(msgs().where(FieldPath.documentId(), '>', 'm4'))).toEqual(['m5', 'm6']);
    expect(await ids(msgs().where(FieldPath.documentId(), '<=', 'm2'))).toEqual(['m1', 'm2']);
  });

  it('a collection group query restricted to one subtree by document path', async () => {
    const group = fs.db
      .collectionGroup('events')
      .where(FieldPath.documentId(), '>=', 'msgs/m1')
      .where(FieldPath.documentId(), '<', 'msgs/m1\uffff');
    expect(await ids(group)).toEqual(['e1', 'e2']);
  });
});

describe('unary filters via null and NaN', () => {
  it('!= NaN excludes NaN, nulls and missing fields', async () => {
    expect(await ids(fs.db.collection('msgs').where('score', '!=', Number.NaN))).toEqual(['m1', 'm5']);
  });
});

describe('orderBy', () => {
  const msgs = () => fs.db.collection('msgs');

  it('orders ascending and descending across types (numbers before strings)', async () => {
    expect(await ids(msgs().orderBy('n'))).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    expect(await ids(msgs().orderBy('n', 'desc'))).toEqual(['m6', 'm5', 'm4', 'm3', 'm2', 'm1']);
  });

  it('orders by Firestore type order: null < NaN < numbers < strings', async () => {
    expect(await ids(msgs().orderBy('score'))).toEqual(['m2', 'm4', 'm1', 'm5']);
  });

  it('excludes documents missing an ordered field and breaks ties by document name', async () => {
    expect(await ids(msgs().orderBy('status'))).toEqual(['m2', 'm1', 'm3', 'm4', 'm5']);
  });

  it('breaks ties by document name in the direction of the last order', async () => {
    expect(await ids(msgs().orderBy('agent', 'desc'))).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
  });

  it('orders strings by their UTF-8 bytes', async () => {
    expect((await fs.db.collection('strings').orderBy('s').get()).docs.map((d) => d.get('s'))).toEqual([
      'Z',
      'z',
      'é',
      '\uFFFD',
      '😀',
    ]);
  });

  it('orders several fields', async () => {
    expect(await ids(msgs().orderBy('agent').orderBy('n', 'desc'))).toEqual(['m2', 'm1', 'm4', 'm3', 'm5']);
  });
});

describe('limit, limitToLast, offset', () => {
  const byN = () => fs.db.collection('msgs').orderBy('n');

  it('limit', async () => {
    expect(await ids(byN().limit(2))).toEqual(['m1', 'm2']);
  });

  it('limitToLast returns the last documents in query order', async () => {
    expect(await ids(byN().limitToLast(2))).toEqual(['m5', 'm6']);
  });

  it('offset skips before limit applies', async () => {
    expect(await ids(byN().offset(2).limit(2))).toEqual(['m3', 'm4']);
    expect(await ids(byN().offset(10))).toEqual([]);
  });
});

describe('cursors', () => {
  const byN = () => fs.db.collection('msgs').orderBy('n');

  it('startAt / startAfter / endAt / endBefore with values', async () => {
    expect(await ids(byN().startAt(3))).toEqual(['m3', 'm4', 'm5', 'm6']);
    expect(await ids(byN().startAfter(3))).toEqual(['m4', 'm5', 'm6']);
    expect(await ids(byN().endAt(3))).toEqual(['m1', 'm2', 'm3']);
    expect(await ids(byN().endBefore(3))).toEqual(['m1', 'm2']);
    expect(await ids(byN().startAfter(1).endBefore(4))).toEqual(['m2', 'm3']);
  });

  it('cursors on several fields, a prefix of the order', async () => {
    const q = fs.db.collection('msgs').orderBy('agent').orderBy('n');
    expect(await ids(q.startAfter('x', 1))).toEqual(['m2', 'm3', 'm4', 'm5']);
    expect(await ids(q.startAfter('x'))).toEqual(['m3', 'm4', 'm5']);
    expect(await ids(q.endBefore('y', 4))).toEqual(['m1', 'm2', 'm3']);
  });

  it('startAfter a document snapshot pages through ties by document name', async () => {
    const m3 = await fs.db.doc('msgs/m3').get();
    expect(await ids(fs.db.collection('msgs').orderBy('agent').startAfter(m3))).toEqual(['m4', 'm5']);
    expect(await ids(fs.db.collection('msgs').orderBy('agent').startAt(m3))).toEqual(['m3', 'm4', 'm5']);
  });

  it('pages a whole collection with limit + startAfter(last snapshot)', async () => {
    const seen: string[] = [];
    let q = fs.db.collection('msgs').orderBy('n').limit(4);
    for (;;) {
      const page = await q.get();
      seen.push(...page.docs.map((d) => d.id));
      if (page.size < 4) break;
      q = q.startAfter(page.docs.at(-1)!);
    }
    expect(seen).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('limitToLast with cursors', async () => {
    expect(await ids(byN().endBefore(5).limitToLast(2))).toEqual(['m3', 'm4']);
    expect(await ids(byN().startAfter(2).limitToLast(10))).toEqual(['m3', 'm4', 'm5', 'm6']);
  });
});

describe('select', () => {
  it('returns only the selected fields; select() returns names only', async () => {
    const snap = await fs.db
      .collection('msgs')
      .where('status', '==', 'pending')
      .select('status', 'agent')
      .get();
    expect(snap.docs.map((d) => d.data())).toEqual([
      { status: 'pending', agent: 'x' },
      { status: 'pending', agent: 'y' },
    ]);
    const names = await fs.db.collection('msgs').select().get();
    expect(names.docs.map((d) => [d.id, d.data()])).toEqual(
      ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'].map((id) => [id, {}]),
    );
  });
});

describe('collection groups', () => {
  it('finds a collection id at every depth', async () => {
    const snap = await fs.db.collectionGroup('events').orderBy('at').get();
    expect(snap.docs.map((d) => d.ref.path)).toEqual([
      'msgs/m1/events/e1',
      'msgs/m1/events/e2',
      'msgs/m3/events/e3',
      'events/e4',
      'agents/x/inbox/i1/events/e5',
    ]);
  });

  it('filters inside a collection group', async () => {
    expect(await ids(fs.db.collectionGroup('events').where('kind', '==', 'READ'))).toEqual(['e4', 'e2']);
  });
});

describe('timestamps in filters', () => {
  it('compares timestamps chronologically', async () => {
    const col = fs.db.collection('times');
    await col.doc('early').set({ at: new Timestamp(1000, 0) });
    await col.doc('late').set({ at: new Timestamp(2000, 5000) });
    expect(await ids(col.where('at', '>', new Timestamp(1000, 1000)))).toEqual(['late']);
    expect(await ids(col.where('at', '<=', new Date(2_000_000)))).toEqual(['early']);
  });
});

describe('listing', () => {
  it('listDocuments includes documents that only exist as parents of subcollections', async () => {
    const refs = await fs.db.collection('agents').listDocuments();
    expect(refs.map((r) => r.id)).toEqual(['x']);
    expect((await fs.db.doc('agents/x').get()).exists).toBe(false);
  });

  it('listCollections lists root and nested collection ids', async () => {
    const root = (await fs.db.listCollections()).map((c) => c.id);
    expect(root).toEqual(['agents', 'events', 'msgs', 'msgs2', 'strings', 'times']);
    expect((await fs.db.doc('msgs/m1').listCollections()).map((c) => c.id)).toEqual(['events']);
  });
});

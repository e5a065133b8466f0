import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { Database, type StoredDoc } from '../../../local/firestore-emulator/store.ts';

// A query reads only its collection (or its collection group), not the whole database: these
// pin that the narrower read still finds every document the scope holds, at any read time.

const ROOT = 'projects/p/databases/(default)/documents';
const newDb = () =>
  new Database(
    { name: 'projects/p/databases/(default)', projectId: 'p', databaseId: '(default)' },
    new ManualClock(1_000),
    {
      lockTimeoutMs: 1000,
      idleTimeoutMs: 1000,
    },
  );
const doc = (path: string, time: number): StoredDoc => ({
  name: `${ROOT}/${path}`,
  path: path.split('/'),
  fields: new Map(),
  createTime: time,
  updateTime: time,
});
const write = (db: Database, changes: Record<string, boolean>) => {
  const time = db.nextCommitTime();
  db.apply(
    new Map(
      Object.entries(changes).map(([path, exists]) => [`${ROOT}/${path}`, exists ? doc(path, time) : null]),
    ),
    time,
  );
  return time;
};
const paths = (docs: Iterable<StoredDoc>) => [...docs].map((d) => d.path.join('/')).sort();

describe('document scopes', () => {
  it('a collection holds its own documents only, not a same-named collection elsewhere or a prefix', () => {
    const db = newDb();
    write(db, { 'm/1': true, 'm2/1': true, 'm/1/events/e1': true, 'a/x/events/e2': true, 'events/e3': true });
    expect(paths(db.documents(undefined, { collection: 'm' }))).toEqual(['m/1']);
    expect(paths(db.documents(undefined, { collection: 'm/1/events' }))).toEqual(['m/1/events/e1']);
    expect(paths(db.documents(undefined, { collectionId: 'events' }))).toEqual([
      'a/x/events/e2',
      'events/e3',
      'm/1/events/e1',
    ]);
    expect(paths(db.documents(undefined, { collection: 'nothing' }))).toEqual([]);
    expect(paths(db.documents())).toHaveLength(5);
  });

  it('sees a deleted and re-created document, and reads at an older time see what was there then', () => {
    const db = newDb();
    write(db, { 'm/1': true });
    const readBeforeDelete = db.readTime();
    write(db, { 'm/1': false });
    expect(paths(db.documents(undefined, { collection: 'm' }))).toEqual([]);
    expect(paths(db.documents(readBeforeDelete, { collection: 'm' }))).toEqual(['m/1']);
    write(db, { 'm/1': true });
    expect(paths(db.documents(undefined, { collection: 'm' }))).toEqual(['m/1']);
  });

  it('forgets its scopes on a reset, and fills them again after', () => {
    const db = newDb();
    write(db, { 'm/1': true, 'x/y/m/2': true });
    db.clear();
    expect(paths(db.documents(undefined, { collectionId: 'm' }))).toEqual([]);
    write(db, { 'x/y/m/3': true });
    expect(paths(db.documents(undefined, { collectionId: 'm' }))).toEqual(['x/y/m/3']);
  });
});

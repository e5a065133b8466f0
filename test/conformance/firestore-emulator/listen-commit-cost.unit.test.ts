import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { parseTarget } from '../../../local/firestore-emulator/listen-target.ts';
import { TargetView } from '../../../local/firestore-emulator/listen-view.ts';
import type { ListenResponse } from '../../../local/firestore-emulator/listen-wire.ts';
import { type CommittedChange, Database, type StoredDoc } from '../../../local/firestore-emulator/store.ts';

// A listener on a growing collection (the stack's outcome bridge holds every outcome) must pay
// for each commit by the documents it changed, not by everything the target holds: at 3,000
// demo messages, redoing the whole result set on every commit took most of the emulator's CPU
// and starved the SMS sandbox sharing its process. These pin the cost and that the incremental
// answer is the one a full re-run of the query gives.

const DB = 'projects/p/databases/(default)';
const ROOT = `${DB}/documents`;
const newDb = () =>
  new Database({ name: DB, projectId: 'p', databaseId: '(default)' }, new ManualClock(1_000), {
    lockTimeoutMs: 1000,
    idleTimeoutMs: 1000,
  });
const doc = (path: string, n: number, time: number): StoredDoc => ({
  name: `${ROOT}/${path}`,
  path: path.split('/'),
  fields: new Map([['n', { kind: 'integer', value: BigInt(n) }]]),
  createTime: time,
  updateTime: time,
});
/** Commits `writes` (path to n, or null to delete) and returns the changes a Listen stream hears. */
const commit = (db: Database, writes: Record<string, number | null>): CommittedChange[] => {
  const time = db.nextCommitTime();
  const changes: CommittedChange[] = [];
  const stop = db.observe((event) => {
    if (event.kind === 'commit') changes.push(...event.changes);
  });
  db.apply(
    new Map(
      Object.entries(writes).map(([path, n]) => [`${ROOT}/${path}`, n === null ? null : doc(path, n, time)]),
    ),
    time,
  );
  stop();
  return changes;
};
const nAtLeast = (n: number) =>
  parseTarget(
    {
      targetType: 'query',
      query: {
        parent: ROOT,
        structuredQuery: {
          from: [{ collectionId: 'outcomes' }],
          where: {
            filterType: 'fieldFilter',
            fieldFilter: {
              field: { fieldPath: 'n' },
              op: 'GREATER_THAN_OR_EQUAL',
              value: { valueType: 'integerValue', integerValue: String(n) },
            },
          },
        },
      },
    },
    DB,
  );
const describeMessages = (messages: ListenResponse[]) =>
  messages.map((m) =>
    m.documentChange
      ? `change ${m.documentChange.document.name?.slice(ROOT.length + 1)}`
      : m.documentDelete
        ? `delete ${m.documentDelete.document.slice(ROOT.length + 1)}`
        : `remove ${m.documentRemove?.document.slice(ROOT.length + 1)}`,
  );

describe('a Listen query target applies a commit from its changes', () => {
  it('judges only the documents the commit changed, however many the target holds', () => {
    const db = newDb();
    const held: Record<string, number> = {};
    for (let i = 0; i < 2_000; i++) held[`outcomes/o${i}`] = 1;
    commit(db, held);
    const target = nAtLeast(1);
    const view = new TargetView(1, target);
    view.update(db, target.results(db), db.readTime());
    expect(view.size).toBe(2_000);

    const changes = commit(db, { 'outcomes/new': 5, 'outcomes/o7': 0 });
    const admits = vi.fn(target.admits!);
    const messages = view.applyCommit(changes, admits, db.readTime());
    expect(describeMessages(messages)).toEqual(['remove outcomes/o7', 'change outcomes/new']);
    expect(admits).toHaveBeenCalledTimes(2);
    expect(view.size).toBe(2_000);
  });

  it('gives the same messages as re-running the whole query, commit after commit', () => {
    const db = newDb();
    commit(db, { 'outcomes/a': 1, 'outcomes/b': 2, 'outcomes/c': 0, 'other/a': 9 });
    const target = nAtLeast(1);
    const incremental = new TargetView(1, target);
    const rerun = new TargetView(1, target);
    incremental.update(db, target.results(db), db.readTime());
    rerun.update(db, target.results(db), db.readTime());
    const commits: Array<Record<string, number | null>> = [
      { 'outcomes/c': 3 }, // enters
      { 'outcomes/a': 0 }, // leaves, still exists
      { 'outcomes/b': null }, // deleted
      { 'outcomes/b': 4, 'outcomes/d': 0 }, // re-created; one that never matched
      { 'outcomes/c': 3 }, // rewritten with the same value: a new version all the same
      { 'other/a': 1 }, // another collection
    ];
    for (const writes of commits) {
      const changes = commit(db, writes);
      const readTime = db.readTime();
      const fromChanges = incremental.applyCommit(changes, target.admits!, readTime);
      const fromQuery = rerun.update(db, target.results(db), readTime);
      expect(describeMessages(fromChanges).sort()).toEqual(describeMessages(fromQuery).sort());
      expect(incremental.size).toBe(rerun.size);
    }
  });

  it('a windowed query (limit) re-runs in full: a document outside it can enter', () => {
    const limited = parseTarget(
      {
        targetType: 'query',
        query: {
          parent: ROOT,
          structuredQuery: { from: [{ collectionId: 'outcomes' }], limit: { value: 2 } },
        },
      },
      DB,
    );
    expect(limited.admits).toBeUndefined();
  });
});

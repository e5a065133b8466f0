import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { Database, type StoredDoc } from '../../../local/firestore-emulator/store.ts';

const NAME = 'projects/p/databases/(default)/documents/c/d';
const newDb = (clock: ManualClock) =>
  new Database({ name: 'projects/p/databases/(default)', projectId: 'p', databaseId: '(default)' }, clock, {
    lockTimeoutMs: 1000,
    idleTimeoutMs: 1000,
  });
const doc = (v: number, time: number): StoredDoc => ({
  name: NAME,
  path: ['c', 'd'],
  fields: new Map([['v', { kind: 'integer', value: BigInt(v) }]]),
  createTime: time,
  updateTime: time,
});

describe('document versions', () => {
  it('takes commit times from the clock, strictly increasing even while the clock stands still', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const db = newDb(clock);
    const t1 = db.nextCommitTime();
    const t2 = db.nextCommitTime();
    expect(t1).toBe(Date.UTC(2026, 0, 1) * 1000);
    expect(t2).toBe(t1 + 1);
  });

  it('commits after a read time never change what that read time sees', () => {
    const clock = new ManualClock(1_000_000);
    const db = newDb(clock);
    const t1 = db.nextCommitTime();
    db.apply(new Map([[NAME, doc(1, t1)]]), t1);
    const readTime = db.readTime();
    const t2 = db.nextCommitTime();
    expect(t2).toBeGreaterThan(readTime);
    db.apply(new Map([[NAME, doc(2, t2)]]), t2);
    expect(db.get(NAME, readTime)?.fields.get('v')).toEqual({ kind: 'integer', value: 1n });
    expect(db.get(NAME)?.fields.get('v')).toEqual({ kind: 'integer', value: 2n });
  });

  it('reads a deletion as a missing document from its time on', () => {
    const clock = new ManualClock(1_000_000);
    const db = newDb(clock);
    const t1 = db.nextCommitTime();
    db.apply(new Map([[NAME, doc(1, t1)]]), t1);
    const t2 = db.nextCommitTime();
    db.apply(new Map([[NAME, null]]), t2);
    expect(db.get(NAME, t1)).toBeDefined();
    expect(db.get(NAME, t2)).toBeUndefined();
    expect([...db.documents()]).toEqual([]);
    expect([...db.documents(t1)].map((d) => d.name)).toEqual([NAME]);
  });

  it('refuses read times in the future and beyond the one-hour retention', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const db = newDb(clock);
    const start = db.readTime();
    expect(() => db.checkReadTime(start + 1_000_000)).toThrow(expect.objectContaining({ code: 3 }));
    await clock.advance(61 * 60 * 1000);
    expect(() => db.checkReadTime(start)).toThrow(expect.objectContaining({ code: 9 }));
    expect(db.checkReadTime(db.readTime() - 1)).toBe(db.readTime() - 1);
  });
});

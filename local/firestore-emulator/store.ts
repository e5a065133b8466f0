import type { Clock } from '../common/clock.ts';
import { failedPrecondition, invalidArgument } from '../common/grpc-errors.ts';
import { LockManager, type LockTimeouts } from './locks.ts';
import type { DatabaseName } from './names.ts';
import type { Micros } from './timestamps.ts';
import type { Fields } from './values.ts';

/** One committed state of a document. */
export interface StoredDoc {
  readonly name: string;
  /** Segments after `documents`. */
  readonly path: readonly string[];
  readonly fields: Fields;
  readonly createTime: Micros;
  readonly updateTime: Micros;
}

/** One document's change in a commit: its state before and after (undefined: missing). */
export interface CommittedChange {
  readonly name: string;
  readonly before: StoredDoc | undefined;
  readonly after: StoredDoc | undefined;
}

/** What observers (Listen streams) hear: each commit's changes, once applied, and resets. */
export type DatabaseEvent =
  | { readonly kind: 'commit'; readonly time: Micros; readonly changes: readonly CommittedChange[] }
  | { readonly kind: 'clear' };

/**
 * Where a query looks: one collection (its path, segments after `documents`, joined by '/'),
 * every collection with one id (a collection group), or, when undefined, everywhere.
 */
export type DocumentScope = { readonly collection: string } | { readonly collectionId: string } | undefined;

interface Version {
  readonly time: Micros;
  /** null: deleted at `time`. */
  readonly doc: StoredDoc | null;
}

/**
 * How far back `readTime` reads may go. Firestore keeps an hour of versions
 * (without point-in-time recovery); older versions are pruned as documents are
 * rewritten, and reads before the horizon fail instead of returning wrong data.
 */
const RETENTION_US = 60 * 60 * 1e6;

/**
 * One database's documents as a version history per document name, so
 * read-only transactions and `readTime` reads see a consistent snapshot while
 * writers move on. Every commit gets a time strictly after every earlier
 * commit and every read time already handed out, so a snapshot never changes.
 */
export class Database {
  readonly name: string;
  readonly projectId: string;
  readonly databaseId: string;
  readonly locks: LockManager;
  readonly #clock: Clock;
  readonly #docs = new Map<string, Version[]>();
  // Names by collection and by collection id, so a query reads its own collection and not the
  // whole database: a name, once stored, stays in #docs (deletes are versions) until clear().
  readonly #inCollection = new Map<string, Set<string>>();
  readonly #withCollectionId = new Map<string, Set<string>>();
  readonly #observers = new Set<(event: DatabaseEvent) => void>();
  #lastCommit: Micros = 0;
  #lastRead: Micros = 0;
  #clearedAt: Micros = 0;

  constructor(name: DatabaseName, clock: Clock, timeouts: LockTimeouts) {
    this.name = name.name;
    this.projectId = name.projectId;
    this.databaseId = name.databaseId;
    this.#clock = clock;
    this.locks = new LockManager(timeouts);
  }

  #now(): Micros {
    return Math.floor(this.#clock.now() * 1000);
  }

  /** A read time for "now": covers every commit so far; later commits get later times. */
  readTime(): Micros {
    const t = Math.max(this.#now(), this.#lastCommit);
    this.#lastRead = Math.max(this.#lastRead, t);
    return t;
  }

  /** Validates a client-chosen read time (readTime selectors, read-only transactions). */
  checkReadTime(t: Micros): Micros {
    const now = this.readTime();
    if (t > now) throw invalidArgument('read_time cannot be in the future.');
    if (t < now - RETENTION_US) {
      throw failedPrecondition('read_time is older than the one hour version retention of this emulator.');
    }
    return t;
  }

  /** Allocates the next commit time. Callers apply their writes synchronously after this. */
  nextCommitTime(): Micros {
    const t = Math.max(this.#now(), this.#lastCommit + 1, this.#lastRead + 1);
    this.#lastCommit = t;
    return t;
  }

  /** The document as of `at` (latest committed state when omitted). */
  get(name: string, at?: Micros): StoredDoc | undefined {
    const versions = this.#docs.get(name);
    if (!versions) return undefined;
    if (at === undefined) return versions[versions.length - 1]?.doc ?? undefined;
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i]!;
      if (v.time <= at) return v.doc ?? undefined;
    }
    return undefined;
  }

  /** Every document existing at `at` (latest when omitted) within `scope`, in no particular order. */
  *documents(at?: Micros, scope?: DocumentScope): Iterable<StoredDoc> {
    const names =
      scope === undefined
        ? this.#docs.keys()
        : 'collection' in scope
          ? this.#inCollection.get(scope.collection)
          : this.#withCollectionId.get(scope.collectionId);
    for (const name of names ?? []) {
      const doc = this.get(name, at);
      if (doc) yield doc;
    }
  }

  /** How many documents exist now: what a query scans, for explain's statistics. */
  documentCount(): number {
    let count = 0;
    for (const _ of this.documents()) count += 1;
    return count;
  }

  /** Records new states of documents, all at the same commit time. */
  apply(changes: ReadonlyMap<string, StoredDoc | null>, time: Micros): void {
    const horizon = time - RETENTION_US;
    const committed: CommittedChange[] = [];
    for (const [name, doc] of changes) {
      let versions = this.#docs.get(name);
      if (!versions) {
        if (doc === null) continue;
        versions = [];
        this.#docs.set(name, versions);
        this.#index(doc);
      }
      committed.push({ name, before: this.get(name), after: doc ?? undefined });
      versions.push({ time, doc });
      // Drop versions superseded before the retention horizon: no valid read time can see them.
      let drop = 0;
      while (drop + 1 < versions.length && versions[drop + 1]!.time < horizon) drop++;
      if (drop > 0) versions.splice(0, drop);
    }
    if (committed.length > 0) this.#emit({ kind: 'commit', time, changes: committed });
  }

  #index(doc: StoredDoc): void {
    const add = (map: Map<string, Set<string>>, key: string) => {
      const names = map.get(key) ?? new Set<string>();
      names.add(doc.name);
      map.set(key, names);
    };
    add(this.#inCollection, doc.path.slice(0, -1).join('/'));
    add(this.#withCollectionId, doc.path[doc.path.length - 2]!);
  }

  /** Forgets every document (the emulator's reset). Times keep moving forward. */
  clear(): void {
    this.#docs.clear();
    this.#inCollection.clear();
    this.#withCollectionId.clear();
    this.#clearedAt = this.readTime();
    this.#emit({ kind: 'clear' });
  }

  /** When the last reset forgot every version: reads at or before it no longer see what was there. */
  get clearedAt(): Micros {
    return this.#clearedAt;
  }

  /** Calls `observer` after every commit and reset, synchronously, so it sees each commit whole. */
  observe(observer: (event: DatabaseEvent) => void): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  #emit(event: DatabaseEvent): void {
    for (const observer of this.#observers) {
      try {
        observer(event);
      } catch (e) {
        // The commit has happened whatever an observer does; a failing observer is an emulator bug.
        console.error('[firestore-emulator] change observer failed:', e);
      }
    }
  }
}

/** All databases, created on first use and isolated by their `projects/P/databases/D` name. */
export class Store {
  readonly #clock: Clock;
  readonly #timeouts: LockTimeouts;
  readonly #databases = new Map<string, Database>();

  constructor(clock: Clock, timeouts: LockTimeouts) {
    this.#clock = clock;
    this.#timeouts = timeouts;
  }

  database(name: DatabaseName): Database {
    let db = this.#databases.get(name.name);
    if (!db) {
      db = new Database(name, this.#clock, this.#timeouts);
      this.#databases.set(name.name, db);
    }
    return db;
  }

  /** Databases of one project, or all. */
  databases(projectId?: string): Database[] {
    return [...this.#databases.values()].filter(
      (db) => projectId === undefined || db.projectId === projectId,
    );
  }
}

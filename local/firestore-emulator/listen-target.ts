import { invalidArgument } from '../common/grpc-errors.ts';
import type { FieldPath } from './field-paths.ts';
import type { WireTarget } from './listen-wire.ts';
import { parseDocumentName, parseParent, requireSameDatabase } from './names.ts';
import { type NormalizedQuery, normalizeQuery, queryDatabase, runQuery } from './query.ts';
import type { CommittedChange, Database, StoredDoc } from './store.ts';
import type { Micros } from './timestamps.ts';

/*
 * What a Listen target watches: a set of documents by name, or a query run by
 * the same engine as RunQuery. A target only answers two questions: which
 * documents it holds at a time, and whether a committed change can alter that.
 */

export interface ListenTarget {
  /** Fields to send; undefined sends whole documents. */
  readonly projection: readonly FieldPath[] | undefined;
  /** The documents the target holds at `at` (latest when omitted), in result order. */
  results(db: Database, at?: Micros): StoredDoc[];
  /** False only when the change certainly leaves the results as they were. */
  touchedBy(change: CommittedChange): boolean;
  /**
   * Whether `doc` belongs in the results, judged from the document alone. Set only where no
   * other document can change that (no offset, no limit, no vector search): a commit is then
   * applied from its changed documents only, costing the size of the commit, not of the results
   * (a listener on a growing collection would otherwise redo its whole result set on every write).
   */
  admits?(doc: StoredDoc): boolean;
}

/** Validates a target of a stream on `database`; throws an RpcError the stream reports as the target's cause. */
export function parseTarget(w: WireTarget, database: string): ListenTarget {
  if (w.targetType === 'documents') return documentsTarget(w.documents?.documents ?? [], database);
  if (w.targetType === 'query') {
    const parent = parseParent(w.query?.parent, 'add_target.query.parent');
    requireSameDatabase(database, parent, 'add_target.query.parent');
    return queryTarget(normalizeQuery(parent, w.query?.structuredQuery));
  }
  throw invalidArgument('add_target needs a query or a documents target.');
}

function documentsTarget(wireNames: readonly string[], database: string): ListenTarget {
  const names = [...new Set(wireNames)];
  if (names.length === 0) throw invalidArgument('add_target.documents.documents must name a document.');
  names.forEach((n, i) => {
    requireSameDatabase(database, parseDocumentName(n, `add_target.documents.documents[${i}]`), 'document');
  });
  const watched = new Set(names);
  return {
    projection: undefined,
    results: (db, at) => names.map((n) => db.get(n, at)).filter((d): d is StoredDoc => d !== undefined),
    touchedBy: (change) => watched.has(change.name),
  };
}

function queryTarget(q: NormalizedQuery): ListenTarget {
  // Offset, limit and a vector search's nearest are the only steps that depend on other
  // documents: a document outside the unwindowed query before and after a change cannot move
  // the window.
  const unwindowed: NormalizedQuery = { ...q, offset: 0, limit: undefined };
  const matches = (doc: StoredDoc | undefined) => doc !== undefined && runQuery(unwindowed, [doc]).length > 0;
  const windowed = q.offset > 0 || q.limit !== undefined || q.nearest !== undefined;
  return {
    projection: q.projection,
    results: (db, at) => queryDatabase(q, db, at),
    touchedBy: (change) => matches(change.before) || matches(change.after),
    ...(windowed ? {} : { admits: matches }),
  };
}

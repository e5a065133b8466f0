import { invalidArgument } from '../common/grpc-errors.ts';
import { type FieldPath, formatFieldPath, parseFieldPath } from './field-paths.ts';
import { type Filter, fieldValue, inequalityPaths, isNamePath, matches, parseFilter } from './filters.ts';
import type { ResourcePath } from './names.ts';
import { compareSegments, compareValues } from './ordering.ts';
import type { Database, DocumentScope, StoredDoc } from './store.ts';
import type { Micros } from './timestamps.ts';
import { decodeValue, type Val } from './values.ts';
import { type NearestSearch, nearestDocuments, parseFindNearest } from './vector-search.ts';
import type { WireCursor, WireStructuredQuery } from './wire.ts';

/*
 * The query engine: a StructuredQuery is validated and normalised once (the
 * implicit order by made explicit), then run over a snapshot of documents:
 * scope (collection or collection group under the parent) -> where -> order
 * by (documents missing an ordered field drop out) -> start/end cursors ->
 * offset -> limit. Projection is applied when encoding results.
 */

interface Order {
  readonly path: FieldPath;
  readonly descending: boolean;
}

interface Cursor {
  readonly values: readonly Val[];
  readonly before: boolean;
}

export interface NormalizedQuery {
  readonly parent: ResourcePath;
  /** undefined: a kindless query (every descendant document), as recursiveDelete sends. */
  readonly collectionId: string | undefined;
  readonly allDescendants: boolean;
  readonly filter: Filter | undefined;
  /** Explicit orders, then inequality fields, then __name__: Firestore's implicit ordering. */
  readonly orderBy: readonly Order[];
  readonly startAt: Cursor | undefined;
  readonly endAt: Cursor | undefined;
  readonly offset: number;
  readonly limit: number | undefined;
  /** Fields to return; undefined returns all. */
  readonly projection: readonly FieldPath[] | undefined;
  /** A vector search over what the scope and filters keep (find_nearest). */
  readonly nearest: NearestSearch | undefined;
}

export function normalizeQuery(parent: ResourcePath, q: WireStructuredQuery | undefined): NormalizedQuery {
  if (!q) throw invalidArgument('A structured_query is required.');
  const from = q.from ?? [];
  if (from.length !== 1)
    throw invalidArgument('structured_query.from must name exactly one collection selector.');
  const selector = from[0]!;
  const collectionId = selector.collectionId || undefined;
  if (!collectionId && !selector.allDescendants) {
    throw invalidArgument('structured_query.from: collection_id is required unless all_descendants is set.');
  }
  if (collectionId?.includes('/')) throw invalidArgument(`Invalid collection id "${collectionId}".`);

  const filter = q.where ? parseFilter(q.where, parent.database) : undefined;
  const orderBy = implicitOrderBy(q.orderBy ?? [], filter);
  const startAt = parseCursor(q.startAt, orderBy, parent.database, 'start_at');
  const endAt = parseCursor(q.endAt, orderBy, parent.database, 'end_at');

  const offset = q.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw invalidArgument('structured_query.offset must be >= 0.');
  const limit = q.limit ? (q.limit.value ?? 0) : undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw invalidArgument('structured_query.limit must be >= 0.');
  }

  let projection: FieldPath[] | undefined;
  if (q.select && (q.select.fields?.length ?? 0) > 0) {
    projection = q.select
      .fields!.map((f, i) => parseFieldPath(f.fieldPath ?? '', `structured_query.select.fields[${i}]`))
      .filter((p) => !isNamePath(p));
  }
  // With a select, the distance comes back only if the select names its field too (as in Firestore).
  const nearest = q.findNearest ? parseFindNearest(q.findNearest) : undefined;

  return {
    parent,
    collectionId,
    allDescendants: Boolean(selector.allDescendants),
    filter,
    orderBy,
    startAt,
    endAt,
    offset,
    limit,
    projection,
    nearest,
  };
}

function implicitOrderBy(
  wire: NonNullable<WireStructuredQuery['orderBy']>,
  filter: Filter | undefined,
): Order[] {
  const orders: Order[] = [];
  const seen = new Set<string>();
  wire.forEach((o, i) => {
    const path = parseFieldPath(o.field?.fieldPath ?? '', `structured_query.order_by[${i}].field`);
    const key = formatFieldPath(path);
    if (seen.has(key)) throw invalidArgument(`structured_query.order_by: ${key} is ordered more than once.`);
    seen.add(key);
    if (
      o.direction !== undefined &&
      !['ASCENDING', 'DESCENDING', 'DIRECTION_UNSPECIFIED'].includes(String(o.direction))
    ) {
      throw invalidArgument(`structured_query.order_by[${i}]: unknown direction ${o.direction}.`);
    }
    orders.push({ path, descending: o.direction === 'DESCENDING' });
  });
  // Appended fields take the direction of the last explicit order (ascending if none).
  const descending = orders.at(-1)?.descending ?? false;
  const inequalities = inequalityPaths(filter)
    .filter((p) => !seen.has(formatFieldPath(p)))
    .sort(compareSegments);
  for (const path of inequalities) {
    const key = formatFieldPath(path);
    if (seen.has(key)) continue;
    seen.add(key);
    orders.push({ path, descending });
  }
  if (!seen.has('__name__')) orders.push({ path: ['__name__'], descending });
  return orders;
}

function parseCursor(
  c: WireCursor | undefined,
  orderBy: readonly Order[],
  database: string,
  what: string,
): Cursor | undefined {
  if (!c) return undefined;
  const values = (c.values ?? []).map((v, i) =>
    decodeValue(v, { inDocument: false, where: `structured_query.${what}.values[${i}]` }),
  );
  if (values.length > orderBy.length) {
    throw invalidArgument(
      `structured_query.${what}: too many cursor values (${values.length}) for the ${orderBy.length} order by fields.`,
    );
  }
  values.forEach((v, i) => {
    if (!isNamePath(orderBy[i]!.path)) return;
    if (v.kind !== 'reference' || !v.value.startsWith(`${database}/documents/`)) {
      throw invalidArgument(
        `structured_query.${what}: a cursor value for __name__ must be a document reference in this database.`,
      );
    }
  });
  return { values, before: Boolean(c.before) };
}

/** Runs the query over the database as of `at` (latest when omitted), reading only its scope. */
export function queryDatabase(q: NormalizedQuery, db: Database, at?: Micros): StoredDoc[] {
  return runQuery(q, db.documents(at, queryScope(q)));
}

/** The part of the database the query's documents can be in (runQuery still checks each). */
function queryScope(q: NormalizedQuery): DocumentScope {
  if (q.collectionId === undefined) return undefined;
  if (!q.allDescendants) return { collection: [...q.parent.path, q.collectionId].join('/') };
  return { collectionId: q.collectionId };
}

/** Whether `doc` is in the query's collection (or collection group) under its parent. */
function inScope(q: NormalizedQuery, doc: StoredDoc): boolean {
  const base = q.parent.path;
  if (doc.path.length <= base.length || !base.every((s, i) => doc.path[i] === s)) return false;
  if (!q.allDescendants)
    return doc.path.length === base.length + 2 && doc.path[base.length] === q.collectionId;
  return q.collectionId === undefined || doc.path[doc.path.length - 2] === q.collectionId;
}

function compareByOrder(q: NormalizedQuery, a: StoredDoc, b: StoredDoc): number {
  for (const o of q.orderBy) {
    const c = compareValues(fieldValue(a, o.path)!, fieldValue(b, o.path)!);
    if (c !== 0) return o.descending ? -c : c;
  }
  return 0;
}

/** A document's position relative to a cursor, on the cursor's prefix of the order by. */
function compareToCursor(q: NormalizedQuery, doc: StoredDoc, cursor: Cursor): number {
  for (let i = 0; i < cursor.values.length; i++) {
    const o = q.orderBy[i]!;
    const c = compareValues(fieldValue(doc, o.path)!, cursor.values[i]!);
    if (c !== 0) return o.descending ? -c : c;
  }
  return 0;
}

/** Runs the query over `docs` (one consistent snapshot). Returns full documents; project when encoding. */
export function runQuery(q: NormalizedQuery, docs: Iterable<StoredDoc>): StoredDoc[] {
  const hits: StoredDoc[] = [];
  for (const doc of docs) {
    if (!inScope(q, doc)) continue;
    if (q.filter && !matches(q.filter, doc)) continue;
    if (!q.orderBy.every((o) => fieldValue(doc, o.path) !== undefined)) continue;
    const { startAt, endAt } = q;
    if (startAt) {
      const c = compareToCursor(q, doc, startAt);
      if (startAt.before ? c < 0 : c <= 0) continue;
    }
    if (endAt) {
      const c = compareToCursor(q, doc, endAt);
      if (endAt.before ? c >= 0 : c > 0) continue;
    }
    hits.push(doc);
  }
  if (q.nearest) return nearestDocuments(q.nearest, hits);
  hits.sort((a, b) => compareByOrder(q, a, b));
  const end = q.limit === undefined ? undefined : q.offset + q.limit;
  return hits.slice(q.offset, end);
}

/** Identifies a result set (names and versions), to tell whether re-running a query changed it. */
export function fingerprint(docs: readonly StoredDoc[]): string {
  return docs.map((d) => `${d.name}@${d.updateTime}`).join('\n');
}

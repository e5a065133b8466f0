import {
  Metadata,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { invalidArgument, notFound, RpcError, unimplemented } from '../common/grpc-errors.ts';
import { aggregate, parseAggregations } from './aggregation.ts';
import { batchWrite, commit } from './commit.ts';
import { executionStats, planSummary } from './explain.ts';
import { type FieldPath, parseFieldPath, projectFields } from './field-paths.ts';
import { listenHandler } from './listen.ts';
import {
  parseDatabaseName,
  parseDocumentName,
  parseParent,
  type ResourcePath,
  requireSameDatabase,
} from './names.ts';
import { compareSegments, compareUtf8 } from './ordering.ts';
import { normalizeQuery } from './query.ts';
import { closeFailedSession, openSession, type ReadSession, readDocuments, readQuery } from './reads.ts';
import type { Database, Store, StoredDoc } from './store.ts';
import { type Micros, microsToProto } from './timestamps.ts';
import type { Transactions } from './transactions.ts';
import { encodeFields } from './values.ts';
import type {
  BatchGetDocumentsRequest,
  BatchWriteRequest,
  BeginTransactionRequest,
  CommitRequest,
  GetDocumentRequest,
  ListCollectionIdsRequest,
  ListDocumentsRequest,
  RollbackRequest,
  RunAggregationQueryRequest,
  RunQueryRequest,
  WireDocument,
  WireDocumentMask,
} from './wire.ts';

/** The google.firestore.v1.Firestore RPCs, over one Store. Each handler parses, reads or writes, encodes. */
export function firestoreService(store: Store, transactions: Transactions): UntypedServiceImplementation {
  const databaseOf = (r: ResourcePath): Database => store.database(parseDatabaseName(r.database));
  const guard = async <T>(session: ReadSession, read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (e) {
      closeFailedSession(transactions, session);
      throw e;
    }
  };

  return {
    getDocument: unary(async (req: GetDocumentRequest) => {
      const r = parseDocumentName(req.name, 'name');
      const db = databaseOf(r);
      const mask = parseMask(req.mask);
      const session = openSession(transactions, db, req, false);
      const { docs } = await readDocuments(session, [r.name]);
      const doc = docs[0];
      if (!doc) throw notFound(`Document "${r.name}" not found.`);
      return encodeDocument(doc, mask);
    }),

    batchGetDocuments: serverStream(async (req: BatchGetDocumentsRequest, send) => {
      const db = store.database(parseDatabaseName(req.database));
      const names = [...new Set(req.documents ?? [])].map((n, i) => {
        const r = parseDocumentName(n, `documents[${i}]`);
        requireSameDatabase(db.name, r, `documents[${i}]`);
        return r.name;
      });
      const mask = parseMask(req.mask);
      const session = openSession(transactions, db, req, true);
      const { docs, readTime } = await guard(session, () => readDocuments(session, names));
      const first = transactionField(session);
      if (names.length === 0 && first.transaction) send(first);
      docs.forEach((doc, i) => {
        const result = doc ? { found: encodeDocument(doc, mask) } : { missing: names[i] };
        send({ ...(i === 0 ? first : {}), ...result, readTime: microsToProto(readTime) });
      });
    }),

    beginTransaction: unary(async (req: BeginTransactionRequest) => {
      const db = store.database(parseDatabaseName(req.database));
      return { transaction: transactions.begin(db, req.options).bytes };
    }),

    commit: unary(async (req: CommitRequest) => {
      const db = store.database(parseDatabaseName(req.database));
      return commit(transactions, db, req);
    }),

    batchWrite: unary(async (req: BatchWriteRequest) => {
      const db = store.database(parseDatabaseName(req.database));
      return batchWrite(transactions, db, req);
    }),

    rollback: unary(async (req: RollbackRequest) => {
      const db = store.database(parseDatabaseName(req.database));
      if (!req.transaction?.length) throw invalidArgument('Rollback requires a transaction.');
      const tx = transactions.find(db, req.transaction);
      if (!tx) throw invalidArgument('The referenced transaction has expired or is no longer valid.');
      transactions.rollback(tx);
      return {};
    }),

    runQuery: serverStream(async (req: RunQueryRequest, send) => {
      const parent = parseParent(req.parent);
      const db = databaseOf(parent);
      const q = normalizeQuery(parent, req.structuredQuery);
      const explain = req.explainOptions as { analyze?: boolean } | undefined;
      if (explain && !explain.analyze) {
        // Planned, not run: no read time, so the client builds no snapshot.
        send({ explainMetrics: { planSummary: planSummary(q) } });
        return;
      }
      const session = openSession(transactions, db, req, true);
      const started = process.hrtime.bigint();
      const { docs, readTime } = await guard(session, () => readQuery(session, q));
      const elapsedNs = process.hrtime.bigint() - started;
      const first = transactionField(session);
      // With analyze, Firestore sends the metrics on the last document's response
      // (explainStream() counts one response per document), or alone when none matched.
      const metrics = explain
        ? {
            explainMetrics: {
              planSummary: planSummary(q),
              executionStats: executionStats({
                resultsReturned: docs.length,
                documentsScanned: db.documentCount(),
                elapsedNs,
              }),
            },
          }
        : {};
      if (docs.length === 0) send({ ...first, readTime: microsToProto(readTime), ...metrics });
      docs.forEach((doc, i) => {
        send({
          ...(i === 0 ? first : {}),
          document: encodeDocument(doc, q.projection),
          readTime: microsToProto(readTime),
          ...(i === docs.length - 1 ? metrics : {}),
        });
      });
    }),

    runAggregationQuery: serverStream(async (req: RunAggregationQueryRequest, send) => {
      const parent = parseParent(req.parent);
      const db = databaseOf(parent);
      const aggregation = req.structuredAggregationQuery;
      if (!aggregation) throw invalidArgument('A structured_aggregation_query is required.');
      const q = normalizeQuery(parent, aggregation.structuredQuery);
      const aggregations = parseAggregations(aggregation.aggregations);
      const explain = req.explainOptions as { analyze?: boolean } | undefined;
      if (explain && !explain.analyze) {
        // Planned, not run: no read time, so the client builds no snapshot.
        send({ explainMetrics: { planSummary: planSummary(q) } });
        return;
      }
      const session = openSession(transactions, db, req, true);
      const started = process.hrtime.bigint();
      const { docs, readTime } = await guard(session, () => readQuery(session, q));
      const result = { aggregateFields: aggregate(aggregations, docs) };
      const elapsedNs = process.hrtime.bigint() - started;
      send({
        ...transactionField(session),
        result,
        readTime: microsToProto(readTime),
        ...(explain
          ? {
              explainMetrics: {
                planSummary: planSummary(q),
                executionStats: executionStats({
                  resultsReturned: 1,
                  documentsScanned: db.documentCount(),
                  elapsedNs,
                }),
              },
            }
          : {}),
      });
    }),

    listDocuments: unary(async (req: ListDocumentsRequest) => {
      const parent = parseParent(req.parent);
      const db = databaseOf(parent);
      if (req.orderBy && req.orderBy !== '__name__') {
        throw unimplemented(
          `ListDocuments order_by "${req.orderBy}" is not supported by this emulator (only __name__).`,
        );
      }
      const mask = parseMask(req.mask);
      const at = snapshotTime(transactions, db, req);
      return listDocuments(db, parent, req, at, mask);
    }),

    listCollectionIds: unary(async (req: ListCollectionIdsRequest) => {
      const parent = parseParent(req.parent);
      const db = databaseOf(parent);
      const at = snapshotTime(transactions, db, req);
      const base = parent.path;
      const ids = new Set<string>();
      for (const doc of db.documents(at)) {
        if (doc.path.length > base.length && base.every((s, i) => doc.path[i] === s))
          ids.add(doc.path[base.length]!);
      }
      const sorted = [...ids].sort(compareUtf8);
      const page = paginate(sorted, req.pageSize, req.pageToken, (id) => id);
      return { collectionIds: page.items, nextPageToken: page.nextPageToken };
    }),

    listen: listenHandler(store),
    write: rejectStream(
      'The streaming Write RPC is not supported by this emulator; use Commit or BatchWrite.',
    ),
    partitionQuery: unary(async () => {
      throw unimplemented('PartitionQuery is not supported by this emulator.');
    }),
    executePipeline: rejectStream('Pipelines (ExecutePipeline) are not supported by this emulator.'),
    createDocument: unary(async () => {
      throw unimplemented('CreateDocument is not supported by this emulator; the Node client uses Commit.');
    }),
    updateDocument: unary(async () => {
      throw unimplemented('UpdateDocument is not supported by this emulator; the Node client uses Commit.');
    }),
    deleteDocument: unary(async () => {
      throw unimplemented('DeleteDocument is not supported by this emulator; the Node client uses Commit.');
    }),
  };
}

function parseMask(mask: WireDocumentMask | undefined): FieldPath[] | undefined {
  // A present but empty mask returns no fields (ListDocuments uses it for names only).
  return mask
    ? (mask.fieldPaths ?? []).map((p, i) => parseFieldPath(p, `mask.field_paths[${i}]`))
    : undefined;
}

function encodeDocument(doc: StoredDoc, mask: readonly FieldPath[] | undefined): WireDocument {
  return {
    name: doc.name,
    fields: encodeFields(mask ? projectFields(doc.fields, mask) : doc.fields),
    createTime: microsToProto(doc.createTime),
    updateTime: microsToProto(doc.updateTime),
  };
}

function transactionField(session: ReadSession): { transaction?: Buffer } {
  return session.began && session.tx ? { transaction: session.tx.bytes } : {};
}

/** Listing reads a snapshot and takes no locks, also inside a read-write transaction. */
function snapshotTime(
  transactions: Transactions,
  db: Database,
  req: ListDocumentsRequest | ListCollectionIdsRequest,
): Micros | undefined {
  const session = openSession(transactions, db, req, false);
  return session.at;
}

function listDocuments(
  db: Database,
  parent: ResourcePath,
  req: ListDocumentsRequest,
  at: Micros | undefined,
  mask: FieldPath[] | undefined,
): { documents: WireDocument[]; nextPageToken: string } {
  const base = parent.path;
  const found = new Map<string, { path: readonly string[]; doc?: StoredDoc }>();
  for (const doc of db.documents(at)) {
    if (doc.path.length < base.length + 2 || !base.every((s, i) => doc.path[i] === s)) continue;
    if (req.collectionId && doc.path[base.length] !== req.collectionId) continue;
    const path = doc.path.slice(0, base.length + 2);
    const name = `${parent.database}/documents/${path.join('/')}`;
    if (doc.path.length === path.length) found.set(name, { path, doc });
    else if (req.showMissing && !found.has(name)) found.set(name, { path });
  }
  // show_missing: a document that does not exist but has subcollections is listed by name only.
  const entries = [...found.entries()].sort((a, b) => compareSegments(a[1].path, b[1].path));
  const page = paginate(entries, req.pageSize, req.pageToken, ([name]) => name);
  return {
    documents: page.items.map(([name, { doc }]) => (doc ? encodeDocument(doc, mask) : { name })),
    nextPageToken: page.nextPageToken,
  };
}

function paginate<T>(
  items: readonly T[],
  pageSize: number | undefined,
  pageToken: string | undefined,
  key: (item: T) => string,
): { items: T[]; nextPageToken: string } {
  let start = 0;
  if (pageToken) {
    const after = Buffer.from(pageToken, 'base64url').toString('utf8');
    const i = items.findIndex((item) => key(item) === after);
    if (i < 0) throw invalidArgument('Invalid page_token.');
    start = i + 1;
  }
  const size = pageSize && pageSize > 0 ? pageSize : items.length;
  const page = items.slice(start, start + size);
  const more = start + size < items.length && page.length > 0;
  return { items: page, nextPageToken: more ? Buffer.from(key(page.at(-1)!)).toString('base64url') : '' };
}

type ServiceError = { code: status; details: string };

function toServiceError(e: unknown): ServiceError {
  if (e instanceof RpcError) return { code: e.code, details: e.message };
  // A bug in the emulator: say so loudly rather than let the client retry it silently.
  console.error('[firestore-emulator] internal error:', e);
  return {
    code: status.INTERNAL,
    details: `Firestore emulator internal error: ${(e as Error)?.message ?? e}`,
  };
}

function unary<Req, Res>(fn: (req: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    fn(call.request).then(
      (res) => callback(null, res),
      (e) => callback(toServiceError(e)),
    );
  };
}

function serverStream<Req, Res>(fn: (req: Req, send: (res: Res) => void) => Promise<void>) {
  return (call: ServerWritableStream<Req, Res>): void => {
    // Headers first, as Firestore does: google-gax silently re-sends a server-streaming call
    // (twice, with second-long back-offs) when it fails before any response metadata arrived.
    call.sendMetadata(new Metadata());
    fn(call.request, (res) => {
      if (!call.cancelled) call.write(res);
    }).then(
      () => call.end(),
      (e) => call.emit('error', toServiceError(e)),
    );
  };
}

function rejectStream(message: string) {
  return (call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>): void => {
    call.sendMetadata(new Metadata()); // see serverStream
    call.emit('error', { code: status.UNIMPLEMENTED, details: message });
  };
}

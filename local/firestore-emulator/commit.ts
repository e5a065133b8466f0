import { aborted, invalidArgument, RpcError } from '../common/grpc-errors.ts';
import type { Database, StoredDoc } from './store.ts';
import { microsToProto } from './timestamps.ts';
import type { Transaction, Transactions } from './transactions.ts';
import type { BatchWriteRequest, CommitRequest } from './wire.ts';
import { applyWrite, type ParsedWrite, parseWrite, type WireWriteResult } from './writes.ts';

/*
 * Commit (atomic, optionally in a transaction) and BatchWrite (each write on
 * its own). Both lock the documents they write, so they serialise with
 * read-write transactions, then apply synchronously: no other request can
 * observe half a commit.
 */

export interface CommitResponse {
  writeResults: WireWriteResult[];
  commitTime: { seconds: string; nanos: number };
}

export async function commit(
  transactions: Transactions,
  db: Database,
  req: CommitRequest,
): Promise<CommitResponse> {
  const writes = (req.writes ?? []).map((w, i) => parseWrite(w, db.name, i));
  const names = writes.map((w) => w.name);

  if (req.transaction?.length) {
    const tx = transactions.use(db, req.transaction);
    if (tx.readOnly) {
      if (writes.length > 0) throw invalidArgument('Cannot modify entities in a read-only transaction.');
      transactions.commitDone(tx);
      return { writeResults: [], commitTime: microsToProto(db.readTime()) };
    }
    try {
      await db.locks.acquireAll(tx, names);
      checkReads(db, tx);
      const response = applyAll(db, writes);
      transactions.commitDone(tx);
      return response;
    } catch (e) {
      // Whatever failed, the transaction is over: free its locks now, not at the client's Rollback.
      transactions.rollback(tx);
      throw e;
    }
  }

  const owner = transactions.autoCommit();
  try {
    await db.locks.acquireAll(owner, names);
    return applyAll(db, writes);
  } finally {
    db.locks.releaseAll(owner);
  }
}

export async function batchWrite(
  transactions: Transactions,
  db: Database,
  req: BatchWriteRequest,
): Promise<{ writeResults: WireWriteResult[]; status: Array<{ code: number; message?: string }> }> {
  const writes = (req.writes ?? []).map((w, i) => parseWrite(w, db.name, i));
  const seen = new Set<string>();
  for (const w of writes) {
    if (seen.has(w.name)) throw invalidArgument(`BatchWrite cannot write the same document twice: ${w.name}`);
    seen.add(w.name);
  }
  const outcomes = await Promise.all(
    writes.map(async (w) => {
      const owner = transactions.autoCommit();
      try {
        await db.locks.acquire(owner, w.name);
        return { result: applyAll(db, [w]).writeResults[0]!, status: { code: 0 } };
      } catch (e) {
        if (!(e instanceof RpcError)) throw e;
        return { result: {}, status: { code: e.code, message: e.message } };
      } finally {
        db.locks.releaseAll(owner);
      }
    }),
  );
  return { writeResults: outcomes.map((o) => o.result), status: outcomes.map((o) => o.status) };
}

/**
 * The locks make this hold already; it is the guarantee that a write based on
 * a stale read never commits, whatever path the staleness came from.
 */
function checkReads(db: Database, tx: Transaction): void {
  if (tx.abortError) throw tx.abortError;
  const stale =
    [...tx.reads].some(([name, seen]) => (db.get(name)?.updateTime ?? 0) !== seen) ||
    tx.queries.some((q) => q.rerun() !== q.fingerprint);
  if (stale) {
    const error = aborted('Transaction was aborted because data it read has changed; retry the transaction.');
    db.locks.abort(tx, error);
    throw error;
  }
}

/** Applies writes in order at one commit time; any failure applies none of them. */
function applyAll(db: Database, writes: readonly ParsedWrite[]): CommitResponse {
  const time = db.nextCommitTime();
  const working = new Map<string, StoredDoc | null>();
  const writeResults = writes.map((w) => {
    const current = working.has(w.name) ? (working.get(w.name) ?? undefined) : db.get(w.name);
    const { doc, result } = applyWrite(current, w, time);
    working.set(w.name, doc);
    return result;
  });
  const changes = new Map<string, StoredDoc | null>();
  for (const [name, doc] of working) if (doc !== (db.get(name) ?? null)) changes.set(name, doc);
  db.apply(changes, time);
  return { writeResults, commitTime: microsToProto(time) };
}

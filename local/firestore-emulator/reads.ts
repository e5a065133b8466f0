import { invalidArgument } from '../common/grpc-errors.ts';
import { fingerprint, type NormalizedQuery, queryDatabase } from './query.ts';
import type { Database, StoredDoc } from './store.ts';
import { type Micros, protoToMicros } from './timestamps.ts';
import type { Transaction, Transactions } from './transactions.ts';
import type { WireConsistency } from './wire.ts';

/*
 * The consistency selector of a read request, resolved to how it reads:
 * - no selector: the latest committed state, without locks (never blocks);
 * - read_time, or a read-only transaction: the snapshot at that time;
 * - a read-write transaction (`transaction`, or `new_transaction` begun by
 *   this very read, as the Node client does lazily): lock every document
 *   returned, then read the latest state, and remember what was read so the
 *   commit can prove nothing changed underneath.
 */

export interface ReadSession {
  readonly db: Database;
  readonly tx: Transaction | undefined;
  /** This request began `tx`: its id goes in the first response. */
  readonly began: boolean;
  /** Snapshot time; undefined for a read-write transaction (reads the latest state, under locks). */
  readonly at: Micros | undefined;
}

export function openSession(
  transactions: Transactions,
  db: Database,
  req: WireConsistency,
  allowNewTransaction: boolean,
): ReadSession {
  let tx: Transaction | undefined;
  let began = false;
  switch (req.consistencySelector) {
    case 'transaction':
      tx = transactions.use(db, req.transaction ?? Buffer.alloc(0));
      break;
    case 'newTransaction':
      if (!allowNewTransaction) throw invalidArgument('new_transaction is not supported by this method.');
      tx = transactions.begin(db, req.newTransaction);
      began = true;
      break;
    case 'readTime':
      return { db, tx, began, at: db.checkReadTime(protoToMicros(req.readTime ?? {}, 'read_time')) };
    default:
      return { db, tx, began, at: db.readTime() };
  }
  return { db, tx, began, at: tx.readOnly ? tx.readTime : undefined };
}

/** A failed read that began its transaction leaves nothing behind: the client never learned the id. */
export function closeFailedSession(transactions: Transactions, session: ReadSession): void {
  if (session.began && session.tx) transactions.rollback(session.tx);
}

export async function readDocuments(
  session: ReadSession,
  names: readonly string[],
): Promise<{ docs: Array<StoredDoc | undefined>; readTime: Micros }> {
  const { db, tx, at } = session;
  if (at !== undefined) return { docs: names.map((n) => db.get(n, at)), readTime: at };
  const rw = tx!;
  await db.locks.acquireAll(rw, names);
  const docs = names.map((n) => db.get(n));
  docs.forEach((doc, i) => {
    rw.reads.set(names[i]!, doc?.updateTime ?? 0);
  });
  return { docs, readTime: db.readTime() };
}

/** Rounds of "run, lock what matched" before leaving the rest to the commit-time check. */
const MAX_LOCK_ROUNDS = 16;

export async function readQuery(
  session: ReadSession,
  q: NormalizedQuery,
): Promise<{ docs: StoredDoc[]; readTime: Micros }> {
  const { db, tx, at } = session;
  if (at !== undefined) return { docs: queryDatabase(q, db, at), readTime: at };
  const rw = tx!;
  const run = () => queryDatabase(q, db);
  // Documents can start or stop matching while we wait for locks, so lock, re-run, and repeat.
  let docs = run();
  for (let round = 1; round < MAX_LOCK_ROUNDS; round++) {
    const unlocked = docs.filter((d) => !db.locks.holds(rw, d.name)).map((d) => d.name);
    if (unlocked.length === 0) break;
    await db.locks.acquireAll(rw, unlocked);
    docs = run();
  }
  for (const d of docs) rw.reads.set(d.name, d.updateTime);
  // Re-run at commit: a document that started to match (a phantom) aborts the transaction.
  rw.queries.push({ fingerprint: fingerprint(docs), rerun: () => fingerprint(run()) });
  return { docs, readTime: db.readTime() };
}

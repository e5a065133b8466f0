import { randomBytes } from 'node:crypto';
import { aborted, invalidArgument, type RpcError } from '../common/grpc-errors.ts';
import type { LockOwner } from './locks.ts';
import type { Database } from './store.ts';
import { type Micros, protoToMicros } from './timestamps.ts';
import type { WireTransactionOptions } from './wire.ts';

/** A query a read-write transaction ran, re-run at commit to catch phantoms (documents that started to match). */
export interface QueryRead {
  readonly fingerprint: string;
  rerun(): string;
}

export class Transaction implements LockOwner {
  readonly id: string;
  readonly bytes: Buffer;
  readonly db: Database;
  readonly readOnly: boolean;
  /** Snapshot time of a read-only transaction. */
  readonly readTime: Micros | undefined;
  readonly seq: number;
  readonly pseudo = false;
  lastActiveMs = Date.now();
  state: 'active' | 'committed' | 'rolledBack' = 'active';
  abortError: RpcError | undefined;
  /** Documents read, with the update time seen (0: missing), checked again at commit. */
  readonly reads = new Map<string, Micros>();
  readonly queries: QueryRead[] = [];

  constructor(db: Database, seq: number, readOnly: boolean, readTime: Micros | undefined) {
    this.bytes = randomBytes(16);
    this.id = this.bytes.toString('hex');
    this.db = db;
    this.seq = seq;
    this.readOnly = readOnly;
    this.readTime = readTime;
  }

  abort(error: RpcError): void {
    if (this.state === 'active' && !this.abortError) this.abortError = error;
  }
}

/** A non-transactional commit, as a lock owner for the moment it applies its writes. */
export class AutoCommit implements LockOwner {
  readonly id: string;
  readonly seq: number;
  readonly pseudo = true;
  readonly lastActiveMs = Date.now();
  abortError: RpcError | undefined;

  constructor(seq: number) {
    this.id = `auto-${seq}`;
    this.seq = seq;
  }

  abort(error: RpcError): void {
    this.abortError ??= error;
  }
}

const EXPIRED = 'The referenced transaction has expired or is no longer valid.';
/**
 * Transactions remembered, to answer "expired" rather than "unknown". Beyond
 * this, the oldest finished ones are forgotten, and read-only ones (which the
 * client never commits or rolls back) once idle for an hour.
 */
const MAX_REMEMBERED = 10_000;
const FORGET_IDLE_READ_ONLY_MS = 60 * 60 * 1000;

/** Every transaction of every database, by id. */
export class Transactions {
  readonly #byId = new Map<string, Transaction>();
  #seq = 0;

  begin(db: Database, options: WireTransactionOptions | undefined): Transaction {
    if (options?.mode === 'readOnly') {
      const requested = options.readOnly?.readTime;
      const readTime = requested
        ? db.checkReadTime(protoToMicros(requested, 'read_only.read_time'))
        : db.readTime();
      return this.#add(new Transaction(db, ++this.#seq, true, readTime));
    }
    // A retry keeps its predecessor's age, so it is not the deadlock victim again and again.
    let seq = ++this.#seq;
    const retry = options?.readWrite?.retryTransaction;
    if (retry?.length) {
      const previous = this.#byId.get(Buffer.from(retry).toString('hex'));
      if (previous && previous.db === db) {
        seq = previous.seq;
        // The client rolls back the failed attempt without waiting; do not let the retry queue behind it.
        if (previous.state === 'active') this.rollback(previous);
      }
    }
    return this.#add(new Transaction(db, seq, false, undefined));
  }

  /** A fresh lock owner for a commit outside any transaction. */
  autoCommit(): AutoCommit {
    return new AutoCommit(++this.#seq);
  }

  /** The active transaction `bytes` names in `db`, or the error Firestore gives for it. */
  use(db: Database, bytes: Uint8Array): Transaction {
    const tx = this.#byId.get(Buffer.from(bytes).toString('hex'));
    if (!tx) throw invalidArgument(EXPIRED);
    if (tx.db !== db)
      throw invalidArgument(`Transaction belongs to database "${tx.db.name}", not "${db.name}".`);
    if (tx.abortError) throw tx.abortError;
    if (tx.state !== 'active') throw invalidArgument(EXPIRED);
    tx.lastActiveMs = Date.now();
    return tx;
  }

  /** Looks a transaction up without requiring it to be active (Rollback is idempotent). */
  find(db: Database, bytes: Uint8Array): Transaction | undefined {
    const tx = this.#byId.get(Buffer.from(bytes).toString('hex'));
    return tx?.db === db ? tx : undefined;
  }

  commitDone(tx: Transaction): void {
    tx.state = 'committed';
    tx.db.locks.releaseAll(tx);
  }

  rollback(tx: Transaction): void {
    if (tx.state === 'active') tx.state = 'rolledBack';
    tx.db.locks.releaseAll(tx);
  }

  /** Ends every transaction of a database (reset): their next request gets ABORTED. */
  abortAll(db: Database): void {
    db.locks.abortAll(aborted('The database was reset by the emulator; retry the transaction.'));
    for (const tx of this.#byId.values()) {
      if (tx.db === db && tx.state === 'active') tx.abort(aborted('The database was reset by the emulator.'));
    }
  }

  #add(tx: Transaction): Transaction {
    this.#byId.set(tx.id, tx);
    if (this.#byId.size > MAX_REMEMBERED) {
      const now = Date.now();
      for (const [id, old] of this.#byId) {
        if (this.#byId.size <= MAX_REMEMBERED) break;
        const finished = old.state !== 'active' || old.abortError !== undefined;
        if (finished || (old.readOnly && now - old.lastActiveMs > FORGET_IDLE_READ_ONLY_MS))
          this.#byId.delete(id);
      }
    }
    return tx;
  }
}

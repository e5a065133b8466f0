import { aborted, type RpcError } from '../common/grpc-errors.ts';

/*
 * Pessimistic per-document locks, as Google's emulator does it: a read-write
 * transaction locks every document it reads (and writes), exclusively, until
 * it commits or rolls back; a conflicting transaction waits in FIFO order. So
 * N concurrent read-modify-write transactions on one document run one after
 * the other instead of all reading the same value. Non-transactional commits
 * take the same locks for the instant they apply. Reads outside transactions
 * take none.
 *
 * A wait that closes a cycle in the waits-for graph is a deadlock: one owner
 * in the cycle is aborted (ABORTED, which the client retries), releasing its
 * locks. A wait longer than `lockTimeoutMs` aborts the waiter; a holder idle
 * for `idleTimeoutMs` while someone waits (a client that went away mid-
 * transaction) is expired. Timers are real time, not the emulator clock: they
 * guard against stuck clients, not simulated deadlines.
 */

export interface LockTimeouts {
  readonly lockTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

export interface LockOwner {
  readonly id: string;
  /** Age: lower is older. Deadlock victims are the youngest, so old transactions make progress. */
  readonly seq: number;
  /** A non-transactional commit: never chosen as a deadlock victim when a transaction can be. */
  readonly pseudo: boolean;
  /** Real time (ms) of the owner's last request; long idle holders are expired. */
  readonly lastActiveMs: number;
  /** Set once the owner was aborted by the lock manager. */
  readonly abortError: RpcError | undefined;
  /** Marks the owner aborted; its locks and waits are dropped by the manager right after. */
  abort(error: RpcError): void;
}

interface Waiter {
  readonly owner: LockOwner;
  readonly key: string;
  readonly resolve: () => void;
  readonly reject: (e: RpcError) => void;
  settled: boolean;
  timer?: NodeJS.Timeout;
}

interface Lock {
  holder?: LockOwner;
  readonly queue: Waiter[];
}

export class LockManager {
  readonly #timeouts: LockTimeouts;
  readonly #locks = new Map<string, Lock>();
  readonly #held = new Map<LockOwner, Set<string>>();
  readonly #waits = new Map<LockOwner, Set<Waiter>>();

  constructor(timeouts: LockTimeouts) {
    this.#timeouts = timeouts;
  }

  holds(owner: LockOwner, key: string): boolean {
    return this.#locks.get(key)?.holder === owner;
  }

  /** Locks `key` for `owner`, waiting behind earlier holders; rejects with ABORTED on deadlock or time-out. */
  acquire(owner: LockOwner, key: string): Promise<void> {
    if (owner.abortError) return Promise.reject(owner.abortError);
    let lock = this.#locks.get(key);
    if (!lock) {
      lock = { queue: [] };
      this.#locks.set(key, lock);
    }
    if (lock.holder === owner) return Promise.resolve();
    if (!lock.holder && lock.queue.length === 0) {
      this.#grant(lock, owner, key);
      return Promise.resolve();
    }
    const held = lock;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { owner, key, resolve, reject, settled: false };
      held.queue.push(waiter);
      this.#waitsOf(owner).add(waiter);
      this.#expireIfIdle(held.holder);
      if (!waiter.settled) this.#breakDeadlock(owner);
      if (!waiter.settled) {
        waiter.timer = setTimeout(() => this.#timeOut(waiter), this.#timeouts.lockTimeoutMs);
        waiter.timer.unref();
      }
    });
  }

  /** Locks several keys in a fixed (sorted) order, so two owners locking the same set cannot deadlock. */
  async acquireAll(owner: LockOwner, keys: Iterable<string>): Promise<void> {
    for (const key of [...new Set(keys)].sort()) await this.acquire(owner, key);
    if (owner.abortError) throw owner.abortError;
  }

  /** Releases every lock `owner` holds (commit, rollback); a wait still pending fails. */
  releaseAll(owner: LockOwner): void {
    this.#release(owner, aborted('The transaction is no longer active.'));
  }

  /** Aborts `owner`: it learns the error on its next request, its waits fail, its locks go to the next in line. */
  abort(owner: LockOwner, error: RpcError): void {
    owner.abort(error);
    this.#release(owner, error);
  }

  /** Aborts every owner (reset, shutdown). */
  abortAll(error: RpcError): void {
    const owners = new Set<LockOwner>([...this.#held.keys(), ...this.#waits.keys()]);
    for (const owner of owners) this.abort(owner, error);
  }

  #release(owner: LockOwner, error: RpcError): void {
    for (const waiter of [...(this.#waits.get(owner) ?? [])]) {
      this.#dropWaiter(waiter);
      waiter.reject(error);
    }
    this.#waits.delete(owner);
    const keys = this.#held.get(owner);
    this.#held.delete(owner);
    for (const key of keys ?? []) {
      const lock = this.#locks.get(key);
      if (lock?.holder !== owner) continue;
      lock.holder = undefined;
      this.#grantNext(key, lock);
    }
  }

  #waitsOf(owner: LockOwner): Set<Waiter> {
    let set = this.#waits.get(owner);
    if (!set) {
      set = new Set();
      this.#waits.set(owner, set);
    }
    return set;
  }

  #grant(lock: Lock, owner: LockOwner, key: string): void {
    lock.holder = owner;
    let keys = this.#held.get(owner);
    if (!keys) {
      keys = new Set();
      this.#held.set(owner, keys);
    }
    keys.add(key);
  }

  #grantNext(key: string, lock: Lock): void {
    const next = lock.queue.shift();
    if (!next) {
      if (!lock.holder) this.#locks.delete(key);
      return;
    }
    this.#settle(next);
    this.#grant(lock, next.owner, key);
    next.resolve();
    // The same owner may be waiting on this key twice (two concurrent reads of one document).
    for (const other of lock.queue.filter((w) => w.owner === next.owner)) {
      this.#dropWaiter(other);
      other.resolve();
    }
  }

  #settle(waiter: Waiter): void {
    waiter.settled = true;
    if (waiter.timer) clearTimeout(waiter.timer);
    this.#waits.get(waiter.owner)?.delete(waiter);
  }

  #dropWaiter(waiter: Waiter): void {
    this.#settle(waiter);
    const lock = this.#locks.get(waiter.key);
    if (!lock) return;
    const i = lock.queue.indexOf(waiter);
    if (i >= 0) lock.queue.splice(i, 1);
    if (!lock.holder) this.#grantNext(waiter.key, lock);
  }

  #timeOut(waiter: Waiter): void {
    if (waiter.settled) return;
    this.#expireIfIdle(this.#locks.get(waiter.key)?.holder);
    if (!waiter.settled) this.abort(waiter.owner, aborted('Transaction lock timeout.'));
  }

  /** A holder that has not sent a request for `idleTimeoutMs` and is not itself waiting has been abandoned. */
  #expireIfIdle(holder: LockOwner | undefined): void {
    if (!holder || this.#waits.get(holder)?.size) return;
    if (Date.now() - holder.lastActiveMs < this.#timeouts.idleTimeoutMs) return;
    this.abort(
      holder,
      aborted('The referenced transaction has expired or is no longer valid (idle too long).'),
    );
  }

  /** Owners `owner` waits for: the holder of each lock it waits on, and the waiters queued ahead of it. */
  #waitsFor(owner: LockOwner): Set<LockOwner> {
    const out = new Set<LockOwner>();
    for (const waiter of this.#waits.get(owner) ?? []) {
      const lock = this.#locks.get(waiter.key);
      if (!lock) continue;
      if (lock.holder && lock.holder !== owner) out.add(lock.holder);
      for (const ahead of lock.queue) {
        if (ahead === waiter) break;
        if (ahead.owner !== owner) out.add(ahead.owner);
      }
    }
    return out;
  }

  #breakDeadlock(requester: LockOwner): void {
    const cycle = this.#findCycle(requester);
    if (!cycle) return;
    const candidates = cycle.filter((o) => !o.pseudo);
    const victim =
      candidates.length === 0 ? requester : candidates.reduce((young, o) => (o.seq > young.seq ? o : young));
    this.abort(
      victim,
      aborted(
        'Transaction was aborted because of a deadlock with another transaction; retry the transaction.',
      ),
    );
  }

  /** The owners on a waits-for cycle through `start`, if there is one. */
  #findCycle(start: LockOwner): LockOwner[] | undefined {
    const visited = new Set<LockOwner>([start]);
    const path: LockOwner[] = [];
    const visit = (owner: LockOwner): boolean => {
      path.push(owner);
      for (const next of this.#waitsFor(owner)) {
        if (next === start) return true;
        if (visited.has(next)) continue;
        visited.add(next);
        if (visit(next)) return true;
      }
      path.pop();
      return false;
    };
    return visit(start) ? path : undefined;
  }
}

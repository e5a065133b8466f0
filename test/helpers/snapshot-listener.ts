/*
 * onSnapshot as a queue a test can await: `next()` resolves with the oldest
 * snapshot not yet taken, and rejects when the listener reports an error or
 * nothing arrives within the bound, so a missing snapshot fails fast instead of
 * hanging the test.
 *
 *   const docs = listenTo<QuerySnapshot>((onNext, onError) => query.onSnapshot(onNext, onError));
 *   const first = await docs.next();
 *   docs.stop();
 */

export interface SnapshotListener<S> {
  next(): Promise<S>;
  /** The error the listener reported, once it has. */
  error(): Promise<Error>;
  /** Snapshots arrived and not yet taken. */
  readonly unread: number;
  stop(): void;
}

type Subscribe<S> = (onNext: (snapshot: S) => void, onError: (e: Error) => void) => () => void;

interface Waiter<S> {
  snapshot(s: S): void;
  error(e: Error): void;
}

export function listenTo<S>(subscribe: Subscribe<S>, timeoutMs = 5_000): SnapshotListener<S> {
  const arrived: S[] = [];
  const waiters: Waiter<S>[] = [];
  let failure: Error | undefined;

  const unsubscribe = subscribe(
    (snapshot) => {
      const waiter = waiters.shift();
      if (waiter) waiter.snapshot(snapshot);
      else arrived.push(snapshot);
    },
    (e) => {
      failure = e;
      for (const w of waiters.splice(0)) w.error(e);
    },
  );

  /** Waits for the next snapshot or error, whichever `settle` takes, within the bound. */
  const wait = <T>(
    what: string,
    settle: (resolve: (v: T) => void, reject: (e: Error) => void) => Waiter<S>,
  ) =>
    new Promise<T>((resolve, reject) => {
      const waiter = settle(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.push(waiter);
    });

  return {
    next() {
      const ready = arrived.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      if (failure) return Promise.reject(failure);
      return wait<S>('snapshot', (resolve, reject) => ({ snapshot: resolve, error: reject }));
    },
    error() {
      if (failure) return Promise.resolve(failure);
      return wait<Error>('listener error', (resolve, reject) => ({
        snapshot: () => reject(new Error('expected a listener error, got a snapshot')),
        error: resolve,
      }));
    },
    get unread() {
      return arrived.length;
    },
    stop: unsubscribe,
  };
}

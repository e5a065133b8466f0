import { randomBytes } from 'node:crypto';
import type { Database, DatabaseEvent } from './store.ts';
import type { Micros } from './timestamps.ts';

/*
 * One database's commits and resets, fanned out to its Listen streams, and
 * the resume tokens those streams hand out. A token is the database's epoch
 * (random, renewed by every reset, so a token from before a reset or from
 * another emulator process is never mistaken for a point in this history)
 * followed by a read time in microseconds.
 */

const EPOCH_BYTES = 8;
const TOKEN_BYTES = EPOCH_BYTES + 8;

export class ChangeFeed {
  readonly db: Database;
  #epoch = randomBytes(EPOCH_BYTES);
  readonly #subscribers = new Set<(event: DatabaseEvent) => void>();

  constructor(db: Database) {
    this.db = db;
    db.observe((event) => {
      if (event.kind === 'clear') this.#epoch = randomBytes(EPOCH_BYTES);
      for (const subscriber of this.#subscribers) subscriber(event);
    });
  }

  subscribe(subscriber: (event: DatabaseEvent) => void): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  resumeToken(at: Micros): Buffer {
    const token = Buffer.alloc(TOKEN_BYTES);
    this.#epoch.copy(token);
    token.writeBigInt64BE(BigInt(at), EPOCH_BYTES);
    return token;
  }

  /** The read time a token stands for, or undefined when this history cannot answer from there. */
  resumeTime(token: Uint8Array): Micros | undefined {
    const bytes = Buffer.from(token);
    if (bytes.length !== TOKEN_BYTES || !bytes.subarray(0, EPOCH_BYTES).equals(this.#epoch)) return undefined;
    const at = Number(bytes.readBigInt64BE(EPOCH_BYTES));
    return this.#withinRetention(at) ? at : undefined;
  }

  /** Whether the history still holds the state at a client's read time (no reset since, within the retention). */
  covers(readTime: Micros): boolean {
    return readTime > this.db.clearedAt && this.#withinRetention(readTime);
  }

  #withinRetention(at: Micros): boolean {
    try {
      this.db.checkReadTime(at);
      return true;
    } catch {
      return false;
    }
  }
}

/** The feed of each database, created when its first Listen stream opens. */
export class ChangeFeeds {
  readonly #byDatabase = new WeakMap<Database, ChangeFeed>();

  of(db: Database): ChangeFeed {
    let feed = this.#byDatabase.get(db);
    if (!feed) {
      feed = new ChangeFeed(db);
      this.#byDatabase.set(db, feed);
    }
    return feed;
  }
}

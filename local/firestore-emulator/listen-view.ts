import type { ListenTarget } from './listen-target.ts';
import { documentChanged, documentDeleted, documentRemoved, type ListenResponse } from './listen-wire.ts';
import type { Database, StoredDoc } from './store.ts';
import type { Micros } from './timestamps.ts';

/**
 * One target on one stream, and what the client has been told it holds
 * (document name to update time). `update` turns a new result set into the
 * messages that bring the client there: a change for every document new or
 * rewritten, a delete for every document gone from the database, a remove for
 * every document that still exists but left the result set.
 */
export class TargetView {
  readonly id: number;
  readonly target: ListenTarget;
  #told: Map<string, Micros>;

  constructor(id: number, target: ListenTarget, told: readonly StoredDoc[] = []) {
    this.id = id;
    this.target = target;
    this.#told = versions(told);
  }

  get size(): number {
    return this.#told.size;
  }

  /** The documents the client holds for this target. */
  held(): Iterable<string> {
    return this.#told.keys();
  }

  update(db: Database, results: readonly StoredDoc[], readTime: Micros): ListenResponse[] {
    const next = versions(results);
    const messages: ListenResponse[] = [];
    for (const name of this.#told.keys()) {
      if (next.has(name)) continue;
      messages.push(
        db.get(name) ? documentRemoved(name, this.id, readTime) : documentDeleted(name, this.id, readTime),
      );
    }
    for (const doc of results) {
      if (this.#told.get(doc.name) !== doc.updateTime)
        messages.push(documentChanged(doc, this.id, this.target.projection));
    }
    this.#told = next;
    return messages;
  }
}

function versions(docs: readonly StoredDoc[]): Map<string, Micros> {
  return new Map(docs.map((d) => [d.name, d.updateTime]));
}

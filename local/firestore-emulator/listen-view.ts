import type { ListenTarget } from './listen-target.ts';
import { documentChanged, documentDeleted, documentRemoved, type ListenResponse } from './listen-wire.ts';
import type { CommittedChange, Database, StoredDoc } from './store.ts';
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

  /**
   * The messages for one commit, from its changed documents alone; only for a target that
   * `admits` documents one by one. Each document is judged as the commit left it.
   */
  applyCommit(
    changes: readonly CommittedChange[],
    admits: (doc: StoredDoc) => boolean,
    readTime: Micros,
  ): ListenResponse[] {
    // Departures first, then arrivals and rewrites, as `update` sends them.
    const departed: ListenResponse[] = [];
    const changed: ListenResponse[] = [];
    const after = new Map(changes.map((c) => [c.name, c.after]));
    for (const [name, doc] of after) {
      if (doc && admits(doc)) {
        if (this.#told.get(name) === doc.updateTime) continue;
        this.#told.set(name, doc.updateTime);
        changed.push(documentChanged(doc, this.id, this.target.projection));
      } else if (this.#told.delete(name)) {
        departed.push(
          doc ? documentRemoved(name, this.id, readTime) : documentDeleted(name, this.id, readTime),
        );
      }
    }
    return [...departed, ...changed];
  }
}

function versions(docs: readonly StoredDoc[]): Map<string, Micros> {
  return new Map(docs.map((d) => [d.name, d.updateTime]));
}

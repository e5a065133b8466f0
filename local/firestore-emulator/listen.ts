import { Metadata, type ServerDuplexStream, status } from '@grpc/grpc-js';
import { invalidArgument, RpcError } from '../common/grpc-errors.ts';
import { type ChangeFeed, ChangeFeeds } from './change-feed.ts';
import { type ListenTarget, parseTarget } from './listen-target.ts';
import { TargetView } from './listen-view.ts';
import {
  existenceFilter,
  type ListenRequest,
  type ListenResponse,
  targetChange,
  type WireTarget,
} from './listen-wire.ts';
import { parseDatabaseName } from './names.ts';
import type { DatabaseEvent, Store } from './store.ts';
import { type Micros, protoToMicros } from './timestamps.ts';

/*
 * The Listen RPC (onSnapshot), as Firestore's watch protocol runs it:
 *
 *   add_target   ADD, the target's documents (document_change), CURRENT,
 *                then a global NO_CHANGE with read_time and a resume token:
 *                the client shows a snapshot only on that last message;
 *   each commit  for every target it alters, document_change / _delete /
 *                _remove, then one global NO_CHANGE at the commit time, so
 *                a batch or a transaction is one snapshot;
 *   remove_target, or the client half-closing: REMOVE, or the stream ends.
 *
 * A resume token (or read_time) this history still covers resumes exactly:
 * only the differences since, then an ExistenceFilter with the count the
 * client should now hold. Any other token (from before a reset, older than the
 * retention, from another process) answers RESET and the full result set. An
 * invalid target answers REMOVE with the cause, which the client reports to
 * the listener's error callback. Commits notify synchronously (store.ts), so
 * every message a stream sends is consistent as of its read time.
 */

type ResumePoint = { kind: 'fresh' } | { kind: 'reset' } | { kind: 'since'; at: Micros };

export function listenHandler(
  store: Store,
): (call: ServerDuplexStream<ListenRequest, ListenResponse>) => void {
  const feeds = new ChangeFeeds();
  return (call) => {
    // Headers first, as for every stream this emulator serves (see serverStream in service.ts).
    call.sendMetadata(new Metadata());
    new ListenStream(call, store, feeds);
  };
}

class ListenStream {
  readonly #call: ServerDuplexStream<ListenRequest, ListenResponse>;
  readonly #store: Store;
  readonly #feeds: ChangeFeeds;
  readonly #views = new Map<number, TargetView>();
  #feed: ChangeFeed | undefined;
  #unsubscribe: (() => void) | undefined;
  /** Set by the first add_target: whether the server picks target ids (target_id 0). */
  #serverAssignsIds: boolean | undefined;
  #nextAssignedId = 1;
  #closed = false;

  constructor(call: ServerDuplexStream<ListenRequest, ListenResponse>, store: Store, feeds: ChangeFeeds) {
    this.#call = call;
    this.#store = store;
    this.#feeds = feeds;
    call.on('data', (req: ListenRequest) => this.#onRequest(req));
    call.on('end', () => {
      // The client half-closed (the Node client's unsubscribe): end our side too.
      this.#close();
      call.end();
    });
    call.on('cancelled', () => this.#close());
  }

  #onRequest(req: ListenRequest): void {
    if (this.#closed) return;
    try {
      if (req.targetChange === 'addTarget') this.#add(req.database, req.addTarget ?? {});
      else if (req.targetChange === 'removeTarget') this.#remove(req.removeTarget ?? 0);
      else throw invalidArgument('A ListenRequest needs add_target or remove_target.');
    } catch (e) {
      const cause = causeOf(e);
      this.#close();
      this.#call.emit('error', { code: cause.code, details: cause.message });
    }
  }

  #add(database: string | undefined, w: WireTarget): void {
    const requested = w.targetId ?? 0;
    if (requested !== 0 && this.#views.has(requested)) {
      throw invalidArgument(`Target id ${requested} is already active on this stream.`);
    }
    const id = requested === 0 ? this.#assignId() : requested;
    try {
      this.#checkIdMode(requested);
      const feed = this.#bind(database);
      const target = parseTarget(w, feed.db.name);
      this.#start(id, target, resumePoint(w, feed), Boolean(w.once));
    } catch (e) {
      this.#send(targetChange('REMOVE', [id], { cause: causeOf(e) }));
    }
  }

  #assignId(): number {
    while (this.#views.has(this.#nextAssignedId)) this.#nextAssignedId++;
    return this.#nextAssignedId++;
  }

  #checkIdMode(requested: number): void {
    if (requested < 0) throw invalidArgument(`target_id must be positive, got ${requested}.`);
    if (requested !== 0 && this.#serverAssignsIds) {
      throw invalidArgument('Once a target with target_id 0 was added, every later target must use 0 too.');
    }
    this.#serverAssignsIds ??= requested === 0;
  }

  /** The stream serves the database of its first target. */
  #bind(database: string | undefined): ChangeFeed {
    const db = this.#store.database(parseDatabaseName(database));
    if (this.#feed) {
      if (this.#feed.db !== db) {
        throw invalidArgument(`This stream listens to "${this.#feed.db.name}", not "${db.name}".`);
      }
      return this.#feed;
    }
    this.#feed = this.#feeds.of(db);
    this.#unsubscribe = this.#feed.subscribe((event) => this.#onDatabaseEvent(event));
    return this.#feed;
  }

  #start(id: number, target: ListenTarget, resume: ResumePoint, once: boolean): void {
    const feed = this.#feed!;
    const db = feed.db;
    const readTime = db.readTime();
    const results = target.results(db);
    this.#send(targetChange('ADD', [id]));
    if (resume.kind === 'since') {
      const view = new TargetView(id, target, target.results(db, resume.at));
      this.#sendAll(view.update(db, results, readTime));
      // The count the client must now hold: a mismatch makes it drop its state and listen afresh.
      this.#send(existenceFilter(id, view.size));
      this.#views.set(id, view);
    } else {
      if (resume.kind === 'reset') this.#send(targetChange('RESET', [id]));
      const view = new TargetView(id, target);
      this.#sendAll(view.update(db, results, readTime));
      this.#views.set(id, view);
    }
    const resumeToken = feed.resumeToken(readTime);
    this.#send(targetChange('CURRENT', [id], { resumeToken }));
    this.#send(targetChange('NO_CHANGE', [], { readTime, resumeToken }));
    if (once) this.#remove(id);
  }

  #remove(id: number): void {
    if (this.#views.delete(id)) this.#send(targetChange('REMOVE', [id]));
    else {
      const cause = { code: status.INVALID_ARGUMENT, message: `No target with id ${id} on this stream.` };
      this.#send(targetChange('REMOVE', [id], { cause }));
    }
  }

  #onDatabaseEvent(event: DatabaseEvent): void {
    if (this.#closed || this.#views.size === 0) return;
    const feed = this.#feed!;
    const db = feed.db;
    // A reset has no commit time: it is seen at the first read time after it.
    const readTime = event.kind === 'commit' ? event.time : db.readTime();
    const messages: ListenResponse[] = [];
    for (const view of this.#views.values()) {
      if (event.kind === 'commit' && !event.changes.some((c) => view.target.touchedBy(c))) continue;
      const { admits } = view.target;
      if (event.kind === 'commit' && admits) {
        messages.push(...view.applyCommit(event.changes, admits, readTime));
      } else messages.push(...view.update(db, view.target.results(db), readTime));
    }
    if (messages.length === 0) return;
    this.#sendAll(messages);
    this.#send(targetChange('NO_CHANGE', [], { readTime, resumeToken: feed.resumeToken(readTime) }));
  }

  #send(message: ListenResponse): void {
    if (!this.#closed) this.#call.write(message);
  }

  #sendAll(messages: readonly ListenResponse[]): void {
    for (const m of messages) this.#send(m);
  }

  #close(): void {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#views.clear();
  }
}

function resumePoint(w: WireTarget, feed: ChangeFeed): ResumePoint {
  if (w.resumeType === 'resumeToken' && w.resumeToken?.length) {
    const at = feed.resumeTime(w.resumeToken);
    return at === undefined ? { kind: 'reset' } : { kind: 'since', at };
  }
  if (w.resumeType === 'readTime' && w.readTime) {
    const at = protoToMicros(w.readTime, 'add_target.read_time');
    if (at > feed.db.readTime()) throw invalidArgument('add_target.read_time cannot be in the future.');
    return feed.covers(at) ? { kind: 'since', at } : { kind: 'reset' };
  }
  return { kind: 'fresh' };
}

function causeOf(e: unknown): { code: number; message: string } {
  if (e instanceof RpcError) return { code: e.code, message: e.message };
  // A bug in the emulator: say so loudly rather than let the client retry it silently.
  console.error('[firestore-emulator] internal error in Listen:', e);
  return {
    code: status.INTERNAL,
    message: `Firestore emulator internal error: ${(e as Error)?.message ?? e}`,
  };
}

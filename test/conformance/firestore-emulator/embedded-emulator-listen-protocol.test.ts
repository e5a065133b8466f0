import {
  type Client,
  type ClientDuplexStream,
  credentials,
  makeGenericClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { type FirestoreEmulator, startFirestoreEmulator } from '../../../local/firestore-emulator/index.ts';
import { firestoreServiceDefinition } from '../../../local/firestore-emulator/protos.ts';

/*
 * The Listen protocol on the wire, through a raw gRPC client: what the Node
 * client does not exercise (several targets on one stream, remove_target,
 * server-assigned ids, read_time, once) and what it cannot show (a resume
 * sends only the differences). Embedded only: resume tokens and the exact
 * message sequence are this emulator's choices.
 */

const DB = 'projects/raw-listen/databases/(default)';
const DOCS = `${DB}/documents`;

type Callable = Record<string, (...args: unknown[]) => unknown>;
type Message = Record<string, Record<string, unknown> | undefined>;
let emulator: FirestoreEmulator;
let client: Client & Callable;
// Time moves only when a test says so: past the hour of version retention, for one.
const clock = new ManualClock();

/** One message as a line: `ADD [1]`, `change c/a [1]`, `delete c/b -[2]`, `NO_CHANGE [] read token`... */
function describeMessage(m: Message): string {
  const ids = (v: unknown) => `[${((v as number[] | undefined) ?? []).join(',')}]`;
  const rel = (name: unknown) => String(name).slice(DOCS.length + 1);
  if (m.targetChange) {
    const t = m.targetChange;
    const cause = t.cause ? ` cause ${(t.cause as { code?: number }).code ?? 0}` : '';
    const read = t.readTime ? ' read' : '';
    const token = (t.resumeToken as Buffer | undefined)?.length ? ' token' : '';
    // proto3 omits the zero enum value: an absent type is NO_CHANGE.
    return `${t.targetChangeType ?? 'NO_CHANGE'} ${ids(t.targetIds)}${cause}${read}${token}`;
  }
  if (m.documentChange) {
    const c = m.documentChange;
    const removed = (c.removedTargetIds as number[] | undefined)?.length
      ? ` -${ids(c.removedTargetIds)}`
      : '';
    return `change ${rel((c.document as { name: string }).name)} ${ids(c.targetIds)}${removed}`;
  }
  if (m.documentDelete)
    return `delete ${rel(m.documentDelete.document)} -${ids(m.documentDelete.removedTargetIds)}`;
  if (m.documentRemove)
    return `remove ${rel(m.documentRemove.document)} -${ids(m.documentRemove.removedTargetIds)}`;
  if (m.filter) return `filter ${m.filter.targetId ?? 0} count ${m.filter.count ?? 0}`;
  return `unknown ${JSON.stringify(m)}`;
}

/** A global NO_CHANGE with a read time: the stream is consistent, the client shows a snapshot. */
const isSnapshotEnd = (m: Message) => describeMessage(m).startsWith('NO_CHANGE [] read');

/** A Listen stream whose messages a test takes in order, each wait bounded. */
class RawListen {
  readonly #call: ClientDuplexStream<object, Message>;
  readonly #arrived: Message[] = [];
  #wake: (() => void) | undefined;
  #error: ServiceError | undefined;
  #ended = false;

  constructor() {
    this.#call = (client.listen as () => ClientDuplexStream<object, Message>)();
    this.#call.on('data', (m: Message) => {
      this.#arrived.push(m);
      this.#wake?.();
    });
    this.#call.on('error', (e: ServiceError) => {
      this.#error = e;
      this.#wake?.();
    });
    this.#call.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  add(target: object): this {
    this.#call.write({ database: DB, addTarget: target });
    return this;
  }

  remove(targetId: number): this {
    this.#call.write({ database: DB, removeTarget: targetId });
    return this;
  }

  /** Messages up to and including the first that `last` accepts (default: the end of a snapshot). */
  async take(last: (m: Message) => boolean = isSnapshotEnd): Promise<Message[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const i = this.#arrived.findIndex(last);
      if (i >= 0) return this.#arrived.splice(0, i + 1);
      if (this.#error) throw this.#error;
      if (this.#ended) throw new Error('the stream ended');
      await this.#until(deadline);
    }
  }

  async lines(last?: (m: Message) => boolean): Promise<string[]> {
    return (await this.take(last)).map(describeMessage);
  }

  /** The stream's final status error. */
  async failure(): Promise<ServiceError> {
    const deadline = Date.now() + 5_000;
    while (!this.#error) await this.#until(deadline);
    return this.#error;
  }

  /** Half-closes and waits for the server to end its side. */
  async close(): Promise<void> {
    this.#call.end();
    const deadline = Date.now() + 5_000;
    while (!this.#ended && !this.#error) await this.#until(deadline);
  }

  #until(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no Listen message in time')), deadline - Date.now());
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }
}

const unary = (method: string, request: object) =>
  new Promise<Record<string, unknown>>((resolve, reject) => {
    client[method]!(request, (err: ServiceError | null, res: Record<string, unknown>) =>
      err ? reject(err) : resolve(res),
    );
  });

/** Commits writes (`{ 'c/a': { n: 1 } }`, `null` deletes) and returns the commit time. */
async function commit(writes: Record<string, Record<string, number> | null>): Promise<object> {
  const wire = Object.entries(writes).map(([path, fields]) =>
    fields === null
      ? { delete: `${DOCS}/${path}` }
      : {
          update: {
            name: `${DOCS}/${path}`,
            fields: Object.fromEntries(
              Object.entries(fields).map(([k, v]) => [k, { integerValue: String(v) }]),
            ),
          },
        },
  );
  const res = await unary('commit', { database: DB, writes: wire });
  return res.commitTime as object;
}

const documents = (targetId: number, ...paths: string[]) => ({
  targetId,
  documents: { documents: paths.map((p) => `${DOCS}/${p}`) },
});
const nAtLeast = (targetId: number, n: number) => ({
  targetId,
  query: {
    parent: DOCS,
    structuredQuery: {
      from: [{ collectionId: 'c' }],
      where: {
        fieldFilter: {
          field: { fieldPath: 'n' },
          op: 'GREATER_THAN_OR_EQUAL',
          value: { integerValue: String(n) },
        },
      },
    },
  },
});

describe.skipIf(Boolean(process.env.FIRESTORE_EMULATOR_HOST))('the Listen protocol', () => {
  beforeAll(async () => {
    emulator = await startFirestoreEmulator({ clock });
    const Ctor = makeGenericClientConstructor(firestoreServiceDefinition(), 'Firestore');
    client = new Ctor(emulator.host, credentials.createInsecure()) as Client & Callable;
  });

  afterAll(async () => {
    client?.close();
    await emulator?.stop();
  });

  beforeEach(async () => {
    emulator.reset('raw-listen');
    await commit({ 'c/a': { n: 1 }, 'c/b': { n: 2 }, 'c/c': { n: 3 } });
  });

  it('several targets share a stream; each commit is one snapshot at its commit time', async () => {
    const stream = new RawListen().add(documents(1, 'c/a'));
    try {
      expect(await stream.lines()).toEqual([
        'ADD [1]',
        'change c/a [1]',
        'CURRENT [1] token',
        'NO_CHANGE [] read token',
      ]);
      stream.add(nAtLeast(2, 2));
      expect(await stream.lines()).toEqual([
        'ADD [2]',
        'change c/b [2]',
        'change c/c [2]',
        'CURRENT [2] token',
        'NO_CHANGE [] read token',
      ]);

      const commitTime = await commit({ 'c/a': { n: 5 }, 'c/b': { n: 0 } });
      const messages = await stream.take();
      expect(messages.map(describeMessage)).toEqual([
        'change c/a [1]',
        'remove c/b -[2]',
        'change c/a [2]',
        'NO_CHANGE [] read token',
      ]);
      expect(messages.at(-1)!.targetChange!.readTime).toEqual(commitTime);
    } finally {
      await stream.close();
    }
  });

  it('remove_target answers REMOVE and stops that target’s changes', async () => {
    const stream = new RawListen().add(documents(1, 'c/a')).add(nAtLeast(2, 3));
    try {
      await stream.take();
      await stream.take();
      stream.remove(2);
      expect(await stream.lines((m) => Boolean(m.targetChange))).toEqual(['REMOVE [2]']);
      await commit({ 'c/c': { n: 9 } });
      await commit({ 'c/a': null });
      // Nothing came for the removed target's document before the next change of target 1.
      expect(await stream.lines()).toEqual(['delete c/a -[1]', 'NO_CHANGE [] read token']);
      stream.remove(7);
      expect(await stream.lines((m) => Boolean(m.targetChange))).toEqual(['REMOVE [7] cause 3']);
    } finally {
      await stream.close();
    }
  });

  it('target_id 0 lets the server pick the id; a later explicit id is refused', async () => {
    const stream = new RawListen().add(documents(0, 'c/a'));
    try {
      expect((await stream.lines())[0]).toBe('ADD [1]');
      stream.add(documents(0, 'c/b'));
      expect((await stream.lines())[0]).toBe('ADD [2]');
      stream.add(documents(5, 'c/c'));
      expect(await stream.lines((m) => Boolean(m.targetChange))).toEqual(['REMOVE [5] cause 3']);
    } finally {
      await stream.close();
    }
  });

  it('a resume token resumes with only the differences, then the count to check', async () => {
    const first = new RawListen().add(nAtLeast(1, 2));
    const initial = await first.take();
    const token = initial.at(-1)!.targetChange!.resumeToken;
    await first.close();

    await commit({ 'c/b': null, 'c/a': { n: 4 }, 'c/d': { n: 2 } });
    const resumed = new RawListen().add({ ...nAtLeast(1, 2), resumeToken: token });
    try {
      expect(await resumed.lines()).toEqual([
        'ADD [1]',
        'delete c/b -[1]',
        // In query order: the inequality orders by n (d 2, c 3, a 4); c did not change.
        'change c/d [1]',
        'change c/a [1]',
        'filter 1 count 3',
        'CURRENT [1] token',
        'NO_CHANGE [] read token',
      ]);
    } finally {
      await resumed.close();
    }
  });

  it('read_time resumes like a token; a future read_time is refused', async () => {
    const first = new RawListen().add(documents(1, 'c/a', 'c/b'));
    const readTime = (await first.take()).at(-1)!.targetChange!.readTime;
    await first.close();

    await commit({ 'c/b': { n: 7 } });
    const resumed = new RawListen().add({ ...documents(1, 'c/a', 'c/b'), readTime });
    try {
      expect(await resumed.lines()).toEqual([
        'ADD [1]',
        'change c/b [1]',
        'filter 1 count 2',
        'CURRENT [1] token',
        'NO_CHANGE [] read token',
      ]);
      resumed.add({ ...documents(2, 'c/a'), readTime: { seconds: 253402300000 } });
      expect(await resumed.lines((m) => Boolean(m.targetChange))).toEqual(['REMOVE [2] cause 3']);
    } finally {
      await resumed.close();
    }
  });

  it('a token this history cannot answer from (a reset since, or garbage) answers RESET and everything', async () => {
    const first = new RawListen().add(nAtLeast(1, 3));
    const token = (await first.take()).at(-1)!.targetChange!.resumeToken;
    await first.close();

    emulator.reset('raw-listen');
    await commit({ 'c/c': { n: 3 } });
    for (const resumeToken of [token, Buffer.from('not a token')]) {
      const resumed = new RawListen().add({ ...nAtLeast(1, 3), resumeToken });
      try {
        expect(await resumed.lines()).toEqual([
          'ADD [1]',
          'RESET [1]',
          'change c/c [1]',
          'CURRENT [1] token',
          'NO_CHANGE [] read token',
        ]);
      } finally {
        await resumed.close();
      }
    }
  });

  it('a token older than the hour of version retention answers RESET', async () => {
    const first = new RawListen().add(documents(1, 'c/a', 'c/b'));
    const token = (await first.take()).at(-1)!.targetChange!.resumeToken;
    await first.close();

    await clock.advance(61 * 60 * 1000);
    await commit({ 'c/b': null });
    const resumed = new RawListen().add({ ...documents(1, 'c/a', 'c/b'), resumeToken: token });
    try {
      expect(await resumed.lines()).toEqual([
        'ADD [1]',
        'RESET [1]',
        'change c/a [1]',
        'CURRENT [1] token',
        'NO_CHANGE [] read token',
      ]);
    } finally {
      await resumed.close();
    }
  });

  it('a reset deletes every document of every target, in one snapshot', async () => {
    const stream = new RawListen().add(documents(1, 'c/a')).add(nAtLeast(2, 2));
    try {
      await stream.take();
      await stream.take();
      emulator.reset('raw-listen');
      expect(await stream.lines()).toEqual([
        'delete c/a -[1]',
        'delete c/b -[2]',
        'delete c/c -[2]',
        'NO_CHANGE [] read token',
      ]);
    } finally {
      await stream.close();
    }
  });

  it('an invalid target answers REMOVE with the cause, and the stream stays usable', async () => {
    const stream = new RawListen().add({ targetId: 1, query: { parent: `${DOCS}/c`, structuredQuery: {} } });
    try {
      expect(await stream.lines((m) => Boolean(m.targetChange))).toEqual(['REMOVE [1] cause 3']);
      stream.add({
        targetId: 2,
        documents: { documents: ['projects/elsewhere/databases/(default)/documents/c/a'] },
      });
      expect(await stream.lines((m) => Boolean(m.targetChange))).toEqual(['REMOVE [2] cause 3']);
      stream.add(documents(3, 'c/a'));
      expect((await stream.lines())[0]).toBe('ADD [3]');
    } finally {
      await stream.close();
    }
  });

  it('once: the target is removed as soon as it is current', async () => {
    const stream = new RawListen().add({ ...documents(1, 'c/a'), once: true });
    try {
      expect(await stream.lines((m) => m.targetChange?.targetChangeType === 'REMOVE')).toEqual([
        'ADD [1]',
        'change c/a [1]',
        'CURRENT [1] token',
        'NO_CHANGE [] read token',
        'REMOVE [1]',
      ]);
    } finally {
      await stream.close();
    }
  });

  it('a target id already active fails the stream with INVALID_ARGUMENT', async () => {
    const stream = new RawListen().add(documents(1, 'c/a'));
    await stream.take();
    stream.add(documents(1, 'c/b'));
    expect(await stream.failure()).toMatchObject({ code: 3 });
  });

  it('when the client half-closes, the server ends the stream', async () => {
    const stream = new RawListen().add(documents(1, 'c/a'));
    await stream.take();
    await stream.close();
  });
});

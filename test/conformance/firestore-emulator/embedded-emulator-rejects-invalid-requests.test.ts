import { type Client, credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FirestoreEmulator, startFirestoreEmulator } from '../../../local/firestore-emulator/index.ts';
import { firestoreServiceDefinition } from '../../../local/firestore-emulator/protos.ts';

/*
 * The emulator's own API validation, through a raw gRPC client (the Node
 * client validates most of these before sending). Embedded only: Google's
 * emulator words its errors differently.
 */

const DB = 'projects/raw/databases/(default)';
const DOCS = `${DB}/documents`;

type Callable = Record<string, (...args: unknown[]) => unknown>;
let emulator: FirestoreEmulator;
let client: Client & Callable;

const unary = (method: string, request: object) =>
  new Promise<Record<string, unknown>>((resolve, reject) => {
    client[method]!(request, (err: ServiceError | null, res: Record<string, unknown>) =>
      err ? reject(err) : resolve(res),
    );
  });

const stream = (method: string, request: object) =>
  new Promise<Record<string, unknown>[]>((resolve, reject) => {
    const out: Record<string, unknown>[] = [];
    const call = client[method]!(request) as NodeJS.EventEmitter;
    call.on('data', (d: Record<string, unknown>) => out.push(d));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });

const query = (structuredQuery: object) => stream('runQuery', { parent: DOCS, structuredQuery });

describe.skipIf(Boolean(process.env.FIRESTORE_EMULATOR_HOST))('embedded emulator request validation', () => {
  beforeAll(async () => {
    emulator = await startFirestoreEmulator();
    const Ctor = makeGenericClientConstructor(firestoreServiceDefinition(), 'Firestore');
    client = new Ctor(emulator.host, credentials.createInsecure()) as Client & Callable;
    await unary('commit', {
      database: DB,
      writes: [{ update: { name: `${DOCS}/c/d`, fields: { n: { integerValue: '1' } } } }],
    });
  });

  afterAll(async () => {
    client?.close();
    await emulator?.stop();
  });

  it('GetDocument returns the document, or NOT_FOUND', async () => {
    const doc = await unary('getDocument', { name: `${DOCS}/c/d` });
    expect(doc).toMatchObject({ name: `${DOCS}/c/d`, fields: { n: { integerValue: '1' } } });
    await expect(unary('getDocument', { name: `${DOCS}/c/missing` })).rejects.toMatchObject({ code: 5 });
  });

  it('rejects malformed names with INVALID_ARGUMENT', async () => {
    await expect(unary('getDocument', { name: `${DOCS}/c` })).rejects.toMatchObject({ code: 3 });
    await expect(unary('commit', { database: 'projects/raw', writes: [] })).rejects.toMatchObject({
      code: 3,
    });
    await expect(
      unary('commit', {
        database: DB,
        writes: [{ update: { name: 'projects/other/databases/(default)/documents/c/d' } }],
      }),
    ).rejects.toMatchObject({ code: 3, details: expect.stringMatching(/not in the request's database/) });
  });

  it('rejects query shapes it cannot run, never ignoring them', async () => {
    await expect(query({ from: [{ collectionId: 'a' }, { collectionId: 'b' }] })).rejects.toMatchObject({
      code: 3,
    });
    await expect(query({ from: [{}] })).rejects.toMatchObject({ code: 3 });
    const badPath = { from: [{ collectionId: 'c' }], orderBy: [{ field: { fieldPath: 'a..b' } }] };
    await expect(query(badPath)).rejects.toMatchObject({ code: 3 });
    const inNotArray = {
      from: [{ collectionId: 'c' }],
      where: { fieldFilter: { field: { fieldPath: 'n' }, op: 'IN', value: { integerValue: '1' } } },
    };
    await expect(query(inNotArray)).rejects.toMatchObject({ code: 3 });
    const nameNotRef = {
      from: [{ collectionId: 'c' }],
      where: { fieldFilter: { field: { fieldPath: '__name__' }, op: 'EQUAL', value: { stringValue: 'd' } } },
    };
    await expect(query(nameNotRef)).rejects.toMatchObject({ code: 3 });
    const tooManyCursorValues = {
      from: [{ collectionId: 'c' }],
      startAt: { values: [{ integerValue: '1' }, { referenceValue: `${DOCS}/c/d` }, { integerValue: '3' }] },
    };
    await expect(query(tooManyCursorValues)).rejects.toMatchObject({ code: 3 });
    const rangeOnNull = {
      from: [{ collectionId: 'c' }],
      where: {
        fieldFilter: { field: { fieldPath: 'n' }, op: 'LESS_THAN', value: { nullValue: 'NULL_VALUE' } },
      },
    };
    await expect(query(rangeOnNull)).rejects.toMatchObject({ code: 3 });
  });

  it('answers a query with no results with one response carrying the read time', async () => {
    const responses = await query({ from: [{ collectionId: 'none' }] });
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ readTime: expect.anything() });
    expect(responses[0]!.document).toBeUndefined();
  });

  it('rejects nested arrays in documents and writes to the same document twice in a BatchWrite', async () => {
    const nested = { arrayValue: { values: [{ arrayValue: { values: [] } }] } };
    await expect(
      unary('commit', { database: DB, writes: [{ update: { name: `${DOCS}/c/x`, fields: { a: nested } } }] }),
    ).rejects.toMatchObject({ code: 3 });
    const write = { update: { name: `${DOCS}/c/y`, fields: {} } };
    await expect(unary('batchWrite', { database: DB, writes: [write, write] })).rejects.toMatchObject({
      code: 3,
    });
  });

  it('a transaction cannot be used after commit or rollback; writes in a read-only one fail', async () => {
    const { transaction } = (await unary('beginTransaction', { database: DB })) as { transaction: Buffer };
    await unary('rollback', { database: DB, transaction });
    await expect(unary('commit', { database: DB, transaction, writes: [] })).rejects.toMatchObject({
      code: 3,
      details: expect.stringMatching(/transaction has expired/),
    });
    await expect(
      unary('commit', { database: DB, transaction: Buffer.from('nope'), writes: [] }),
    ).rejects.toMatchObject({
      code: 3,
    });
    const ro = (await unary('beginTransaction', { database: DB, options: { readOnly: {} } })) as {
      transaction: Buffer;
    };
    await expect(
      unary('commit', { database: DB, transaction: ro.transaction, writes: [{ delete: `${DOCS}/c/d` }] }),
    ).rejects.toMatchObject({ code: 3 });
  });

  it('returns BatchWrite results per write: one failure does not stop the others', async () => {
    const res = (await unary('batchWrite', {
      database: DB,
      writes: [
        { update: { name: `${DOCS}/c/d`, fields: {} }, currentDocument: { exists: false } },
        { update: { name: `${DOCS}/c/new`, fields: {} } },
      ],
    })) as { status: Array<{ code?: number }>; writeResults: Array<{ updateTime?: unknown }> };
    expect(res.status.map((s) => s.code ?? 0)).toEqual([6, 0]);
    expect(res.writeResults[1]!.updateTime).toBeDefined();
  });

  it('rejects read times in the future', async () => {
    const future = { seconds: String(Math.floor(Date.now() / 1000) + 3600), nanos: 0 };
    await expect(
      stream('batchGetDocuments', { database: DB, documents: [`${DOCS}/c/d`], readTime: future }),
    ).rejects.toMatchObject({
      code: 3,
    });
  });
});

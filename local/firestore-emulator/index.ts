import { createServer } from 'node:http';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { type Clock, SystemClock } from '../common/clock.ts';
import { aborted } from '../common/grpc-errors.ts';
import { CallCounter } from './call-counter.ts';
import { httpEndpoints } from './http-endpoints.ts';
import { type CallHook, Interception } from './interception.ts';
import { parseDatabaseName } from './names.ts';
import { listenShared } from './port-sharing.ts';
import { firestoreServiceDefinition } from './protos.ts';
import { firestoreService } from './service.ts';
import { type Database, Store } from './store.ts';
import { Transactions } from './transactions.ts';

export type { ArrivingCall, CallHook } from './interception.ts';

/*
 * An in-memory Firestore emulator for tests and the local stack: the real
 * @google-cloud/firestore client talks to it over gRPC
 * (`new Firestore({ host: '127.0.0.1', port, ssl: false, projectId })` or
 * FIRESTORE_EMULATOR_HOST). See docs/firestore-emulator.md.
 */

export interface FirestoreEmulatorOptions {
  /** 0 (default): a free port. */
  port?: number;
  /** A loopback address only: 127.0.0.1 (default), localhost or ::1. */
  host?: string;
  /** Source of commit, update and read times (default: wall clock). */
  clock?: Clock;
  /** How long a transaction waits for a document lock before ABORTED (default 20 s). */
  lockTimeoutMs?: number;
  /** How long a transaction holding locks may stay silent before waiters may expire it (default 60 s). */
  transactionIdleTimeoutMs?: number;
}

export interface FirestoreEmulator {
  /** `127.0.0.1:PORT`, as FIRESTORE_EMULATOR_HOST expects it. */
  readonly host: string;
  readonly port: number;
  /** Clears every database of `projectId`, or of every project. Open transactions are aborted. */
  reset(projectId?: string): void;
  /** RPCs received so far by method name (`Commit`, ...), for `projectId` or all projects. For tests. */
  calls(projectId?: string): Record<string, number>;
  /** Zeroes the call counts of `projectId`, or of every project. */
  resetCalls(projectId?: string): void;
  /** Calls `hook` as each RPC arrives, before it is handled (`null`: none). For chaos runs. */
  onCall(hook: CallHook | null): void;
  /** Holds every RPC arriving in the next `ms` of real time, a stalled database. For chaos runs. */
  stall(ms: number): void;
  stop(): Promise<void>;
}

const LOOPBACK: Record<string, string> = { '127.0.0.1': '127.0.0.1', localhost: '127.0.0.1', '::1': '::1' };

export async function startFirestoreEmulator(
  options: FirestoreEmulatorOptions = {},
): Promise<FirestoreEmulator> {
  const bindHost = LOOPBACK[options.host ?? '127.0.0.1'];
  if (!bindHost) {
    throw new Error(
      `The Firestore emulator only binds loopback addresses (127.0.0.1, localhost, ::1), not "${options.host}".`,
    );
  }
  const store = new Store(options.clock ?? new SystemClock(), {
    lockTimeoutMs: options.lockTimeoutMs ?? 20_000,
    idleTimeoutMs: options.transactionIdleTimeoutMs ?? 60_000,
  });
  const transactions = new Transactions();
  const clear = (db: Database) => {
    transactions.abortAll(db);
    db.clear();
  };

  const counter = new CallCounter();
  const interception = new Interception();
  const grpcServer = new Server();
  grpcServer.addService(
    firestoreServiceDefinition(),
    counter.wrap(interception.wrap(firestoreService(store, transactions))),
  );
  const http = createServer(
    httpEndpoints((projectId, databaseId) =>
      clear(store.database(parseDatabaseName(`projects/${projectId}/databases/${databaseId}`))),
    ),
  );
  const shared = await listenShared({
    host: bindHost,
    port: options.port ?? 0,
    grpc: grpcServer.createConnectionInjector(ServerCredentials.createInsecure()),
    http,
  });

  let stopped: Promise<void> | undefined;
  return {
    host: bindHost.includes(':') ? `[${bindHost}]:${shared.port}` : `${bindHost}:${shared.port}`,
    port: shared.port,
    reset(projectId?: string) {
      for (const db of store.databases(projectId)) clear(db);
    },
    calls: (projectId) => counter.calls(projectId),
    resetCalls: (projectId) => counter.reset(projectId),
    onCall: (hook) => interception.onCall(hook),
    stall: (ms) => interception.stall(ms),
    stop() {
      stopped ??= (async () => {
        interception.releaseAll();
        for (const db of store.databases()) db.locks.abortAll(aborted('The emulator is shutting down.'));
        grpcServer.forceShutdown();
        await shared.close();
      })();
      return stopped;
    },
  };
}

import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type FirestoreEmulator, startFirestoreEmulator } from '../../local/firestore-emulator/index.ts';

/*
 * Firestore for integration tests. With FIRESTORE_EMULATOR_HOST set, tests run
 * against that emulator (Google's official one, say); otherwise against the
 * embedded emulator, started for the test file and stopped after it. Each
 * file gets its own project id, so files running in parallel never see each
 * other's documents, and `reset()` clears only that project, through the
 * HTTP endpoint both emulators serve.
 *
 *   const fs = useFirestoreEmulator();
 *   it('...', async () => { await fs.db.doc('a/b').set({ x: 1 }); });
 */

export interface FirestoreTestContext {
  /** A client for this file's project. */
  readonly db: Firestore;
  /** `HOST:PORT` of the emulator in use. */
  readonly host: string;
  readonly projectId: string;
  /** True when running against an external emulator (FIRESTORE_EMULATOR_HOST). */
  readonly external: boolean;
  /** Another client (this file's project unless given), with its own connections, closed after the file. */
  newClient(projectId?: string): Firestore;
  /** Deletes every document of this project's (or `projectId`'s) default database. */
  reset(projectId?: string): Promise<void>;
}

export interface UseFirestoreOptions {
  /** Default: `test-` and 8 random hex digits. */
  projectId?: string;
  /** Reset before each test (default true). */
  resetBeforeEach?: boolean;
}

export function useFirestoreEmulator(options: UseFirestoreOptions = {}): FirestoreTestContext {
  const projectId = options.projectId ?? `test-${randomUUID().slice(0, 8)}`;
  const externalHost = process.env.FIRESTORE_EMULATOR_HOST;
  let emulator: FirestoreEmulator | undefined;
  let host: string | undefined;
  let db: Firestore | undefined;
  const clients: Firestore[] = [];

  const newClient = (clientProjectId = projectId): Firestore => {
    if (!host)
      throw new Error('useFirestoreEmulator: the emulator is not started yet (use it inside tests/hooks).');
    // Same client settings as the product's (shared/store/firestore-client.ts).
    const client = new Firestore({
      projectId: clientProjectId,
      host,
      ssl: false,
      preferRest: false,
      ignoreUndefinedProperties: true,
    });
    clients.push(client);
    return client;
  };

  const reset = async (resetProjectId = projectId): Promise<void> => {
    const url = `http://${host}/emulator/v1/projects/${resetProjectId}/databases/(default)/documents`;
    const res = await fetch(url, { method: 'DELETE' });
    if (!res.ok)
      throw new Error(
        `Resetting Firestore emulator failed: DELETE ${url} -> ${res.status} ${await res.text()}`,
      );
  };

  beforeAll(async () => {
    if (externalHost) {
      host = externalHost;
    } else {
      emulator = await startFirestoreEmulator();
      host = emulator.host;
    }
    db = newClient();
  });

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.terminate()));
    await emulator?.stop();
  });

  if (options.resetBeforeEach ?? true) beforeEach(() => reset());

  return {
    get db() {
      if (!db)
        throw new Error('useFirestoreEmulator: the client is not ready yet (use it inside tests/hooks).');
      return db;
    },
    get host() {
      if (!host) throw new Error('useFirestoreEmulator: the emulator is not started yet.');
      return host;
    },
    projectId,
    external: Boolean(externalHost),
    newClient,
    reset,
  };
}

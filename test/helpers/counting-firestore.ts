import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type FirestoreEmulator, startFirestoreEmulator } from '../../local/firestore-emulator/index.ts';
import { type ServedFunction, serveFunction } from './functions.ts';
import { webhookEnvironment } from './webhook-fixture.ts';

/*
 * The real webhook function served over HTTP on 127.0.0.1, storing into the
 * EMBEDDED Firestore emulator, whose per-RPC counter this fixture exposes: a
 * test can assert how many Firestore round trips a request cost. An external
 * emulator (FIRESTORE_EMULATOR_HOST) has no such counter, so a test using
 * this fixture should be skipped when that variable is set.
 *
 *   const webhook = useCountingWebhook();
 *   webhook.resetCalls(); await post(...); expect(webhook.calls()).toEqual({ Commit: 1, ... });
 */

export interface CountingWebhook {
  /** A client for the webhook's project (its own RPCs are counted too: read the counts first). */
  readonly db: Firestore;
  readonly url: string;
  readonly projectId: string;
  /** Firestore RPCs received for this project since the last `resetCalls()`, by method name. */
  calls(): Record<string, number>;
  resetCalls(): void;
}

export function useCountingWebhook(): CountingWebhook {
  const projectId = `count-${randomUUID().slice(0, 8)}`;
  let emulator: FirestoreEmulator | undefined;
  let db: Firestore | undefined;
  let served: ServedFunction | undefined;

  beforeAll(async () => {
    emulator = await startFirestoreEmulator();
    db = new Firestore({
      projectId,
      host: emulator.host,
      ssl: false,
      preferRest: false,
      ignoreUndefinedProperties: true,
    });
    // The same environment as useWebhook, pointed at this emulator (the revoke-task cancel then
    // fails fast on a closed port: not a Firestore call, so not counted).
    served = await serveFunction('webhook', webhookEnvironment(projectId, emulator.host));
  });

  afterAll(async () => {
    await served?.close();
    await db?.terminate();
    await emulator?.stop();
  });

  beforeEach(() => {
    emulator?.reset(projectId);
    emulator?.resetCalls(projectId);
  });

  const started = () => {
    if (!emulator) throw new Error('useCountingWebhook: not started yet (use it inside tests/hooks).');
    return emulator;
  };
  return {
    get db() {
      if (!db) throw new Error('useCountingWebhook: not started yet (use it inside tests/hooks).');
      return db;
    },
    get url() {
      if (!served) throw new Error('useCountingWebhook: not served yet (use it inside tests/hooks).');
      return served.url;
    },
    projectId,
    calls: () => started().calls(projectId),
    resetCalls: () => started().resetCalls(projectId),
  };
}

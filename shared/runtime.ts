import type { Firestore } from '@google-cloud/firestore';
import type { HttpFunction } from '@google-cloud/functions-framework';
import { type Config, loadConfig, redactConfig, type SectionName } from './config/index.ts';
import { createLogger, type Logger, runWithTrace } from './log/index.ts';
import { getFirestore } from './store/firestore-client.ts';
import { createCloudTasksScheduler, type TaskScheduler } from './tasks/scheduler.ts';
import { now } from './time/now.ts';

/**
 * What a function needs, built from validated config at cold start. Clients
 * are created on first use and then reused for the life of the instance.
 */
export function createRuntime<S extends SectionName>(
  functionName: string,
  sections: readonly S[],
): {
  config: Config<'core'> & Config<S>;
  log: Logger;
  db(): Firestore;
  now(): Date;
  retentionMs: number;
  /** OUTCOME_PUSH: the steps write the outcomes they reach to the outbox (shared/store/outbox.ts). */
  outcomePush: boolean;
  /** What updateMessage needs beside the message: retention and OUTCOME_PUSH. */
  storeConfig: { retentionMs: number; outcomePush: boolean };
  /** Wraps a handler so every line it logs carries the request's trace (Cloud Logging correlation). */
  traced(handler: HttpFunction): HttpFunction;
} {
  const config = loadConfig(['core', ...sections]) as Config<'core'> & Config<S>;
  const retentionMs = config.RETENTION_DAYS * 24 * 3600 * 1000;
  const log = createLogger({ level: config.LOG_LEVEL, base: { function: functionName } });
  log.info({ event: 'config.loaded', config: redactConfig(config) }, `${functionName} configured`);
  return {
    config,
    log,
    db: () => getFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT, databaseId: config.FIRESTORE_DATABASE }),
    now,
    retentionMs,
    outcomePush: config.OUTCOME_PUSH,
    storeConfig: { retentionMs, outcomePush: config.OUTCOME_PUSH },
    traced: (handler) => (req, res) =>
      runWithTrace(req.headers, config.GOOGLE_CLOUD_PROJECT, () => handler(req, res)),
  };
}

export function lazyScheduler(config: Config<'core' | 'tasks'>): () => TaskScheduler {
  let scheduler: TaskScheduler | undefined;
  return () => {
    scheduler ??= createCloudTasksScheduler({
      projectId: config.GOOGLE_CLOUD_PROJECT,
      location: config.TASKS_LOCATION,
      queues: { revoke: config.REVOKE_QUEUE, fallback: config.FALLBACK_QUEUE },
      queueShards: config.QUEUE_SHARDS,
      urls: { revoke: config.REVOKE_URL, fallback: config.FALLBACK_URL },
      serviceAccountEmail: config.TASKS_SERVICE_ACCOUNT,
      ...(config.TASKS_EMULATOR_HOST ? { emulatorHost: config.TASKS_EMULATOR_HOST } : {}),
    });
    return scheduler;
  };
}

/** The ingestion section in milliseconds, as the confirm step uses it. */
export function ingestionSettings(config: Config<'ingestion'>) {
  return {
    lagToleranceMs: config.INGESTION_LAG_TOLERANCE_SECONDS * 1000,
    activeWithinMs: config.INGESTION_ACTIVE_WITHIN_SECONDS * 1000,
    recheckMs: config.INGESTION_RECHECK_SECONDS * 1000,
    maxDeferMs: config.INGESTION_MAX_DEFER_SECONDS * 1000,
  };
}

import { type ChannelCredentials, credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import { type Clock, SystemClock } from '../common/clock.ts';
import { type AttemptRecord, Dispatcher } from './dispatcher.ts';
import { cloudTasksImplementation } from './grpc-service.ts';
import { startJwksServer } from './jwks-server.ts';
import { queueName } from './names.ts';
import { type Jwk, OidcSigner } from './oidc.ts';
import { cloudTasksService } from './proto.ts';
import { type QueueConfig, resolveQueue } from './queue-config.ts';
import { type FinishedTask, TaskStore } from './store.ts';

export type { AttemptRecord } from './dispatcher.ts';
export type { Jwk } from './oidc.ts';
export { GOOGLE_ISSUER } from './oidc.ts';
export type { DurationInput, QueueConfig } from './queue-config.ts';
export type { FinishedTask } from './store.ts';

export interface TasksEmulatorOptions {
  /** gRPC port on 127.0.0.1; 0 or omitted = a free port. */
  port?: number;
  /** Time source for schedules, backoff, deadlines and timestamps. Default: real time. */
  clock?: Clock;
  /** Queues that exist from the start (more can be made with CreateQueue). */
  queues?: QueueConfig[];
  projectId?: string;
  location?: string;
  /**
   * How long a finished or deleted task's name stays taken (ALREADY_EXISTS).
   * Default 1 hour, as for queues created through the Cloud Tasks API; queue.yaml
   * queues keep names ~9 days (CreateTask docs).
   */
  nameRetentionMs?: number;
  /** Port of the HTTP server publishing the signing keys; 0 or omitted = a free port. */
  jwksPort?: number;
  /** Called after each attempt gets an outcome (the CLI logs these). */
  onAttempt?: (attempt: AttemptRecord) => void;
}

/** A pending task as the inspection API shows it. Times are ms on the emulator's clock. */
export interface PendingTask {
  name: string;
  taskId: string;
  queue: string;
  queueId: string;
  url: string;
  httpMethod: string;
  scheduleTime: number;
  createTime: number;
  dispatchCount: number;
  responseCount: number;
  dispatching: boolean;
}

export interface TasksEmulator {
  readonly host: string;
  readonly port: number;
  readonly projectId: string;
  readonly location: string;
  /** JWKS of the key that signs OIDC tokens (Google's /oauth2/v3/certs format). */
  readonly jwksUrl: string;
  /** kid -> PEM of the same key (Google's /oauth2/v1/certs format). */
  readonly pemCertsUrl: string;
  /** Options for `new CloudTasksClient(...)`. */
  clientOptions(): { apiEndpoint: string; port: number; sslCreds: ChannelCredentials };
  /** Full name of a queue id in this emulator's project and location. */
  queuePath(queueId: string): string;
  /** Dispatches everything due now and waits for the outcomes. */
  runDueTasks(): Promise<void>;
  /** Waits until no dispatch is in flight. */
  idle(): Promise<void>;
  /** Attempts under way. */
  readonly inFlight: number;
  /** Pending tasks, optionally of one queue (id or full name), in schedule order. */
  tasks(queue?: string): PendingTask[];
  /** Every dispatch attempt so far, in dispatch order. */
  history(): AttemptRecord[];
  /** Tasks that left the queue: succeeded, failed (retries exhausted) or deleted. */
  finished(): FinishedTask[];
  jwks(): { keys: Jwk[] };
  pemCerts(): Record<string, string>;
  /** Fault injection: due tasks for which `decide` is true vanish undispatched (`null`: off). */
  loseDispatches(decide: ((task: { name: string; queue: string }) => boolean) | null): void;
  /** Forgets tasks, names, history and in-flight attempts; keeps queues. For per-test isolation. */
  reset(): void;
  /** Stops dispatching, closes both servers, cancels every timer. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startTasksEmulator(options: TasksEmulatorOptions = {}): Promise<TasksEmulator> {
  const clock = options.clock ?? new SystemClock();
  const projectId = options.projectId ?? 'local-project';
  const location = options.location ?? 'us-central1';
  const store = new TaskStore(options.nameRetentionMs ?? 3_600_000);
  for (const q of options.queues ?? []) store.addQueue(resolveQueue(q, projectId, location));
  const signer = new OidcSigner();
  const dispatcher = new Dispatcher({ clock, store, signer, onAttempt: options.onAttempt });

  const server = new Server();
  server.addService(cloudTasksService(), cloudTasksImplementation({ store, dispatcher, clock }));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${HOST}:${options.port ?? 0}`, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  let jwksServer: Awaited<ReturnType<typeof startJwksServer>>;
  try {
    jwksServer = await startJwksServer(signer, options.jwksPort ?? 0);
  } catch (err) {
    server.forceShutdown();
    throw err;
  }

  const resolveQueueRef = (queue: string) =>
    queue.startsWith('projects/') ? queue : queueName(projectId, location, queue);
  let stopped: Promise<void> | undefined;

  return {
    host: HOST,
    port,
    projectId,
    location,
    jwksUrl: jwksServer.jwksUrl,
    pemCertsUrl: jwksServer.pemCertsUrl,
    clientOptions: () => ({ apiEndpoint: HOST, port, sslCreds: credentials.createInsecure() }),
    queuePath: (queueId) => queueName(projectId, location, queueId),
    runDueTasks: () => dispatcher.runDueTasks(),
    idle: () => dispatcher.idle(),
    get inFlight() {
      return dispatcher.inFlight;
    },
    tasks: (queue) =>
      store
        .tasks(queue === undefined ? undefined : resolveQueueRef(queue))
        .sort((a, b) => a.scheduleTime - b.scheduleTime || a.seq - b.seq)
        .map((t) => ({
          name: t.name,
          taskId: t.taskId,
          queue: t.queue,
          queueId: t.queueId,
          url: t.http.url,
          httpMethod: t.http.httpMethod,
          scheduleTime: t.scheduleTime,
          createTime: t.createTime,
          dispatchCount: t.dispatchCount,
          responseCount: t.responseCount,
          dispatching: t.dispatching,
        })),
    history: () => dispatcher.history(),
    loseDispatches: (decide) => dispatcher.loseDispatches(decide),
    finished: () => store.finished(),
    jwks: () => signer.jwks(),
    pemCerts: () => signer.pemCerts(),
    reset: () => {
      store.clear();
      dispatcher.reset();
    },
    stop: () => {
      stopped ??= (async () => {
        dispatcher.stop();
        server.forceShutdown();
        await jwksServer.close();
      })();
      return stopped;
    },
  };
}

import { randomBytes } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { configSections } from '../../shared/config/schema.ts';
import type { SmsProviderName } from '../../shared/sms/types.ts';
import { shardQueueName } from '../../shared/tasks/names.ts';
import { useTimeSource } from '../../shared/time/now.ts';
import { type Clock, SystemClock } from '../common/clock.ts';
import { tcpAccepts } from '../common/tcp.ts';
import { type FirestoreEmulator, startFirestoreEmulator } from '../firestore-emulator/index.ts';
import { type OutcomeReceiver, startOutcomeReceiver } from '../outcome-receiver/index.ts';
import { newSigningSecret } from '../outcome-receiver/verify.ts';
import { type PubsubEmulator, startPubsubEmulator } from '../pubsub-emulator/index.ts';
import {
  type PhoneRules,
  type Population,
  type RbmSandbox,
  startRbmSandbox,
  type WebhookSettings,
} from '../rbm-sandbox/index.ts';
import { type SmsSandbox, startSmsSandbox } from '../sms-sandbox/index.ts';
import { startTasksEmulator, type TasksEmulator } from '../tasks-emulator/index.ts';
import { type FunctionProcesses, type InstanceCounts, startFunctionProcesses } from './function-processes.ts';
import { type FunctionsServer, serveFunctions } from './functions-server.ts';
import { type OutboxBridge, startOutboxBridge } from './outbox-bridge.ts';
import { startSweepSchedule } from './sweep-schedule.ts';

export interface StackPorts {
  functions?: number;
  rbm?: number;
  sms?: number;
  tasks?: number;
  firestore?: number;
  /** The local business's outcome receiver (with outcome push on). */
  outcomes?: number;
}

/** Outcome push (docs/outcomes.md) on the local stack. */
export interface StackOutcomeOptions {
  /** OUTCOME_REDRIVE_SECONDS: how long a pending push sits untouched before the sweep re-drives it. */
  redriveSeconds?: number;
  /** OUTCOME_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** Lose the Eventarc event of these outbox ids (the sweep's re-drive then delivers them). */
  lose?: (outcomeId: string) => boolean;
  /** Also publish to a Pub/Sub topic (OUTCOME_PUBSUB_TOPIC) on a local Pub/Sub emulator, with one subscription to pull. */
  pubsub?: boolean;
}

export interface StackOptions {
  /** One clock for every component and the functions: scaled for the demo, manual for tests. */
  clock: Clock;
  seed?: number | string;
  /** 0 or absent: a free port. */
  ports?: StackPorts;
  projectId?: string;
  agentId?: string;
  /** An emulator already running (FIRESTORE_EMULATOR_HOST); otherwise the embedded one starts. */
  firestoreHost?: string;
  /** Settings of the embedded emulator (real ms). */
  firestore?: { transactionIdleTimeoutMs?: number };
  phones?: Record<string, PhoneRules>;
  population?: Partial<Population>;
  webhook?: Partial<Omit<WebhookSettings, 'url' | 'clientToken'>>;
  smsProvider?: SmsProviderName;
  /** Cloud Scheduler's cadence for the sweep, in clock time; null: no schedule. Default 60 s. */
  sweepEveryMs?: number | null;
  sweepBoundSeconds?: number;
  /** SWEEP_BATCH_SIZE: overdue messages per page of a sweep run (default 200). */
  sweepBatchSize?: number;
  /** The INGESTION_* settings of the webhook and revoke functions, in seconds (default: the schema's). */
  ingestion?: Partial<IngestionSeconds>;
  /**
   * in-process (default): every function in this process, on one port, on this clock.
   * processes: each function in its own process, as Cloud Run runs it, so one can be
   * killed and restarted (`Stack.processes`); needs a SystemClock.
   */
  functions?: 'in-process' | 'processes';
  /** Process mode: how many instances (processes sharing its port) each function runs as; default 1. */
  functionInstances?: InstanceCounts;
  /** Process mode: called with each line a function process prints. */
  onFunctionOutput?: (line: string) => void;
  /** QUEUE_SHARDS: queues per kind of task (rbm-revoke, rbm-revoke-1, ...), as Terraform's queue_shards; default 1. */
  queueShards?: number;
  /** The queues' retry budget, shared with the functions (as Terraform does). */
  maxAttempts?: number;
  /** CAPABILITY_CHECK, the deployment's default capability check before a send; default off. */
  capabilityCheck?: 'on' | 'off';
  /**
   * Rate limits of each kind of task, in total over its queueShards queues, each queue getting
   * an even share, as Terraform's queue_rate_limits (terraformQueueRateLimits are its defaults).
   * Unset: every queue gets Cloud Tasks' own defaults (500/s, 1,000 concurrent each).
   */
  queueRateLimits?: Partial<Record<'revoke' | 'fallback', QueueRateLimits>>;
  /** Of the functions and the sandboxes; default warn. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Of the functions only, when it should differ (a benchmark logs as production does, at info). */
  functionsLogLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * Outcome push (OUTCOME_PUSH): a local business receiver, the Eventarc stand-in
   * (outbox-bridge.ts) and the signing secret. Absent or false: off, as a deployment's default.
   */
  outcomes?: boolean | StackOutcomeOptions;
}

export interface StackOutcomes {
  /** The business's endpoint: every push it got, verified by the spec. */
  receiver: OutcomeReceiver;
  /** Eventarc's part: the CloudEvents for the outbox. */
  bridge: OutboxBridge;
  /** OUTCOME_SIGNING_SECRET. */
  secret: string;
  /** With `pubsub`: the emulator, the topic and a subscription of it to pull from. */
  pubsub?: { emulator: PubsubEmulator; topic: string; subscription: string };
}

export interface Stack {
  clock: Clock;
  projectId: string;
  agentId: string;
  clientToken: string;
  firestoreHost: string;
  /** The embedded Firestore emulator (absent when FIRESTORE_EMULATOR_HOST named another one). */
  firestoreEmulator?: FirestoreEmulator;
  /** A client for the stack's project, for reading what the product wrote. */
  db: Firestore;
  functions: FunctionsServer;
  /** Present in process mode: kill and restart a function's process. */
  processes?: FunctionProcesses;
  tasks: TasksEmulator;
  rbm: RbmSandbox;
  sms: SmsSandbox;
  /** Present with outcome push on. */
  outcomes?: StackOutcomes;
  /** Resolves once nothing is in flight anywhere (tasks, webhook posts, function requests). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

type IngestionSeconds = ReturnType<typeof configSections.ingestion.parse>;

const location = 'local';
const queues = { revoke: 'rbm-revoke', fallback: 'rbm-fallback' };

export interface QueueRateLimits {
  maxDispatchesPerSecond: number;
  maxConcurrentDispatches: number;
}

/** Terraform's defaults of queue_rate_limits (terraform/variables.tf): what a deployment gets unless told. */
export const terraformQueueRateLimits: Record<'revoke' | 'fallback', QueueRateLimits> = {
  revoke: { maxDispatchesPerSecond: 100, maxConcurrentDispatches: 200 },
  fallback: { maxDispatchesPerSecond: 20, maxConcurrentDispatches: 50 },
};

/**
 * One queue's share of a kind's total, as terraform/main.tf splits it: the rate divided, the
 * concurrency divided and rounded up. A share above one queue's limit (500/s, 5,000) is refused
 * by the emulator, as Terraform's precondition refuses it: raise the shards.
 */
export function shardRateLimits(total: QueueRateLimits, shards: number): QueueRateLimits {
  return {
    maxDispatchesPerSecond: total.maxDispatchesPerSecond / shards,
    maxConcurrentDispatches: Math.ceil(total.maxConcurrentDispatches / shards),
  };
}

/**
 * The whole system on 127.0.0.1: Firestore emulator, Cloud Tasks emulator
 * dispatching to the functions, the RBM sandbox posting signed webhooks to
 * them, the SMS sandbox, and the six functions served by functions-framework
 * (with outcome push on, also the business's receiver and Eventarc's stand-in).
 * No Google account, no network beyond loopback.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { clock } = options;
  const ports = options.ports ?? {};
  const projectId = options.projectId ?? 'rbm-lifecycle-local';
  const agentId = options.agentId ?? 'local-agent';
  const clientToken = randomBytes(18).toString('base64url');
  const maxAttempts = options.maxAttempts ?? 10;
  const queueShards = options.queueShards ?? 1;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };

  try {
    let firestoreHost = options.firestoreHost;
    let firestoreEmulator: FirestoreEmulator | undefined;
    if (firestoreHost)
      await expectListening(firestoreHost, 'the Firestore emulator named by FIRESTORE_EMULATOR_HOST');
    else {
      const emulator = await startFirestoreEmulator({
        port: ports.firestore ?? 0,
        clock,
        ...options.firestore,
      });
      stops.push(() => emulator.stop());
      firestoreHost = emulator.host;
      firestoreEmulator = emulator;
    }
    const retryConfig = { maxAttempts, minBackoff: '1s', maxBackoff: '60s', maxDoublings: 4 };
    const tasks = await startTasksEmulator({
      port: ports.tasks ?? 0,
      clock,
      projectId,
      location,
      queues: (['revoke', 'fallback'] as const).flatMap((kind) => {
        const limits = options.queueRateLimits?.[kind];
        return Array.from({ length: queueShards }, (_, shard) => ({
          name: shardQueueName(queues[kind], shard),
          retryConfig,
          ...(limits ? { rateLimits: shardRateLimits(limits, queueShards) } : {}),
        }));
      }),
    });
    stops.push(() => tasks.stop());
    const sms = await startSmsSandbox({
      port: ports.sms ?? 0,
      clock,
      seed: options.seed ?? 1,
      logLevel: options.logLevel ?? 'warn',
    });
    stops.push(() => sms.stop());
    // The webhook URL is known only once the functions listen, and they need the sandbox's URL:
    // start the sandbox without a webhook, then register it (the platform's handshake) below.
    const rbm = await startRbmSandbox({
      port: ports.rbm ?? 0,
      clock,
      seed: options.seed ?? 1,
      clientToken,
      handshake: 'skip',
      defaultAgentId: agentId,
      logLevel: options.logLevel ?? 'warn',
      ...(options.phones ? { phones: options.phones } : {}),
      ...(options.population ? { population: options.population } : {}),
      ...(options.webhook ? { webhook: options.webhook } : {}),
    });
    stops.push(() => rbm.stop());

    const outcomeOptions: StackOutcomeOptions | undefined =
      options.outcomes === true ? {} : options.outcomes || undefined;
    let receiver: OutcomeReceiver | undefined;
    let pubsub: StackOutcomes['pubsub'];
    if (outcomeOptions?.pubsub) {
      const topic = `projects/${projectId}/topics/rbm-outcomes`;
      const subscription = `projects/${projectId}/subscriptions/rbm-outcomes-business`;
      const emulator = await startPubsubEmulator({
        topics: { [topic]: [subscription] },
        now: () => clock.now(),
      });
      stops.push(() => emulator.stop());
      pubsub = { emulator, topic, subscription };
    }
    if (outcomeOptions) {
      const started = await startOutcomeReceiver({
        port: ports.outcomes ?? 0,
        secret: newSigningSecret(randomBytes(32)),
        now: () => clock.now(),
      });
      receiver = started;
      stops.push(() => started.stop());
    }

    const host = firestoreHost;
    if (options.functions !== 'processes') useTimeSource(clock);
    const environment = (urls: { revoke: string; fallback: string }): Record<string, string> => ({
      GOOGLE_CLOUD_PROJECT: projectId,
      FIRESTORE_EMULATOR_HOST: host,
      METADATA_SERVER_DETECTION: 'none',
      LOG_LEVEL: options.functionsLogLevel ?? options.logLevel ?? 'warn',
      RBM_AGENT_ID: agentId,
      RBM_API_BASE_URL: rbm.url,
      RBM_ACCESS_TOKEN: 'local-sandbox-token',
      // One port plays every host: a regional host is the sandbox's /r/{region} prefix.
      RBM_REGIONAL_BASE_URL_TEMPLATE: `${rbm.url}/r/{region}`,
      CAPABILITY_CHECK: options.capabilityCheck ?? 'off',
      RBM_CLIENT_TOKEN: clientToken,
      TASKS_LOCATION: location,
      REVOKE_QUEUE: queues.revoke,
      FALLBACK_QUEUE: queues.fallback,
      QUEUE_SHARDS: String(queueShards),
      REVOKE_URL: urls.revoke,
      FALLBACK_URL: urls.fallback,
      TASKS_SERVICE_ACCOUNT: `rbm-tasks@${projectId}.iam.gserviceaccount.com`,
      TASKS_EMULATOR_HOST: `${tasks.host}:${tasks.port}`,
      REVOKE_MAX_ATTEMPTS: String(maxAttempts),
      FALLBACK_MAX_ATTEMPTS: String(maxAttempts),
      SWEEP_BOUND_SECONDS: String(options.sweepBoundSeconds ?? 300),
      ...(options.sweepBatchSize === undefined ? {} : { SWEEP_BATCH_SIZE: String(options.sweepBatchSize) }),
      ...ingestionEnvironment(options.ingestion ?? {}),
      ...smsEnvironment(options.smsProvider ?? 'http', sms),
      // A message's callback may be http on 127.0.0.1 here (the local business), never deployed.
      OUTCOME_CALLBACK_LOOPBACK_HTTP: 'true',
      ...(receiver && outcomeOptions
        ? {
            OUTCOME_PUSH: 'true',
            OUTCOME_CALLBACK_URL: receiver.url,
            OUTCOME_SIGNING_SECRET: receiver.secret,
            OUTCOME_MAX_ATTEMPTS: String(outcomeOptions.maxAttempts ?? 20),
            OUTCOME_REDRIVE_SECONDS: String(outcomeOptions.redriveSeconds ?? 600),
            ...(pubsub
              ? { OUTCOME_PUBSUB_TOPIC: pubsub.topic, PUBSUB_EMULATOR_HOST: pubsub.emulator.host }
              : {}),
          }
        : {}),
    });
    let functions: FunctionsServer;
    let processes: FunctionProcesses | undefined;
    if (options.functions === 'processes') {
      if (!(clock instanceof SystemClock))
        throw new Error('process mode needs a SystemClock: processes cannot share a manual one');
      processes = await startFunctionProcesses(
        clock,
        environment,
        options.functionInstances,
        options.onFunctionOutput,
      );
      functions = processes;
    } else {
      functions = await serveFunctions(ports.functions ?? 0, (url) =>
        environment({ revoke: `${url}/revoke`, fallback: `${url}/fallback` }),
      );
    }
    stops.push(() => functions.stop());

    const handshake = await rbm.registerWebhook(functions.urls.webhook);
    if (!handshake.ok) throw new Error(`webhook registration handshake failed: ${handshake.reason}`);

    if (options.sweepEveryMs !== null) {
      const schedule = startSweepSchedule(clock, functions.urls.sweep, options.sweepEveryMs ?? 60_000);
      stops.push(async () => schedule.stop());
    }

    const db = new Firestore({ projectId, host, ssl: false, preferRest: false });
    stops.push(() => db.terminate());

    let outcomes: StackOutcomes | undefined;
    if (receiver && outcomeOptions) {
      const bridge = await startOutboxBridge({
        db,
        projectId,
        target: functions.urls.outcomes,
        clock,
        ...(outcomeOptions.lose ? { lose: outcomeOptions.lose } : {}),
      });
      stops.push(() => bridge.stop());
      outcomes = { receiver, bridge, secret: receiver.secret, ...(pubsub ? { pubsub } : {}) };
    }

    // With outcome push on, quiet also means the Eventarc stand-in has seen every pending outbox
    // document (its listener hears of a commit a moment after it) and has no event in flight.
    const outboxQuiet = async (bridge: OutboxBridge): Promise<boolean> => {
      if (bridge.posting > 0) return false;
      const pending = await db.collection('outcomes').where('state', '==', 'pending').get();
      return pending.docs.every((doc) => bridge.knows(doc.id));
    };
    const settle = async () => {
      for (let quietRounds = 0; quietRounds < 3; ) {
        await Promise.all([rbm.idle(), tasks.idle()]);
        await new Promise((resolve) => setImmediate(resolve));
        const quiet =
          functions.active === 0 &&
          tasks.inFlight === 0 &&
          (outcomes ? await outboxQuiet(outcomes.bridge) : true);
        quietRounds = quiet ? quietRounds + 1 : 0;
      }
    };

    return {
      clock,
      projectId,
      agentId,
      clientToken,
      firestoreHost: host,
      ...(firestoreEmulator ? { firestoreEmulator } : {}),
      db,
      functions,
      ...(processes ? { processes } : {}),
      tasks,
      rbm,
      sms,
      ...(outcomes ? { outcomes } : {}),
      settle,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Every INGESTION_* variable, the schema's default where the options leave one out. */
function ingestionEnvironment(given: Partial<IngestionSeconds>): Record<string, string> {
  const settings = { ...configSections.ingestion.parse({}), ...given };
  return Object.fromEntries(Object.entries(settings).map(([name, value]) => [name, String(value)]));
}

/** Fails fast, naming what is missing, when nothing listens at `host:port` (instead of hanging on gRPC retries). */
async function expectListening(hostPort: string, what: string): Promise<void> {
  const host = hostPort.slice(0, hostPort.lastIndexOf(':'));
  const port = Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));
  await tcpAccepts(host, port, 3_000).catch((error: Error) => {
    throw new Error(`${what} at ${hostPort} is not reachable (${error.message})`);
  });
}

/**
 * Each provider's environment against its fake in the SMS sandbox. Keyed by
 * the registry's names (shared/sms/providers.ts): a provider without a
 * sandbox entry does not compile.
 */
const smsSandboxEnvironments: Record<SmsProviderName, (sms: SmsSandbox) => Record<string, string>> = {
  http: (sms) => ({ SMS_PROVIDER: 'http', SMS_HTTP_URL: sms.genericUrl, SMS_HTTP_SECRET: sms.genericSecret }),
  twilio: (sms) => ({
    SMS_PROVIDER: 'twilio',
    TWILIO_BASE_URL: sms.twilioBaseUrl,
    TWILIO_ACCOUNT_SID: sms.twilio.accountSid,
    TWILIO_AUTH_TOKEN: sms.twilio.authToken,
    TWILIO_FROM: '+15005550006',
  }),
};

function smsEnvironment(provider: SmsProviderName, sms: SmsSandbox): Record<string, string> {
  return smsSandboxEnvironments[provider](sms);
}

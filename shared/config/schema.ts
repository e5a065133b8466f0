import { z } from 'zod';
import { parseRegionOverrides, type RegionTable, regionalBaseUrl } from '../rbm/regions.ts';
import { providerSecretNames, providerVariables, smsProviderNames, smsProviders } from '../sms/providers.ts';
import { maxQueueShards } from '../tasks/names.ts';

// Every environment variable the functions read, grouped by the part of the
// system that needs it. A function loads only the sections it uses, so the
// webhook does not demand SMS credentials. Names marked secret come from
// Secret Manager (mounted as env vars by Terraform) and never reach a log.

const url = z.url({ protocol: /^https?$/ });
const positiveInt = z.coerce.number().int().positive();
const secret = z.string().min(1);
const hostPort = z.string().regex(/^[\w.-]+:\d{1,5}$/, 'expected host:port');

export const configSections = {
  core: z.object({
    GOOGLE_CLOUD_PROJECT: z.string().min(1),
    FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    // How long messages, events and dead letters are kept (Firestore TTL on expireAt).
    RETENTION_DAYS: positiveInt.default(90),
    // Push every lifecycle outcome to the business (docs/outcomes.md): the steps that reach an
    // outcome write it to the `outcomes` outbox in the same transaction. Off: nothing is written.
    OUTCOME_PUSH: z.stringbool().default(false),
    // Lets a callback URL be plain http on a loopback address (the local stack and tests only).
    OUTCOME_CALLBACK_LOOPBACK_HTTP: z.stringbool().default(false),
  }),
  rbm: z.object({
    RBM_AGENT_ID: z.string().min(1),
    // Global host by default; us-, europe- or asia- prefixed in production, the
    // local sandbox's URL in development. See docs/configuration.md.
    RBM_API_BASE_URL: url.default('https://rcsbusinessmessaging.googleapis.com'),
    RBM_TIMEOUT_MS: positiveInt.default(10_000),
    // JSON key of the RBM service account (from the RBM partner console), from Secret Manager.
    RBM_SERVICE_ACCOUNT_KEY: secret.optional(),
    // A fixed bearer token, only for the local RBM sandbox (see shared/rbm/auth.ts).
    RBM_ACCESS_TOKEN: secret.optional(),
  }),
  // The capability check before a send (docs/messages-api.md#capability-check) and the
  // regional hosts it is routed to (docs/rbm-platform.md#regions).
  capabilities: z.object({
    // The deployment's default; a message's own `capabilityCheck` wins.
    CAPABILITY_CHECK: z.enum(['off', 'on']).default('off'),
    // Bound on the check: past it the message is sent as without one, so keep it short.
    CAPABILITY_CHECK_TIMEOUT_MS: positiveInt.default(2_000),
    // Regional base URL with {region} (us, europe, asia); unset: derived from RBM_API_BASE_URL.
    RBM_REGIONAL_BASE_URL_TEMPLATE: z
      .string()
      .refine((t) => t.includes('{region}'), 'must contain {region}')
      .refine((t) => url.safeParse(regionalBaseUrl(t, 'europe')).success, 'must be an http(s) URL')
      .optional(),
    // prefix=region pairs laid over the default calling-code table, e.g. "7=asia,90=asia".
    RBM_REGION_BY_CALLING_CODE: z
      .string()
      .default('')
      .transform((text, ctx): RegionTable => {
        const parsed = parseRegionOverrides(text);
        if (typeof parsed === 'string') {
          ctx.addIssue({ code: 'custom', message: parsed });
          return z.NEVER;
        }
        return parsed;
      }),
  }),
  webhook: z.object({
    RBM_CLIENT_TOKEN: secret,
    // Second accepted token while the webhook's clientToken is being rotated.
    RBM_CLIENT_TOKEN_PREVIOUS: secret.optional(),
    WEBHOOK_MAX_BODY_BYTES: positiveInt.default(1_048_576),
    // Past this, an event not yet stored is answered 503 (the platform retries; storing is idempotent).
    // Below Pub/Sub push's default 10 s acknowledgement deadline, so the answer is ours, not a timeout.
    WEBHOOK_DEADLINE_MS: positiveInt.default(8_000),
    // Answer each inbound user message with an agent READ receipt (phones.agentEvents.create).
    WEBHOOK_READ_RECEIPTS: z.stringbool().default(false),
  }),
  sweep: z.object({
    // Law 6's bound: a message with nothing happening this long after it was due is re-driven.
    SWEEP_BOUND_SECONDS: positiveInt.default(300),
    SWEEP_BATCH_SIZE: positiveInt.default(200),
  }),
  // Delivery of the outbox (the outcomes function, and the sweep's re-drive of lost events).
  // OUTCOME_SIGNING_SECRET is required when OUTCOME_PUSH (core) is true: shared/outcomes/deliver.ts.
  outcomes: z.object({
    // Where outcomes go when a message names no callback URL of its own.
    OUTCOME_CALLBACK_URL: url.optional(),
    // Standard Webhooks signing secret, whsec_<base64>, from Secret Manager.
    OUTCOME_SIGNING_SECRET: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, 'expected whsec_ and the key in base64')
      .optional(),
    // Bounds one POST, connect to last byte of the answer.
    OUTCOME_TIMEOUT_MS: positiveInt.default(10_000),
    // A push not answered 2xx within this many attempts, or this long after the outcome, is given up.
    OUTCOME_MAX_ATTEMPTS: positiveInt.default(20),
    OUTCOME_MAX_AGE_HOURS: positiveInt.default(24),
    // The sweep re-drives a pending push nobody attempted for this long (a lost event).
    OUTCOME_REDRIVE_SECONDS: positiveInt.default(600),
    // Also publish every outcome to this topic, projects/{project}/topics/{topic} (Terraform creates it).
    OUTCOME_PUBSUB_TOPIC: z
      .string()
      .regex(/^projects\/[^/]+\/topics\/[^/]+$/, 'expected projects/{project}/topics/{topic}')
      .optional(),
    // Local Pub/Sub emulator (host:port); unset in production.
    PUBSUB_EMULATOR_HOST: hostPort.optional(),
  }),
  // The confirm step's view of webhook ingestion (shared/lifecycle/ingestion-lag.ts): it does not
  // conclude "no DELIVERED came" while events arrive late and a DELIVERED may still be queued.
  ingestion: z.object({
    // Events stored later than this after their platform time mean the queue is delivering late.
    INGESTION_LAG_TOLERANCE_SECONDS: positiveInt.default(10),
    // A webhook instance that stored an event this recently is still delivering.
    INGESTION_ACTIVE_WITHIN_SECONDS: positiveInt.default(30),
    // A deferred confirm step looks again after this long...
    INGESTION_RECHECK_SECONDS: positiveInt.default(10),
    // ...and proceeds anyway once this long has passed since its message's first deferral (adds to law 6's bound).
    INGESTION_MAX_DEFER_SECONDS: positiveInt.default(300),
  }),
  tasks: z.object({
    TASKS_LOCATION: z.string().min(1),
    REVOKE_QUEUE: z.string().min(1).default('rbm-revoke'),
    FALLBACK_QUEUE: z.string().min(1).default('rbm-fallback'),
    // Queues per kind, past one queue's 500 dispatches a second: REVOKE_QUEUE, REVOKE_QUEUE-1, ...
    QUEUE_SHARDS: positiveInt.max(maxQueueShards).default(1),
    REVOKE_URL: url,
    FALLBACK_URL: url,
    // Identity Cloud Tasks signs its OIDC tokens as; the targets accept only it.
    TASKS_SERVICE_ACCOUNT: z.email(),
    // Local Cloud Tasks emulator (host:port); unset in production.
    TASKS_EMULATOR_HOST: hostPort.optional(),
  }),
  // A task target's side of its queue: the queue's retry budget, Cloud Tasks'
  // own maxAttempts (Terraform sets queue and variable from one value), so the
  // handler knows a try is the last one and records a final outcome. Queue
  // tries, not DELETE calls (revocation.attempts) nor revoke rounds (policy).
  revokeTarget: z.object({ REVOKE_MAX_ATTEMPTS: positiveInt.default(10) }),
  fallbackTarget: z.object({ FALLBACK_MAX_ATTEMPTS: positiveInt.default(10) }),
  // The SMS fallback's provider (docs/fallback.md): the names, each provider's
  // variables and which it requires come from the registry, shared/sms/providers.ts.
  // In production the secrets come from Secret Manager, mounted as env vars by
  // Terraform; they are never set in plain env vars or logged.
  sms: z
    .object({
      SMS_PROVIDER: z.enum(smsProviderNames),
      // Bounds each provider call, connect to last byte of the answer.
      SMS_TIMEOUT_MS: positiveInt.default(10_000),
      ...providerVariables(),
    })
    .superRefine((env, ctx) => {
      const names = smsProviders[env.SMS_PROVIDER].missing(env);
      if (names.length === 0) return;
      ctx.addIssue({
        code: 'custom',
        path: ['SMS_PROVIDER'],
        message: `the ${env.SMS_PROVIDER} provider needs variables that are not set: ${names.join('; ')}`,
      });
    }),
} as const;

export const secretNames: ReadonlySet<string> = new Set([
  'RBM_CLIENT_TOKEN',
  'RBM_CLIENT_TOKEN_PREVIOUS',
  'RBM_SERVICE_ACCOUNT_KEY',
  'RBM_ACCESS_TOKEN',
  'OUTCOME_SIGNING_SECRET',
  ...providerSecretNames(),
]);

export type ConfigSections = typeof configSections;
export type SectionName = keyof ConfigSections;

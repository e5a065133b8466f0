import { z } from 'zod';

// Every environment variable the functions read, grouped by the part of the
// system that needs it. A function loads only the sections it uses, so the
// webhook does not demand SMS credentials. Names marked secret come from
// Secret Manager (mounted as env vars by Terraform) and never reach a log.

const url = z.url({ protocol: /^https?$/ });
const positiveInt = z.coerce.number().int().positive();
const secret = z.string().min(1);

export const configSections = {
  core: z.object({
    GOOGLE_CLOUD_PROJECT: z.string().min(1),
    FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  }),
  rbm: z.object({
    RBM_AGENT_ID: z.string().min(1),
    // Global host by default; us-, europe- or asia- prefixed in production, the
    // local sandbox's URL in development. See docs/configuration.md.
    RBM_API_BASE_URL: url.default('https://rcsbusinessmessaging.googleapis.com'),
    RBM_TIMEOUT_MS: positiveInt.default(10_000),
  }),
  webhook: z.object({
    RBM_CLIENT_TOKEN: secret,
    // Second accepted token while the webhook's clientToken is being rotated.
    RBM_CLIENT_TOKEN_PREVIOUS: secret.optional(),
    WEBHOOK_MAX_BODY_BYTES: positiveInt.default(1_048_576),
  }),
} as const;

export const secretNames: ReadonlySet<string> = new Set(['RBM_CLIENT_TOKEN', 'RBM_CLIENT_TOKEN_PREVIOUS']);

export type ConfigSections = typeof configSections;
export type SectionName = keyof ConfigSections;

import { z } from 'zod';
import { createHttpSmsProvider } from './http-provider.ts';
import { createTwilioSmsProvider } from './twilio-provider.ts';
import type { SmsProvider, SmsProviderName } from './types.ts';

/**
 * Every SMS provider the fallback can send through, in one place: the
 * config's SMS_PROVIDER values and the variables each provider needs
 * (shared/config/schema.ts), its factory (shared/sms/index.ts), whether a
 * resend with the same key is safe (shared/lifecycle/fallback.ts), its local
 * sandbox (local/stack/start.ts) and its Terraform inputs (checked by
 * test/integration/terraform/sms-providers.test.ts) all read this table.
 * To add a provider: its file here, its name in SmsProviderName (types.ts),
 * its entry below, its sandbox fake, its Terraform inputs; the compiler and
 * that test name what is missing. docs/fallback.md, "Adding a provider".
 */

const url = z.url({ protocol: /^https?$/ });
const secret = z.string().min(1);

/** The provider's view of the validated environment: the keys of its `settings` and `secrets`. */
type Env = Record<string, unknown>;

export interface SmsProviderSpec {
  /** Plain environment variables, optional or defaulted here: `missing` says which are required. */
  settings: z.ZodRawShape;
  /** Environment variables mounted from Secret Manager; never logged. */
  secrets: z.ZodRawShape;
  /** The required variables `env` lacks; one entry may name alternatives ("A or B"). */
  missing(env: Env): string[];
  /**
   * The provider deduplicates by idempotency key, so resending with the same
   * key cannot send a second SMS: only then may an ambiguous send be retried (law 4).
   */
  deduplicatesByKey: boolean;
  create(env: Env, timeoutMs: number): SmsProvider;
}

const text = (env: Env, name: string): string | undefined =>
  typeof env[name] === 'string' && env[name] !== '' ? (env[name] as string) : undefined;
const absent = (env: Env, names: readonly string[]): string[] => names.filter((name) => !text(env, name));

export const smsProviders = {
  // The generic HTTPS provider: HMAC-signed JSON with an idempotency key (docs/fallback.md).
  http: {
    settings: { SMS_HTTP_URL: url.optional() },
    secrets: { SMS_HTTP_SECRET: secret.optional() },
    missing: (env) => absent(env, ['SMS_HTTP_URL', 'SMS_HTTP_SECRET']),
    deduplicatesByKey: true,
    create: (env, timeoutMs) =>
      createHttpSmsProvider({
        url: text(env, 'SMS_HTTP_URL')!,
        secret: text(env, 'SMS_HTTP_SECRET')!,
        timeoutMs,
      }),
  },
  // Twilio's Messages API: no idempotency key, so an ambiguous send is never retried.
  twilio: {
    settings: {
      TWILIO_ACCOUNT_SID: z
        .string()
        .regex(/^AC[0-9a-fA-F]{32}$/, 'expected AC followed by 32 hex digits')
        .optional(),
      // Sender: a number or sender id, or a Messaging Service (MG...), or both.
      TWILIO_FROM: z.string().min(1).optional(),
      TWILIO_MESSAGING_SERVICE_SID: z
        .string()
        .regex(/^MG[0-9a-fA-F]{32}$/, 'expected MG followed by 32 hex digits')
        .optional(),
      TWILIO_BASE_URL: url.default('https://api.twilio.com'),
    },
    secrets: { TWILIO_AUTH_TOKEN: secret.optional() },
    missing: (env) => [
      ...absent(env, ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']),
      ...(text(env, 'TWILIO_FROM') || text(env, 'TWILIO_MESSAGING_SERVICE_SID')
        ? []
        : ['TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID']),
    ],
    deduplicatesByKey: false,
    create: (env, timeoutMs) => {
      const from = text(env, 'TWILIO_FROM');
      const messagingServiceSid = text(env, 'TWILIO_MESSAGING_SERVICE_SID');
      return createTwilioSmsProvider({
        accountSid: text(env, 'TWILIO_ACCOUNT_SID')!,
        authToken: text(env, 'TWILIO_AUTH_TOKEN')!,
        ...(from ? { from } : {}),
        ...(messagingServiceSid ? { messagingServiceSid } : {}),
        baseUrl: text(env, 'TWILIO_BASE_URL') ?? 'https://api.twilio.com',
        timeoutMs,
      });
    },
  },
} as const satisfies Record<SmsProviderName, SmsProviderSpec>;

export const smsProviderNames = Object.keys(smsProviders) as [SmsProviderName, ...SmsProviderName[]];

/** Every provider's variables, plain and secret, for the config's sms section. */
export function providerVariables(): z.ZodRawShape {
  return Object.assign(
    {},
    ...Object.values(smsProviders).map((spec) => ({ ...spec.settings, ...spec.secrets })),
  );
}

/** The names of every provider's secret variables. */
export function providerSecretNames(): string[] {
  return Object.values(smsProviders).flatMap((spec) => Object.keys(spec.secrets));
}

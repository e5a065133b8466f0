import { z } from 'zod';
import { CliError, readJsonObject } from '../common/cli.ts';
import { e164Pattern } from '../common/e164.ts';
import {
  distribution,
  faultRulesSchema,
  phoneRulesSchema,
  probability,
  webhookSettingsSchema,
} from './http/control-routes.ts';
import type { RbmSandboxOptions } from './options.ts';

/**
 * The CLI's `--config` file: a JSON object with any of the options that have
 * no flag of their own. Checked with the control API's shapes, so a typo is a
 * one-line error at start, not a silently ignored key.
 */
const populationSchema = z.strictObject({
  rcsProbability: probability.optional(),
  availability: z
    .strictObject({ meanOnlineMs: z.number().positive(), meanOfflineMs: z.number().positive() })
    .nullable()
    .optional(),
  latency: distribution.optional(),
  inFlight: distribution.optional(),
  read: z.strictObject({ probability: probability.optional(), delay: distribution.optional() }).optional(),
  reply: z
    .strictObject({
      probability: probability.optional(),
      delay: distribution.optional(),
      typing: z.boolean().optional(),
      suggestionShare: probability.optional(),
      texts: z.array(z.string()).optional(),
    })
    .optional(),
  unsubscribe: z
    .strictObject({ probability: probability.optional(), delay: distribution.optional() })
    .optional(),
});

export const configFileSchema = z.strictObject({
  population: populationSchema.optional(),
  phones: z
    .record(z.string().regex(e164Pattern, 'phone keys must be E.164 numbers'), phoneRulesSchema)
    .optional(),
  webhook: webhookSettingsSchema.omit({ url: true, clientToken: true }).optional(),
  faults: faultRulesSchema.optional(),
  defaultAgentId: z.string().min(1).optional(),
  handshakeTimeoutMs: z.number().positive().optional(),
});

export type ConfigFile = Pick<
  RbmSandboxOptions,
  'population' | 'phones' | 'webhook' | 'faults' | 'defaultAgentId' | 'handshakeTimeoutMs'
>;

export function readConfigFile(path: string): ConfigFile {
  const result = configFileSchema.safeParse(readJsonObject('--config', path));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new CliError(`the --config file ${path} is not valid${where}: ${issue.message}`);
  }
  return result.data as ConfigFile;
}

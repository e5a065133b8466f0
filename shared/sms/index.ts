import type { Config } from '../config/index.ts';
import { smsProviders } from './providers.ts';
import type { SmsProvider } from './types.ts';

export { createHttpSmsProvider, signBody } from './http-provider.ts';
export { createTwilioSmsProvider } from './twilio-provider.ts';
export type { SmsProvider, SmsProviderName, SmsRequest, SmsResult } from './types.ts';

/**
 * The provider the configuration chose, from the registry. Cheap and offline
 * (no client, no network), so it is built at cold start. The config section
 * has already checked that the chosen provider's variables are set.
 */
export function createSmsProvider(config: Config<'sms'>): SmsProvider {
  return smsProviders[config.SMS_PROVIDER].create(config, config.SMS_TIMEOUT_MS);
}

import { type Config, ConfigError } from '../config/index.ts';
import { createHttpSmsProvider } from './http-provider.ts';
import { createTwilioSmsProvider } from './twilio-provider.ts';
import type { SmsProvider } from './types.ts';

export { createHttpSmsProvider, signBody } from './http-provider.ts';
export { createTwilioSmsProvider } from './twilio-provider.ts';
export type { SmsProvider, SmsProviderName, SmsRequest, SmsResult } from './types.ts';

/**
 * The provider the configuration chose. Cheap and offline (no client, no
 * network), so it is built at cold start. The config section has already
 * checked that the chosen provider's variables are set; `need` only narrows.
 */
export function createSmsProvider(config: Config<'sms'>): SmsProvider {
  const timeoutMs = config.SMS_TIMEOUT_MS;
  if (config.SMS_PROVIDER === 'http') {
    return createHttpSmsProvider({
      url: need(config.SMS_HTTP_URL, 'SMS_HTTP_URL'),
      secret: need(config.SMS_HTTP_SECRET, 'SMS_HTTP_SECRET'),
      timeoutMs,
    });
  }
  return createTwilioSmsProvider({
    accountSid: need(config.TWILIO_ACCOUNT_SID, 'TWILIO_ACCOUNT_SID'),
    authToken: need(config.TWILIO_AUTH_TOKEN, 'TWILIO_AUTH_TOKEN'),
    ...(config.TWILIO_FROM ? { from: config.TWILIO_FROM } : {}),
    ...(config.TWILIO_MESSAGING_SERVICE_SID
      ? { messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID }
      : {}),
    baseUrl: config.TWILIO_BASE_URL,
    timeoutMs,
  });
}

function need(value: string | undefined, name: string): string {
  if (!value) throw new ConfigError([`${name}: required by SMS_PROVIDER but not set`]);
  return value;
}

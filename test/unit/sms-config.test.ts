import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../../shared/config/index.ts';
import { createSmsProvider } from '../../shared/sms/index.ts';

const twilio = {
  SMS_PROVIDER: 'twilio',
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'twilio-token-value',
  TWILIO_FROM: '+15550001111',
};
const generic = {
  SMS_PROVIDER: 'http',
  SMS_HTTP_URL: 'https://sms.example.com/v1/messages',
  SMS_HTTP_SECRET: 'hmac-secret-value',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(['sms'], env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('sms config', () => {
  it('chooses the provider and fills the defaults', () => {
    const config = loadConfig(['sms'], twilio);
    expect(config).toMatchObject({
      SMS_PROVIDER: 'twilio',
      SMS_TIMEOUT_MS: 10_000,
      TWILIO_BASE_URL: 'https://api.twilio.com',
    });
    expect(createSmsProvider(config).name).toBe('twilio');
    expect(createSmsProvider(loadConfig(['sms'], generic)).name).toBe('http');
  });

  it('names every missing variable of the chosen provider in one error', () => {
    expect(problems({ SMS_PROVIDER: 'twilio' })).toEqual([
      'SMS_PROVIDER: the twilio provider needs variables that are not set: TWILIO_ACCOUNT_SID; TWILIO_AUTH_TOKEN; TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID (got "twilio")',
    ]);
    expect(problems({ SMS_PROVIDER: 'http', SMS_HTTP_URL: generic.SMS_HTTP_URL })).toEqual([
      'SMS_PROVIDER: the http provider needs variables that are not set: SMS_HTTP_SECRET (got "http")',
    ]);
    expect(problems({})).toEqual(['SMS_PROVIDER: required but not set']);
  });

  it("does not demand the other provider's variables; a Messaging Service can replace From", () => {
    expect(problems(generic)).toEqual([]);
    const { TWILIO_FROM: _, ...withoutFrom } = twilio;
    expect(problems({ ...withoutFrom, TWILIO_MESSAGING_SERVICE_SID: `MG${'b'.repeat(32)}` })).toEqual([]);
  });

  it('rejects malformed values without echoing secrets', () => {
    const found = problems({
      ...twilio,
      TWILIO_ACCOUNT_SID: 'nope',
      SMS_TIMEOUT_MS: '0',
      TWILIO_AUTH_TOKEN: '',
    });
    expect(found.join('\n')).toMatch(
      /TWILIO_ACCOUNT_SID: expected AC followed by 32 hex digits \(got "nope"\)/,
    );
    expect(found.join('\n')).toMatch(/SMS_TIMEOUT_MS/);
    expect(found.join('\n')).toMatch(/TWILIO_AUTH_TOKEN: .*\(value hidden\)/);
  });

  it('redacts the provider secrets', () => {
    const shown = JSON.stringify(
      redactConfig(loadConfig(['sms'], { ...twilio, ...generic, SMS_PROVIDER: 'http' })),
    );
    expect(shown).not.toContain('twilio-token-value');
    expect(shown).not.toContain('hmac-secret-value');
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../../shared/config/index.ts';

const complete = {
  GOOGLE_CLOUD_PROJECT: 'demo-project',
  RBM_AGENT_ID: 'agent-1',
  RBM_CLIENT_TOKEN: 'token-secret-value',
};

describe('loadConfig', () => {
  it('returns typed values with defaults for the requested sections', () => {
    const config = loadConfig(['core', 'rbm', 'webhook'], complete);
    expect(config.GOOGLE_CLOUD_PROJECT).toBe('demo-project');
    expect(config.FIRESTORE_DATABASE).toBe('(default)');
    expect(config.RBM_API_BASE_URL).toBe('https://rcsbusinessmessaging.googleapis.com');
    expect(config.RBM_TIMEOUT_MS).toBe(10_000);
    expect(config.WEBHOOK_MAX_BODY_BYTES).toBe(1_048_576);
  });

  it('coerces numbers and accepts a regional or local RBM host', () => {
    const config = loadConfig(['rbm'], {
      ...complete,
      RBM_API_BASE_URL: 'http://127.0.0.1:8085',
      RBM_TIMEOUT_MS: '2500',
    });
    expect(config.RBM_API_BASE_URL).toBe('http://127.0.0.1:8085');
    expect(config.RBM_TIMEOUT_MS).toBe(2500);
  });

  it('names every missing or malformed variable in one error', () => {
    const attempt = () =>
      loadConfig(['core', 'rbm', 'webhook'], { RBM_TIMEOUT_MS: '-3', RBM_API_BASE_URL: 'not a url' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/GOOGLE_CLOUD_PROJECT: required but not set/);
      expect(problems).toMatch(/RBM_AGENT_ID/);
      expect(problems).toMatch(/RBM_TIMEOUT_MS: .*"-3"/);
      expect(problems).toMatch(/RBM_API_BASE_URL/);
      expect(problems).toMatch(/RBM_CLIENT_TOKEN: required but not set/);
    }
  });

  it('never echoes a secret value in its error', () => {
    try {
      loadConfig(['webhook'], { RBM_CLIENT_TOKEN: '', RBM_CLIENT_TOKEN_PREVIOUS: '' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/RBM_CLIENT_TOKEN: .*\(value hidden\)/);
      expect((error as Error).message).toMatch(/RBM_CLIENT_TOKEN_PREVIOUS: .*\(value hidden\)/);
      expect((error as Error).message).not.toContain('got');
    }
  });

  it('ingestion: the documented defaults, and a bad value named', () => {
    expect(loadConfig(['ingestion'], {})).toEqual({
      INGESTION_LAG_TOLERANCE_SECONDS: 10,
      INGESTION_ACTIVE_WITHIN_SECONDS: 30,
      INGESTION_RECHECK_SECONDS: 10,
      INGESTION_MAX_DEFER_SECONDS: 300,
    });
    expect(() => loadConfig(['ingestion'], { INGESTION_MAX_DEFER_SECONDS: '0' })).toThrow(
      /INGESTION_MAX_DEFER_SECONDS: .*"0"/,
    );
  });

  it('only demands the sections a function asks for', () => {
    expect(() => loadConfig(['core'], { GOOGLE_CLOUD_PROJECT: 'p' })).not.toThrow();
  });
});

describe('redactConfig', () => {
  it('replaces secrets and keeps the rest', () => {
    const shown = redactConfig(loadConfig(['core', 'webhook'], complete));
    expect(shown.RBM_CLIENT_TOKEN).toBe('[redacted]');
    expect(shown.GOOGLE_CLOUD_PROJECT).toBe('demo-project');
    expect(JSON.stringify(shown)).not.toContain('token-secret-value');
  });
});

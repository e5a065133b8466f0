import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config/index.ts';
import { deliverySettings } from '../../shared/outcomes/deliver.ts';
import { outcomeIdFromEvent } from '../../shared/outcomes/event.ts';

const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;

describe('the outbox id an Eventarc Firestore event names', () => {
  it('from the document attribute, else the subject', () => {
    expect(outcomeIdFromEvent({ document: 'outcomes/m-1~delivered' })).toEqual({
      ok: true,
      outcomeId: 'm-1~delivered',
    });
    expect(outcomeIdFromEvent({ subject: 'documents/outcomes/m-1~read' })).toEqual({
      ok: true,
      outcomeId: 'm-1~read',
    });
  });

  it('refuses anything that is not a document of the outcomes collection', () => {
    for (const attributes of [
      {},
      { document: 'messages/m-1' },
      { document: 'outcomes/m-1/events/e' },
      { subject: 'documents/outcomes' },
      { document: 42 },
    ]) {
      expect(outcomeIdFromEvent(attributes).ok, JSON.stringify(attributes)).toBe(false);
    }
  });
});

describe('outcome push configuration', () => {
  const env = { GOOGLE_CLOUD_PROJECT: 'p' };

  it('off by default: no delivery settings, no secret needed', () => {
    const config = loadConfig(['core', 'outcomes'], env);
    expect(config.OUTCOME_PUSH).toBe(false);
    expect(deliverySettings(config)).toBeUndefined();
  });

  it('on without a signing secret: the cold start fails naming it', () => {
    const config = loadConfig(['core', 'outcomes'], { ...env, OUTCOME_PUSH: 'true' });
    expect(() => deliverySettings(config)).toThrow(ConfigError);
    expect(() => deliverySettings(config)).toThrow(
      /OUTCOME_SIGNING_SECRET: required when OUTCOME_PUSH is true/,
    );
  });

  it('a secret not in the whsec_ form is refused without echoing it', () => {
    try {
      loadConfig(['core', 'outcomes'], { ...env, OUTCOME_SIGNING_SECRET: 'plain-secret-value' });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).toContain('OUTCOME_SIGNING_SECRET');
      expect(String(error)).not.toContain('plain-secret-value');
    }
  });

  it('on, with the secret: the bounds from the environment', () => {
    const config = loadConfig(['core', 'outcomes'], {
      ...env,
      OUTCOME_PUSH: 'true',
      OUTCOME_SIGNING_SECRET: secret,
      OUTCOME_CALLBACK_URL: 'https://business.example/rbm',
      OUTCOME_MAX_AGE_HOURS: '12',
    });
    expect(deliverySettings(config)).toEqual({
      callbackUrl: 'https://business.example/rbm',
      signingSecret: secret,
      timeoutMs: 10_000,
      maxAttempts: 20,
      maxAgeMs: 12 * 3_600_000,
    });
  });
});

import { createPublicKey, createSign, generateKeyPairSync, verify } from 'node:crypto';
import { OAuth2Client } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { useTasksEmulator } from '../../helpers/tasks.ts';

// Start the clock at real time (whole seconds) so google-auth-library, which checks
// iat/exp against the wall clock, accepts the emulator's tokens.
const h = useTasksEmulator({ queues: [{ name: 'secure' }], start: Math.floor(Date.now() / 1000) * 1000 });

const SA = 'revoker@rbm-prod.iam.gserviceaccount.com';

function decode(token: string) {
  const [header, payload, signature] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header ?? '', 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()),
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature ?? '', 'base64url'),
  };
}

/** Verifies an RS256 JWT against a JWKS the way a relying party would: pick the key by kid, check the signature. */
function verifiesAgainst(token: string, jwks: { keys: Array<{ kid: string }> }): boolean {
  const { header, signingInput, signature } = decode(token);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk || header.alg !== 'RS256') return false;
  return verify(
    'RSA-SHA256',
    Buffer.from(signingInput),
    createPublicKey({ key: jwk, format: 'jwk' }),
    signature,
  );
}

async function tokenFor(
  oidcToken: { serviceAccountEmail: string; audience?: string },
  url = h.target.url('/revoke'),
) {
  await h.client.createTask({ parent: h.queuePath('secure'), task: { httpRequest: { url, oidcToken } } });
  await h.settle();
  const auth = h.target.requests.at(-1)?.headers.authorization ?? '';
  expect(auth).toMatch(/^Bearer /);
  return auth.slice('Bearer '.length);
}

describe('oidcToken: an RS256 ID token that verifies against the emulator JWKS', () => {
  it('carries Google-shaped claims for the service account and audience', async () => {
    const token = await tokenFor({ serviceAccountEmail: SA, audience: 'https://revoke-abc.a.run.app' });
    const { header, payload } = decode(token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: h.emulator.jwks().keys[0]?.kid });
    const iat = h.clock.now() / 1000;
    expect(payload).toEqual({
      iss: 'https://accounts.google.com',
      aud: 'https://revoke-abc.a.run.app',
      email: SA,
      email_verified: true,
      sub: expect.stringMatching(/^\d{21}$/),
      azp: payload.sub,
      iat,
      exp: iat + 3600,
    });
    expect(verifiesAgainst(token, h.emulator.jwks())).toBe(true);
  });

  it('defaults the audience to the task URL and replaces a caller Authorization header', async () => {
    const url = h.target.url('/fallback?m=1');
    await h.client.createTask({
      parent: h.queuePath('secure'),
      task: {
        httpRequest: {
          url,
          headers: { Authorization: 'Bearer forged' },
          oidcToken: { serviceAccountEmail: SA },
        },
      },
    });
    await h.settle();
    const auth = h.target.requests[0]?.headers.authorization ?? '';
    expect(auth).not.toBe('Bearer forged');
    expect(decode(auth.slice(7)).payload.aud).toBe(url);
  });

  it('verifies with google-auth-library pointed at the emulator certs, and only for the right audience', async () => {
    const token = await tokenFor({ serviceAccountEmail: SA, audience: 'https://revoke.local' });
    const verifier = new OAuth2Client({
      endpoints: { oauth2FederatedSignonPemCertsUrl: h.emulator.pemCertsUrl },
    });
    const ticket = await verifier.verifyIdToken({ idToken: token, audience: 'https://revoke.local' });
    expect(ticket.getPayload()).toMatchObject({
      email: SA,
      email_verified: true,
      aud: 'https://revoke.local',
    });
    await expect(verifier.verifyIdToken({ idToken: token, audience: 'https://other.local' })).rejects.toThrow(
      /audience/i,
    );
  });

  it('publishes the same key over HTTP as jwks()', async () => {
    const served = await fetch(h.emulator.jwksUrl).then((r) => r.json());
    expect(served).toEqual(h.emulator.jwks());
  });

  it('does not verify when signed with another key or tampered with', async () => {
    const token = await tokenFor({ serviceAccountEmail: SA });
    const { header, payload, signingInput } = decode(token);
    // Same header (same kid) and claims, signed by a key the emulator never published.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = `${signingInput}.${createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url')}`;
    expect(verifiesAgainst(forged, h.emulator.jwks())).toBe(false);
    // Valid signature, altered claims.
    const tampered = [
      Buffer.from(JSON.stringify(header)).toString('base64url'),
      Buffer.from(JSON.stringify({ ...payload, email: 'attacker@evil.example' })).toString('base64url'),
      token.split('.')[2],
    ].join('.');
    expect(verifiesAgainst(tampered, h.emulator.jwks())).toBe(false);
    expect(verifiesAgainst(token, h.emulator.jwks())).toBe(true);
    const verifier = new OAuth2Client({
      endpoints: { oauth2FederatedSignonPemCertsUrl: h.emulator.pemCertsUrl },
    });
    await expect(verifier.verifyIdToken({ idToken: forged, audience: payload.aud })).rejects.toThrow();
  });
});

import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OidcSigner } from '../../../local/tasks-emulator/oidc.ts';

/*
 * The emulator signs an ID token once per second for each service account and
 * audience: a token's claims hold iat in whole seconds and RS256 signatures are
 * deterministic, so signing again within the second would give the same bytes.
 * What a target receives is unchanged; the emulator saves an RSA signature per
 * dispatch in a burst.
 */

const SA = 'revoker@rbm-prod.iam.gserviceaccount.com';
const t0 = Date.UTC(2026, 11, 3, 12, 0, 0);

function claims(token: string) {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
}

function verifies(signer: OidcSigner, token: string): boolean {
  const [header, payload, signature] = token.split('.');
  const jwk = signer.jwks().keys[0]!;
  return verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature ?? '', 'base64url'),
  );
}

describe('OIDC tokens within one second', () => {
  it('are the same token for the same account and audience, and a new one the next second', () => {
    const signer = new OidcSigner();
    const first = signer.sign(SA, 'https://revoke.example', t0);
    expect(signer.sign(SA, 'https://revoke.example', t0 + 999)).toBe(first);
    const next = signer.sign(SA, 'https://revoke.example', t0 + 1_000);
    expect(next).not.toBe(first);
    expect(claims(first).iat).toBe(t0 / 1000);
    expect(claims(next).iat).toBe(t0 / 1000 + 1);
    for (const token of [first, next]) expect(verifies(signer, token)).toBe(true);
  });

  it('are signed apart for each audience and each account', () => {
    const signer = new OidcSigner();
    const revoke = signer.sign(SA, 'https://revoke.example', t0);
    const fallback = signer.sign(SA, 'https://fallback.example', t0);
    const other = signer.sign('other@rbm-prod.iam.gserviceaccount.com', 'https://revoke.example', t0);
    expect(claims(revoke).aud).toBe('https://revoke.example');
    expect(claims(fallback).aud).toBe('https://fallback.example');
    expect(claims(other).email).toBe('other@rbm-prod.iam.gserviceaccount.com');
    expect(new Set([revoke, fallback, other]).size).toBe(3);
    // Back to the first pair in the same second: still its own token.
    expect(signer.sign(SA, 'https://revoke.example', t0 + 10)).toBe(revoke);
  });
});

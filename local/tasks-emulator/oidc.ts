import { createHash, createSign, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';

/*
 * OIDC tokens shaped like the ones Cloud Tasks attaches for `oidcToken`
 * (a Google-signed ID token for the service account: iss https://accounts.google.com,
 * aud, azp and sub = the account's numeric id, email, email_verified, iat, exp,
 * RS256 with a `kid` from Google's JWKS). Here the key is generated at start and
 * published through `jwks()` / `pemCerts()` so local code verifies tokens the way
 * it verifies Google's, only against this key set.
 */

export const GOOGLE_ISSUER = 'https://accounts.google.com';
const TOKEN_LIFETIME_S = 3600;

export interface Jwk extends JsonWebKey {
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

export interface IdTokenClaims {
  iss: string;
  aud: string;
  azp: string;
  sub: string;
  email: string;
  email_verified: true;
  iat: number;
  exp: number;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Google reports service accounts by a 21-digit numeric id; derive a stable one from the email. */
export function serviceAccountId(email: string): string {
  const digest = createHash('sha256').update(email).digest();
  let id = '1';
  for (let i = 0; id.length < 21; i++) id += String(digest[i % digest.length]! % 10);
  return id;
}

export class OidcSigner {
  readonly kid: string;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  /**
   * Tokens signed in the current second, by email and audience. A token depends only on those
   * and on `iat`, in whole seconds, and RS256 (PKCS#1 v1.5) signatures are deterministic, so a
   * token signed again in the same second is byte for byte this one. An RSA signature costs about
   * a millisecond of CPU; a burst of dispatches to one target signs once a second instead of once
   * a dispatch.
   */
  #issued = { iat: Number.NaN, tokens: new Map<string, string>() };

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.kid = createHash('sha256').update(String(jwk.n)).digest('hex').slice(0, 40);
  }

  /** Signs an ID token for `email` and `audience`, issued at `nowMs` (the emulator's clock). */
  sign(email: string, audience: string, nowMs: number): string {
    const iat = Math.floor(nowMs / 1000);
    if (this.#issued.iat !== iat) this.#issued = { iat, tokens: new Map() };
    const key = `${email}\n${audience}`;
    const issued = this.#issued.tokens.get(key);
    if (issued !== undefined) return issued;
    const token = this.#signNew(email, audience, iat);
    this.#issued.tokens.set(key, token);
    return token;
  }

  #signNew(email: string, audience: string, iat: number): string {
    const sub = serviceAccountId(email);
    const claims: IdTokenClaims = {
      iss: GOOGLE_ISSUER,
      aud: audience,
      azp: sub,
      sub,
      email,
      email_verified: true,
      iat,
      exp: iat + TOKEN_LIFETIME_S,
    };
    const header = { alg: 'RS256', kid: this.kid, typ: 'JWT' };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(this.#privateKey);
    return `${signingInput}.${b64url(signature)}`;
  }

  /** The public key set, in the format of https://www.googleapis.com/oauth2/v3/certs. */
  jwks(): { keys: Jwk[] } {
    const jwk = this.#publicKey.export({ format: 'jwk' });
    return { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }

  /** kid -> PEM, the format of https://www.googleapis.com/oauth2/v1/certs (what google-auth-library reads). */
  pemCerts(): Record<string, string> {
    return { [this.kid]: this.#publicKey.export({ format: 'pem', type: 'spki' }).toString() };
  }
}

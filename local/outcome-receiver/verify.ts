import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Verifying an outcome push, written from the Standard Webhooks specification
 * (https://www.standardwebhooks.com) with node:crypto only, independent of the
 * library the product signs with. It is also the snippet in docs/outcomes.md.
 *
 *   signed content: `${webhook-id}.${webhook-timestamp}.${raw body}`
 *   signature:      base64(HMAC-SHA256(key, signed content)), sent as `v1,<signature>`;
 *                   the header may hold several, space-separated (key rotation)
 *   key:            the base64 after `whsec_` in the secret
 *   timestamp:      seconds since the epoch; refuse one more than 5 minutes off (replay)
 */

export type Verification = { ok: true; id: string; timestamp: number } | { ok: false; reason: string };

export function verifyOutcomePush(
  secret: string,
  headers: { get(name: string): string | null | undefined },
  rawBody: string | Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): Verification {
  const id = headers.get('webhook-id');
  const timestamp = headers.get('webhook-timestamp');
  const signatures = headers.get('webhook-signature');
  if (!id || !timestamp || !signatures)
    return { ok: false, reason: 'missing webhook-id, -timestamp or -signature' };
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - seconds) > toleranceSeconds)
    return { ok: false, reason: 'timestamp missing or outside the tolerance' };
  if (!secret.startsWith('whsec_')) return { ok: false, reason: 'the secret does not start with whsec_' };
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      return { ok: true, id, timestamp: seconds };
    }
  }
  return { ok: false, reason: 'no signature matches' };
}

/** A new signing secret in the Standard Webhooks form: whsec_ and 32 random bytes in base64. */
export function newSigningSecret(bytes: Buffer): string {
  return `whsec_${bytes.toString('base64')}`;
}

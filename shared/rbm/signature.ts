import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * RBM webhook authenticity (docs/rbm-platform.md#envelope-and-signature): X-Goog-Signature is
 * base64(HMAC-SHA512(key = clientToken, bytes = base64-decoded message.data)).
 * The HMAC covers the decoded bytes exactly as received, never re-serialised JSON.
 */
export function sign(clientToken: string, data: Buffer): string {
  return createHmac('sha512', clientToken).update(data).digest('base64');
}

/**
 * True when `signature` matches `data` under any accepted token (two during a
 * token rotation). Constant-time per comparison; the length check first is
 * what timingSafeEqual requires and leaks only the length of a valid HMAC.
 */
export function verifySignature(
  data: Buffer,
  signature: string | undefined,
  clientTokens: readonly string[],
): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature.trim(), 'base64');
  let ok = false;
  for (const token of clientTokens) {
    const expected = createHmac('sha512', token).update(data).digest();
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

/** Constant-time string comparison for the registration handshake's clientToken. */
export function tokenMatches(candidate: unknown, clientTokens: readonly string[]): boolean {
  if (typeof candidate !== 'string') return false;
  const given = Buffer.from(candidate);
  let ok = false;
  for (const token of clientTokens) {
    const expected = Buffer.from(token);
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The generic provider's request signature, defined here:
 *   X-Signature: sha256=<lowercase hex HMAC-SHA256(key = shared secret, bytes = the raw request body)>
 * computed over the exact bytes sent, compared in constant time.
 */
export const signatureHeader = 'x-signature';

export function signGenericBody(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export function verifyGenericSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signGenericBody(secret, rawBody));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

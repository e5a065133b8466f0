import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign, tokenMatches, verifySignature } from '../../shared/rbm/signature.ts';

const data = Buffer.from('{"eventType":"DELIVERED","eventId":"e1"}');
// Computed independently of sign(): the documented scheme, written out.
const expected = createHmac('sha512', 'token-a').update(data).digest('base64');

describe('verifySignature', () => {
  it('accepts base64(HMAC-SHA512(clientToken, decoded data))', () => {
    expect(sign('token-a', data)).toBe(expected);
    expect(verifySignature(data, expected, ['token-a'])).toBe(true);
  });

  it('accepts either token during a rotation', () => {
    expect(verifySignature(data, expected, ['token-new', 'token-a'])).toBe(true);
  });

  it('rejects a missing, truncated, wrong-key or tampered signature', () => {
    expect(verifySignature(data, undefined, ['token-a'])).toBe(false);
    expect(verifySignature(data, '', ['token-a'])).toBe(false);
    expect(verifySignature(data, expected.slice(0, 40), ['token-a'])).toBe(false);
    expect(verifySignature(data, expected, ['token-b'])).toBe(false);
    expect(verifySignature(Buffer.from(`${data} `), expected, ['token-a'])).toBe(false);
  });

  it('covers the bytes as received, not re-serialised JSON', () => {
    const spaced = Buffer.from('{ "eventType": "DELIVERED", "eventId": "e1" }');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(spaced.toString())));
    const signature = sign('token-a', spaced);
    expect(verifySignature(spaced, signature, ['token-a'])).toBe(true);
    expect(verifySignature(reserialised, signature, ['token-a'])).toBe(false);
  });
});

describe('tokenMatches', () => {
  it('matches only an exact token string', () => {
    expect(tokenMatches('token-a', ['token-a'])).toBe(true);
    expect(tokenMatches('token-a ', ['token-a'])).toBe(false);
    expect(tokenMatches(42, ['token-a'])).toBe(false);
    expect(tokenMatches('old', ['new', 'old'])).toBe(true);
  });
});

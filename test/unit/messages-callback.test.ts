import { describe, expect, it } from 'vitest';
import { callbackProblem } from '../../shared/messages/callback.ts';
import { fieldErrors, messageRequestSchema, prepareMessage } from '../../shared/messages/request.ts';

const base = {
  phoneNumber: '+14155550123',
  revokeAfter: '10m',
  policy: 'otp',
  content: { contentMessage: { text: 'code' } },
};
const errorsOf = (body: unknown) => {
  const parsed = messageRequestSchema.safeParse(body);
  return parsed.success ? [] : fieldErrors(parsed.error);
};

describe('a message’s own outcome callback', () => {
  it('is kept on the prepared message, and part of the request’s identity', () => {
    const parsed = messageRequestSchema.parse({
      ...base,
      callback: { url: 'https://business.example/rbm?tenant=7' },
    });
    const prepared = prepareMessage(parsed, new Date(), { agentId: 'a', newId: () => 'id' });
    expect(prepared.ok && prepared.message.callback).toEqual({
      url: 'https://business.example/rbm?tenant=7',
    });
    const other = prepareMessage(messageRequestSchema.parse(base), new Date(), {
      agentId: 'a',
      newId: () => 'id',
    });
    expect(prepared.ok && other.ok && prepared.message.requestHash !== other.message.requestHash).toBe(true);
  });

  it('is refused naming callback.url: not a URL, not https, credentials, too long, unknown fields', () => {
    expect(errorsOf({ ...base, callback: { url: 'not a url' } })).toEqual([
      { field: 'callback.url', reason: 'must be an absolute URL' },
    ]);
    expect(errorsOf({ ...base, callback: { url: 'http://business.example/rbm' } })).toEqual([
      { field: 'callback.url', reason: 'must be an https URL' },
    ]);
    expect(errorsOf({ ...base, callback: { url: 'ftp://business.example/rbm' } })).toEqual([
      { field: 'callback.url', reason: 'must be an https URL' },
    ]);
    expect(errorsOf({ ...base, callback: { url: 'https://user:pw@business.example/' } })).toEqual([
      { field: 'callback.url', reason: 'must not carry a user name or password' },
    ]);
    expect(errorsOf({ ...base, callback: { url: `https://b.example/${'x'.repeat(2048)}` } })).toEqual([
      { field: 'callback.url', reason: 'at most 2,048 characters' },
    ]);
    expect(errorsOf({ ...base, callback: { url: 'https://b.example/', secret: 'x' } })).toEqual([
      { field: 'callback.secret', reason: 'unknown field' },
    ]);
  });

  it('plain http only on loopback, and only where the deployment allows it (the local stack)', () => {
    expect(errorsOf({ ...base, callback: { url: 'http://127.0.0.1:8080/hook' } })).toEqual([]);
    expect(callbackProblem({ url: 'http://127.0.0.1:8080/hook' }, false)).toEqual({
      field: 'callback.url',
      reason: 'must be an https URL',
    });
    expect(callbackProblem({ url: 'http://127.0.0.1:8080/hook' }, true)).toBeUndefined();
    expect(callbackProblem({ url: 'https://business.example/' }, false)).toBeUndefined();
    expect(callbackProblem(undefined, false)).toBeUndefined();
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Rig, rbmApi, rig } from './setup.ts';

describe('RBM sandbox API authentication and error shape', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('answers 401 UNAUTHENTICATED in Google error JSON when no bearer token comes with the request', async () => {
    const res = await r.api.call(
      'POST',
      `/v1/phones/+15550001111/agentMessages?messageId=${crypto.randomUUID()}&agentId=a`,
      { contentMessage: { text: 'hi' } },
      false,
    );
    expect(res.status).toBe(401);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'status']);
    expect(res.body.error.code).toBe(401);
    expect(res.body.error.status).toBe('UNAUTHENTICATED');
    expect(res.body.error.message).toMatch(/authentication credential/);
    // Nothing was accepted.
    expect(r.sandbox.truth.messagesTo('+15550001111')).toEqual([]);
  });

  it('refuses an empty bearer token and a non-bearer scheme on every method', async () => {
    const url = r.sandbox.url;
    for (const authorization of ['Bearer ', 'Basic dXNlcjpwYXNz', 'token']) {
      const res = await fetch(`${url}/v1/phones/+15550001111/capabilities?agentId=a`, {
        headers: { authorization },
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
    }
    const del = await fetch(`${url}/v1/phones/+15550001111/agentMessages/${crypto.randomUUID()}?agentId=a`, {
      method: 'DELETE',
    });
    expect(del.status).toBe(401);
  });

  it('accepts any non-empty bearer token by default', async () => {
    const res = await rbmApi(r.sandbox.url, 'whatever-token').capabilities('+15550001111');
    expect(res.status).toBe(200);
  });

  it('accepts only the configured token when accessToken is set', async () => {
    const strict = await rig({ accessToken: 'the-token' });
    try {
      expect((await rbmApi(strict.sandbox.url, 'other').capabilities('+15550001111')).status).toBe(401);
      expect((await rbmApi(strict.sandbox.url, 'the-token').capabilities('+15550001111')).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('answers unknown paths and methods with 404 in the same error shape', async () => {
    const res = await r.api.call('PATCH', '/v1/phones/+15550001111/agentMessages');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentId, type Json, type Rig, rig } from './setup.ts';

/*
 * Regional hosts and capability checks, as Google's pages describe them
 * (docs/rbm-platform.md#capability-checks): phones.getCapabilities answers on
 * every host (global and regional); users.batchGet only on a regional host,
 * with numbers of that one region, 500 to 10,000 unique ones; anything else is
 * 400 INVALID_ARGUMENT in Google's error shape. Locally a regional host is the
 * path prefix /r/{region}, and the truth records which host each call came to.
 */

let r: Rig;
beforeAll(async () => {
  r = await rig();
});
afterAll(async () => {
  await r.close();
});

/** `count` UK numbers (+44 7700 900xxx, Ofcom's drama range, then beyond), from `from`. */
const uk = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `+447700${String(900_000 + from + i).padStart(6, '0')}`);
/** `count` US numbers (+1 415 5xx xxxx). */
const us = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `+1415${5_000_000 + from + i}`);

const batchGet = (host: string, body: object) =>
  r.api.call('POST', `${host === 'global' ? '' : `/r/${host}`}/v1/users:batchGet`, body);
const capabilities = (host: string, phone: string) =>
  r.api.call(
    'GET',
    `${host === 'global' ? '' : `/r/${host}`}/v1/phones/${phone}/capabilities?requestId=${randomUUID()}&agentId=${agentId}`,
  );

function expectInvalidArgument(answer: { status: number; body: Json }, text: RegExp) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  expect(answer.body).toEqual({
    error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.any(String) },
  });
  expect(answer.body.error.message).toMatch(text);
}

describe('each phone has a region', () => {
  it('from its calling code by the default table, or as set in its rules', async () => {
    expect(r.sandbox.profile('+447700900999').region).toBe('europe');
    expect(r.sandbox.profile('+14155550999').region).toBe('us');
    expect(r.sandbox.profile('+6591234567').region).toBe('asia');
    expect(r.sandbox.profile('+971501234567').region).toBe('europe');
    expect(r.sandbox.profile('+5511912345678').region).toBe('us');

    const put = await fetch(`${r.sandbox.url}/sandbox/phones/%2B6591230000`, {
      method: 'PUT',
      body: JSON.stringify({ region: 'europe' }),
    });
    expect(put.status).toBe(200);
    expect((await put.json()).region).toBe('europe');
    const bad = await fetch(`${r.sandbox.url}/sandbox/phones/%2B6591230000`, {
      method: 'PUT',
      body: JSON.stringify({ region: 'mars' }),
    });
    expect(bad.status).toBe(400);
  });
});

describe('phones.getCapabilities on every host', () => {
  it('answers the same on the global host and on each regional one, and records the host', async () => {
    const capable = '+447700901001';
    const notRcs = '+447700901002';
    r.sandbox.setPhone(capable, { rcs: true });
    r.sandbox.setPhone(notRcs, { rcs: false });
    for (const host of ['global', 'us', 'europe', 'asia']) {
      const yes = await capabilities(host, capable);
      expect(yes.status, host).toBe(200);
      expect(yes.body.features).toContain('RICHCARD_STANDALONE');
      const no = await capabilities(host, notRcs);
      expect(no.status, host).toBe(404);
      expect(no.body.error.status).toBe('NOT_FOUND');
    }
    expect(r.sandbox.truth.callsTo(capable).map((c) => [c.endpoint, c.host, c.status])).toEqual([
      ['capabilities', 'global', 200],
      ['capabilities', 'us', 200],
      ['capabilities', 'europe', 200],
      ['capabilities', 'asia', 200],
    ]);
    const overHttp = await fetch(`${r.sandbox.url}/sandbox/truth/calls?phoneNumber=%2B447700901002`);
    expect((await overHttp.json()).map((c: Json) => c.host)).toEqual(['global', 'us', 'europe', 'asia']);
  });

  it('sends, revokes and agent events work on a regional host too (not enforced, only recommended)', async () => {
    const phone = '+447700901003';
    r.sandbox.setPhone(phone, { offline: [{ forMs: 3_600_000 }] });
    const messageId = randomUUID();
    const sent = await r.api.call(
      'POST',
      `/r/europe/v1/phones/${phone}/agentMessages?messageId=${messageId}&agentId=${agentId}`,
      { contentMessage: { text: 'hi' } },
    );
    expect(sent.status).toBe(200);
    expect(
      (await r.api.call('DELETE', `/r/us/v1/phones/${phone}/agentMessages/${messageId}?agentId=${agentId}`))
        .status,
    ).toBe(200);
    expect(r.sandbox.truth.callsTo(phone).map((c) => [c.endpoint, c.host])).toEqual([
      ['send', 'europe'],
      ['revoke', 'us'],
    ]);
  });

  it('an unknown region is no host at all: 404', async () => {
    const answer = await r.api.call('GET', `/r/mars/v1/phones/+447700901004/capabilities?agentId=${agentId}`);
    expect(answer.status).toBe(404);
  });
});

describe('users.batchGet: regional endpoints, one region per batch', () => {
  it('answers a batch of one region on its own host with the reachable numbers and the sample counts', async () => {
    const users = uk(600, 2_000);
    const off = users.slice(0, 50);
    for (const phone of off) r.sandbox.setPhone(phone, { rcs: false });

    const answer = await batchGet('europe', { users, agentId });

    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
    expect(answer.body.reachableUsers).toHaveLength(550);
    expect(new Set(answer.body.reachableUsers)).toEqual(new Set(users.slice(50)));
    // The random sample is about 75% of the request, and its reachable share is at most all of it.
    expect(answer.body.totalRandomSampleUserCount).toBeGreaterThan(600 * 0.65);
    expect(answer.body.totalRandomSampleUserCount).toBeLessThan(600 * 0.85);
    expect(answer.body.reachableRandomSampleUserCount).toBeLessThanOrEqual(
      answer.body.totalRandomSampleUserCount,
    );
    expect(answer.body.reachableRandomSampleUserCount).toBeGreaterThan(0);
    // The same batch gives the same counts.
    expect((await batchGet('europe', { users, agentId })).body).toEqual(answer.body);
    const calls = r.sandbox.truth.callsTo().filter((c) => c.endpoint === 'batchGet' && c.status === 200);
    expect(calls.at(-1)).toMatchObject({ host: 'europe', phoneNumber: null, userCount: 600 });
  });

  it('refuses a batch on the global host: 400', async () => {
    expectInvalidArgument(await batchGet('global', { users: uk(500, 3_000), agentId }), /regional endpoint/);
  });

  it('refuses a mixed-region batch: 400, naming the regions', async () => {
    const mixed = [...uk(499, 4_000), ...us(1)];
    expectInvalidArgument(
      await batchGet('europe', { users: mixed, agentId }),
      /more than one region \(europe, us\)/,
    );
    expectInvalidArgument(await batchGet('us', { users: mixed, agentId }), /more than one region/);
  });

  it('refuses a batch sent to the wrong region’s host: 400', async () => {
    const users = uk(500, 5_000);
    expectInvalidArgument(
      await batchGet('us', { users, agentId }),
      /region europe, but this is the us endpoint/,
    );
    expectInvalidArgument(await batchGet('asia', { users, agentId }), /this is the asia endpoint/);
    expect((await batchGet('europe', { users, agentId })).status).toBe(200);
  });

  it('takes a phone’s region from its rules: one number moved to us makes a European batch mixed', async () => {
    const users = uk(500, 6_000);
    r.sandbox.setPhone(users[7]!, { region: 'us' });
    expectInvalidArgument(await batchGet('europe', { users, agentId }), /more than one region/);
  });

  it('holds 500 to 10,000 unique numbers: fewer, more or a duplicate is 400', async () => {
    expectInvalidArgument(await batchGet('europe', { users: uk(499, 7_000), agentId }), /500 to 10000/);
    expectInvalidArgument(await batchGet('us', { users: us(10_001, 100_000), agentId }), /got 10001/);
    const twice = uk(500, 8_000);
    twice[499] = twice[0]!;
    expectInvalidArgument(await batchGet('europe', { users: twice, agentId }), /duplicate/);
  });

  it('checks the body: users must be E.164 numbers and agentId is required', async () => {
    expectInvalidArgument(await batchGet('europe', { users: ['0044 7700 900000'], agentId }), /E\.164/);
    expectInvalidArgument(await batchGet('europe', { users: uk(500, 9_000) }), /agentId/);
    const noToken = await r.api.call(
      'POST',
      '/r/europe/v1/users:batchGet',
      { users: uk(500), agentId },
      false,
    );
    expect(noToken.status).toBe(401);
  });

  it('takes faults like every endpoint (batchGet)', async () => {
    r.sandbox.setFaults([{ endpoint: 'batchGet', kind: 'error', status: 503, times: 1 }]);
    const users = uk(500, 10_000);
    const failed = await batchGet('europe', { users, agentId });
    expect(failed.status).toBe(503);
    expect(failed.body.error.status).toBe('UNAVAILABLE');
    expect((await batchGet('europe', { users, agentId })).status).toBe(200);
    r.sandbox.setFaults([]);
  });
});

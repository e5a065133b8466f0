import { afterEach, describe, expect, it } from 'vitest';
import { smsRig } from './setup.ts';

/*
 * A provider that never answers (kind 'hang'): the client's own time-out
 * decides. Before sending nothing went out; after sending the SMS is in the
 * ground truth though the client heard nothing, and a retry with the same
 * key replays it instead of sending again.
 */

const rigs: Array<Awaited<ReturnType<typeof smsRig>>> = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.sandbox.stop();
});

/** Whether `answer` settles within `ms` of real time (a hung one never does). */
function answeredWithin(answer: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    answer.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
  ]);
}

describe("hung answers ('hang')", () => {
  it('before sending: no answer, nothing sent', async () => {
    const r = await smsRig({ failures: [{ kind: 'hang', times: 1 }] });
    rigs.push(r);
    const to = '+15550007101';
    expect(await answeredWithin(r.generic.send({ to, text: 'code' }), 300)).toBe(false);
    expect(r.sandbox.sent(to)).toHaveLength(0);
    expect(r.sandbox.records.attempts.at(-1)).toMatchObject({ to, status: null, outcome: 'failed' });
  });

  it('after sending: no answer, the SMS went out once, and a retry with the key replays it', async () => {
    const r = await smsRig({ failures: [{ kind: 'hang', phase: 'after', times: 1 }] });
    rigs.push(r);
    const to = '+15550007102';
    const idempotencyKey = 'hung-after-1';
    expect(await answeredWithin(r.generic.send({ to, text: 'code', idempotencyKey }), 300)).toBe(false);
    expect(r.sandbox.sent(to)).toHaveLength(1);
    const retry = await r.generic.send({ to, text: 'code', idempotencyKey });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(r.sandbox.sent(to)).toHaveLength(1);
  });
});

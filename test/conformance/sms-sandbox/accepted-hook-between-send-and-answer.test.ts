import { afterEach, describe, expect, it } from 'vitest';
import type { SmsRecord } from '../../../local/sms-sandbox/records.ts';
import { smsRig } from './setup.ts';

/*
 * What a chaos run kills the caller on: the SMS sandbox calls the accepted
 * hook once an SMS went out (it is in the ground truth) and before the
 * provider answers, with the caller's TCP port; never for a refused request.
 */

const rigs: Array<Awaited<ReturnType<typeof smsRig>>> = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.sandbox.stop();
});

describe('the accepted hook', () => {
  it('runs after the SMS is recorded, before the answer, for both provider shapes', async () => {
    const r = await smsRig();
    rigs.push(r);
    const seen: Array<{ sms: SmsRecord; alreadySent: number; remotePort: number | undefined }> = [];
    r.sandbox.onAccepted((sms, caller) =>
      seen.push({ sms, alreadySent: r.sandbox.sent(sms.to).length, remotePort: caller.remotePort }),
    );
    expect((await r.generic.send({ to: '+15550007001', text: 'code 1' })).status).toBe(201);
    expect((await r.twilio.send({ To: '+15550007002', From: '+15550000000', Body: 'code 2' })).status).toBe(
      201,
    );

    expect(seen.map((s) => [s.sms.to, s.sms.shape, s.alreadySent])).toEqual([
      ['+15550007001', 'generic', 1],
      ['+15550007002', 'twilio', 1],
    ]);
    for (const s of seen) expect(s.remotePort).toBeGreaterThan(0);
  });

  it('does not run for a send refused before sending, nor for a replay of the same key', async () => {
    const r = await smsRig();
    rigs.push(r);
    let calls = 0;
    r.sandbox.onAccepted(() => {
      calls += 1;
    });
    r.sandbox.failNext(1, 503, 'generic');
    expect((await r.generic.send({ to: '+15550007003', text: 'x', idempotencyKey: 'k-1' })).status).toBe(503);
    expect((await r.generic.send({ to: '+15550007003', text: 'x', idempotencyKey: 'k-1' })).status).toBe(201);
    expect((await r.generic.send({ to: '+15550007003', text: 'x', idempotencyKey: 'k-1' })).status).toBe(201);
    expect(calls).toBe(1);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { smsRig, start, twilioAccount } from './setup.ts';

const to = '+15552220000';

describe("Twilio's Messages API shape", () => {
  let rig: Awaited<ReturnType<typeof smsRig>>;
  beforeEach(async () => {
    rig = await smsRig();
  });
  afterEach(() => rig.sandbox.stop());

  it('answers 201 with the Message resource: SM sid, status queued', async () => {
    const res = await rig.twilio.send({ To: to, From: '+15559990000', Body: 'Your code is 654321' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      account_sid: twilioAccount.accountSid,
      to,
      from: '+15559990000',
      body: 'Your code is 654321',
      status: 'queued',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      num_segments: '1',
      error_code: null,
      error_message: null,
      date_created: 'Thu, 01 Jan 2026 12:00:00 +0000',
    });
    expect(res.body.uri).toBe(
      `/2010-04-01/Accounts/${twilioAccount.accountSid}/Messages/${res.body.sid}.json`,
    );
    expect(rig.sandbox.sent()).toEqual([
      expect.objectContaining({
        id: res.body.sid,
        shape: 'twilio',
        to,
        idempotencyKey: null,
        acceptedAt: start,
      }),
    ]);
  });

  it('accepts a MessagingServiceSid instead of From (status accepted)', async () => {
    const res = await rig.twilio.send({ To: to, MessagingServiceSid: `MG${'2'.repeat(32)}`, Body: 'hi' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'accepted',
      messaging_service_sid: `MG${'2'.repeat(32)}`,
      from: null,
    });
  });

  it('rejects bad basic auth with 401 in Twilio error JSON (code 20003)', async () => {
    for (const options of [
      { password: null },
      { password: 'wrong' },
      { user: `AC${'9'.repeat(32)}` },
    ] as const) {
      const res = await rig.twilio.send({ To: to, From: '+15559990000', Body: 'x' }, options);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      });
    }
    expect(rig.sandbox.sent()).toEqual([]);
  });

  it('validates like Twilio: To, From, Body, length', async () => {
    const cases: Array<[Record<string, string>, number]> = [
      [{ From: '+15559990000', Body: 'x' }, 21604],
      [{ To: 'not-a-number', From: '+15559990000', Body: 'x' }, 21211],
      [{ To: to, Body: 'x' }, 21603],
      [{ To: to, From: '+15559990000' }, 21602],
      [{ To: to, From: '+15559990000', Body: 'x'.repeat(1_601) }, 21617],
    ];
    for (const [form, code] of cases) {
      const res = await rig.twilio.send(form);
      expect(res.status, JSON.stringify(form)).toBe(400);
      expect(res.body).toMatchObject({
        code,
        status: 400,
        more_info: `https://www.twilio.com/docs/errors/${code}`,
      });
    }
    const wrongAccount = await rig.twilio.send(
      { To: to, From: '+1', Body: 'x' },
      { accountSid: `AC${'3'.repeat(32)}` },
    );
    expect(wrongAccount.status).toBe(404);
    expect(rig.sandbox.sent()).toEqual([]);
  });

  it('has no idempotency: posting twice sends twice, and the ground truth counts the duplicate', async () => {
    await rig.twilio.send({ To: to, From: '+15559990000', Body: 'code 1' });
    await rig.twilio.send({ To: to, From: '+15559990000', Body: 'code 1' });
    expect(rig.sandbox.deliveredTo(to)).toHaveLength(2);
    expect(rig.sandbox.records.duplicates()).toEqual([{ to, text: 'code 1', count: 2 }]);
  });
});

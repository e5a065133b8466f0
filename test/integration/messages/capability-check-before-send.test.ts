import { describe, expect, it } from 'vitest';
import { readReport } from '../../../shared/report/read.ts';
import { expectConsistentWithTruth, otpRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * The capability check before a send (docs/messages-api.md#capability-check), with the
 * deployment default on (CAPABILITY_CHECK=on): phones.getCapabilities on the number's
 * regional host first; not reachable over RBM -> straight to the SMS with no send
 * attempt; reachable -> sent once; a failed check -> sent as without one. Every case
 * ends in the sandbox's ground truth, which records each API call and its host.
 */

const h = useStack({ capabilityCheck: 'on' });
const minute = 60_000;

const calls = (phone: string) => h.stack.rbm.truth.callsTo(phone).map((c) => [c.endpoint, c.host, c.status]);
type View = { timeline: Array<{ type: string }> };
const types = (view: View) => view.timeline.map((e) => e.type);
const entry = (view: View, type: string) => view.timeline.find((e) => e.type === type);

describe('a number not reachable over RBM', () => {
  it('goes straight to its SMS after the check: the platform never saw a send', async () => {
    const phone = '+447700900101';
    h.stack.rbm.setPhone(phone, { rcs: false });

    const id = await sendOk(h, otpRequest(phone));
    await h.advance(30 * minute);

    const { message, truth, smsCount, view } = await expectConsistentWithTruth(h, id);
    expect(truth, 'the platform never accepted a message').toBeUndefined();
    expect(calls(phone), 'one check on the European host, and no send').toEqual([
      ['capabilities', 'europe', 404],
    ]);
    expect(message).toMatchObject({
      status: 'sms_sent',
      send: { state: 'not_rcs', from: 'capability_check', httpStatus: 404 },
      capabilityCheck: { outcome: 'unreachable', reachable: false, region: 'europe', httpStatus: 404 },
      revocation: { state: 'none', attempts: 0 },
      fallback: { state: 'sent' },
    });
    expect(smsCount).toBe(1);
    expect(types(view)).toEqual(expect.arrayContaining(['CAPABILITY_CHECKED', 'REGISTERED']));
    expect(entry(view, 'CAPABILITY_CHECKED')).toMatchObject({
      reachable: false,
      region: 'europe',
      outcome: 'unreachable',
    });
  });

  it('without SMS text is recorded as failed, still with nothing sent', async () => {
    const phone = '+447700900102';
    h.stack.rbm.setPhone(phone, { rcs: false });
    const { sms: _sms, ...request } = otpRequest(phone);
    const id = await sendOk(h, request);
    const { message } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('failed');
    expect(calls(phone)).toEqual([['capabilities', 'europe', 404]]);
  });
});

describe('a reachable number', () => {
  it('is sent once after the check, on the check’s say-so, and the rest of its life is as without one', async () => {
    const phone = '+14155550401';
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [], latency: 1_000, neverReads: true });

    const id = await sendOk(h, otpRequest(phone));
    await h.advance(15 * minute);

    const { message, truth, smsCount, view } = await expectConsistentWithTruth(h, id);
    expect(calls(phone)).toEqual([
      ['capabilities', 'us', 200],
      ['send', 'global', 200],
    ]);
    expect(h.stack.rbm.truth.messagesTo(phone)).toHaveLength(1);
    expect(truth).toMatchObject({ status: 'delivered', ignoredResends: 0 });
    expect(message).toMatchObject({
      status: 'delivered',
      send: { state: 'sent', httpStatus: 200 },
      capabilityCheck: { outcome: 'reachable', reachable: true, region: 'us', httpStatus: 200 },
    });
    expect(message.send.from).toBeUndefined();
    expect(smsCount).toBe(0);
    expect(entry(view, 'CAPABILITY_CHECKED')).toMatchObject({ reachable: true, region: 'us' });
    expect(types(view)).toContain('REGISTERED');
  });

  it('routes each number’s check to its own region’s host: a European and a US number', async () => {
    const european = '+447700900103';
    const american = '+14155550402';
    for (const phone of [european, american]) h.stack.rbm.setPhone(phone, { rcs: true, offline: [] });

    const ids = [await sendOk(h, otpRequest(european)), await sendOk(h, otpRequest(american))];

    expect(calls(european)[0]).toEqual(['capabilities', 'europe', 200]);
    expect(calls(american)[0]).toEqual(['capabilities', 'us', 200]);
    const views = await Promise.all(ids.map((id) => h.view(id)));
    expect(views.map((v) => v.message.capabilityCheck.region)).toEqual(['europe', 'us']);
  });

  it('a message may opt out of the deployment’s check: capabilityCheck false sends straight away', async () => {
    const phone = '+14155550403';
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [] });
    const id = await sendOk(h, otpRequest(phone, { capabilityCheck: false }));
    expect(calls(phone)).toEqual([['send', 'global', 200]]);
    const view = await h.view(id);
    expect(view.message.capabilityCheck).toBeUndefined();
    expect(types(view)).not.toContain('CAPABILITY_CHECKED');
  });
});

describe('a failed check does not lose the message', () => {
  it('503 from the check: the message is sent as without one, and the failure is recorded', async () => {
    const phone = '+14155550404';
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [], neverReads: true });
    h.stack.rbm.setFaults([{ endpoint: 'capabilities', kind: 'error', status: 503, times: 1 }]);

    const id = await sendOk(h, otpRequest(phone));
    await h.advance(15 * minute);

    const { message, truth, smsCount } = await expectConsistentWithTruth(h, id);
    expect(calls(phone)).toEqual([
      ['capabilities', 'us', 503],
      ['send', 'global', 200],
    ]);
    expect(truth?.status).toBe('delivered');
    expect(message).toMatchObject({
      status: 'delivered',
      send: { state: 'sent' },
      capabilityCheck: { outcome: 'failed', reachable: null, region: 'us', httpStatus: 503 },
    });
    expect(smsCount).toBe(0);
  });

  it('503 from the check for a number without RCS: the send’s own 404 still sends it to SMS', async () => {
    const phone = '+447700900104';
    h.stack.rbm.setPhone(phone, { rcs: false });
    h.stack.rbm.setFaults([{ endpoint: 'capabilities', kind: 'error', status: 503, times: 1 }]);

    const id = await sendOk(h, otpRequest(phone));
    await h.advance(30 * minute);

    const { message, smsCount } = await expectConsistentWithTruth(h, id);
    expect(calls(phone)).toEqual([
      ['capabilities', 'europe', 503],
      ['send', 'global', 404],
    ]);
    expect(message).toMatchObject({ status: 'sms_sent', send: { state: 'not_rcs', httpStatus: 404 } });
    expect(message.send.from).toBeUndefined();
    expect(smsCount).toBe(1);
  });
});

describe('capabilityCheck in the request', () => {
  it('is a boolean, and only for a message this system sends: else 400 naming the field, nothing written', async () => {
    const phone = '+14155550405';
    const notBoolean = await h.send(otpRequest(phone, { capabilityCheck: 'yes' }));
    expect(notBoolean.status).toBe(400);
    expect(notBoolean.body.errors).toEqual([{ field: 'capabilityCheck', reason: 'must be true or false' }]);

    const { content: _content, ...registerOnly } = otpRequest(phone, { capabilityCheck: true });
    const withoutContent = await h.send(registerOnly);
    expect(withoutContent.status).toBe(400);
    expect(withoutContent.body.errors.map((e: { field: string }) => e.field)).toEqual(['capabilityCheck']);
    expect(h.stack.rbm.truth.callsTo(phone)).toEqual([]);
  });

  it('a message only registered (sent by the business) is never checked', async () => {
    const phone = '+14155550406';
    const { content: _content, ...registerOnly } = otpRequest(phone);
    await sendOk(h, registerOnly);
    expect(h.stack.rbm.truth.callsTo(phone)).toEqual([]);
  });
});

describe('the report', () => {
  it('counts the checks by outcome, as the sandbox answered them', async () => {
    const report = await readReport(h.stack.db);
    // The sandbox's record of every capability call it answered: 200 reachable, 404 not, else failed.
    const checks = h.stack.rbm.truth.callsTo().filter((call) => call.endpoint === 'capabilities');
    const answered = (test: (status: number) => boolean) => checks.filter((c) => test(c.status)).length;
    expect(report.overall.capabilityChecks).toEqual({
      reachable: answered((s) => s === 200),
      unreachable: answered((s) => s === 404),
      failed: answered((s) => s !== 200 && s !== 404),
    });
    expect(report.overall.capabilityChecks.unreachable).toBeGreaterThan(0);
    expect(report.overall.capabilityChecks.failed).toBeGreaterThan(0);
  });
});

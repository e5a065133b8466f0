import { describe, expect, it } from 'vitest';
import type { OutcomeKind } from '../../../shared/lifecycle/outcomes.ts';
import { readReport } from '../../../shared/report/read.ts';
import { expectConsistentWithTruth, otpRequest, promoRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * Outcome push end to end on the local stack: the product's steps write the outbox, the
 * Eventarc stand-in posts CloudEvents to the outcomes function, which pushes to the local
 * business. Each path ends in the ground truth (the sandboxes': what reached the phone, what
 * SMS went out) and in what the business heard, de-duplicated by webhook-id as a receiver
 * should, every signature verified by the spec.
 */

const lost = new Set<string>();
const h = useStack({ outcomes: { lose: (id) => lost.has(id), redriveSeconds: 600 } });

function offlinePast(phone: string, rules: Record<string, unknown> = {}, hours = 2) {
  h.stack.rbm.setPhone(phone, {
    rcs: true,
    offline: [{ forMs: hours * 3_600_000 }],
    neverReads: true,
    ...rules,
  });
}

/** What the business accepted about one message: kind -> the push, once per webhook-id. */
function heard(messageId: string) {
  const receiver = h.stack.outcomes!.receiver;
  const about = receiver.received.filter((p) => p.payload.data?.messageId === messageId);
  for (const push of about) expect(push.verification, push.id).toMatchObject({ ok: true });
  const accepted = receiver.accepted().filter((p) => p.payload.data?.messageId === messageId);
  const kinds = accepted.map((p) => p.id.split('~')[1] as OutcomeKind).sort();
  expect(new Set(kinds).size, 'one accepted push per outcome').toBe(kinds.length);
  return {
    about,
    accepted,
    kinds,
    of: (kind: OutcomeKind) => accepted.find((p) => p.id === `${messageId}~${kind}`)!,
  };
}

describe('each lifecycle path pushes exactly its outcomes', () => {
  it('delivered, then read: two pushes whose times are the platform truth', async () => {
    const phone = '+14155550301';
    h.stack.rbm.setPhone(phone, {
      rcs: true,
      offline: [],
      latency: { median: 2_000, spread: 0 },
      read: { probability: 1, delay: { median: 20_000, spread: 0 } },
    });
    const id = await sendOk(h, promoRequest(phone));
    await h.advance(2 * 3_600_000);
    const { message, truth } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('read');
    const pushed = heard(id);
    expect(pushed.kinds).toEqual(['delivered', 'read']);
    expect(pushed.of('delivered').payload).toMatchObject({
      type: 'message.delivered',
      version: 1,
      data: {
        messageId: id,
        occurredAt: new Date(truth!.deliveredAt!).toISOString(),
        labels: { kind: 'promo' },
      },
    });
    expect(pushed.of('read').payload).toMatchObject({
      type: 'message.read',
      data: { occurredAt: new Date(truth!.readAt!).toISOString() },
    });
    expect(JSON.stringify(pushed.about)).not.toContain(phone.slice(1));
  });

  it('revoked, then the SMS: revoked and sms_sent, and the phone never got the RCS', async () => {
    const phone = '+14155550302';
    offlinePast(phone, {}, 3);
    const id = await sendOk(h, promoRequest(phone));
    await h.advance(4 * 3_600_000);
    const { message, truth, smsCount } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('sms_sent');
    expect(truth?.neverDelivered).toBe(true);
    expect(smsCount).toBe(1);
    expect(heard(id).kinds).toEqual(['revoked', 'sms_sent']);
  });

  it('the SMS and a late DELIVERED both reached the phone: sms_sent, delivered, duplicate_delivery', async () => {
    const phone = '+14155550303';
    offlinePast(phone, { racesRevoke: { answer: 200, deliveredAfterMs: 10_000, times: 1 } });
    const id = await sendOk(h, otpRequest(phone));
    await h.advance(3 * 3_600_000);
    const { message, smsCount } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('duplicate');
    expect(smsCount).toBe(1);
    const pushed = heard(id);
    expect(pushed.kinds).toEqual(['delivered', 'duplicate_delivery', 'sms_sent']);
    expect(pushed.of('duplicate_delivery').payload).toMatchObject({
      data: { duplicateDelivery: true, status: 'duplicate' },
    });
  });

  it('not RCS-capable and no SMS text: one failed push, with the reason', async () => {
    const phone = '+14155550304';
    h.stack.rbm.setPhone(phone, { rcs: false });
    const { sms: _none, ...request } = otpRequest(phone);
    const id = await sendOk(h, request);
    await h.advance(30 * 60_000);
    const { message, smsCount } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('failed');
    expect(smsCount).toBe(0);
    const pushed = heard(id);
    expect(pushed.kinds).toEqual(['failed']);
    expect(pushed.of('failed').payload).toMatchObject({
      type: 'message.failed',
      data: { status: 'failed', reason: expect.stringContaining('not RCS-capable') },
    });
  });
});

describe('escalation', () => {
  it('delivered and never read, nudged by SMS: delivered, then escalated, with the nudge time', async () => {
    const phone = '+14155550308';
    h.stack.rbm.setPhone(phone, {
      rcs: true,
      offline: [],
      latency: { median: 2_000, spread: 0 },
      neverReads: true,
    });
    const id = await sendOk(h, promoRequest(phone, { escalation: { unreadAfter: '10m' } }));
    await h.advance(2 * 3_600_000);
    const { message, smsCount } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('delivered');
    expect(message.escalation?.state).toBe('sent');
    expect(smsCount).toBe(1);
    const pushed = heard(id);
    expect(pushed.kinds).toEqual(['delivered', 'escalated']);
    expect(pushed.of('escalated').payload).toMatchObject({
      type: 'message.escalated',
      data: { escalatedAt: new Date(message.escalation!.sentAt!).toISOString(), status: 'delivered' },
    });
  });
});

describe('delivery of the pushes', () => {
  it("a message's own callback URL receives its outcomes; the message stores it", async () => {
    const phone = '+14155550307';
    h.stack.rbm.setPhone(phone, {
      rcs: true,
      offline: [],
      latency: { median: 1_000, spread: 0 },
      neverReads: true,
    });
    const own = `${h.stack.outcomes!.receiver.url}/tenant-7`;
    const id = await sendOk(h, promoRequest(phone, { callback: { url: own } }));
    await h.advance(5 * 60_000);
    const pushed = heard(id);
    expect(pushed.kinds).toEqual(['delivered']);
    expect(pushed.of('delivered').path).toBe('/rbm/outcomes/tenant-7');
    expect((await h.stack.db.doc(`messages/${id}`).get()).get('callback')).toEqual({ url: own });
    expect((await h.stack.db.doc(`outcomes/${id}~delivered`).get()).get('callbackUrl')).toBe(own);
  });

  it('a receiver answering 500 gets the same push again, same webhook-id, and acts on it once', async () => {
    const phone = '+14155550305';
    h.stack.rbm.setPhone(phone, {
      rcs: true,
      offline: [],
      latency: { median: 1_000, spread: 0 },
      neverReads: true,
    });
    const request = promoRequest(phone);
    h.stack.outcomes!.receiver.refuseMessage(request.messageId, 500, 1);
    const id = await sendOk(h, request);
    await h.advance(5 * 60_000);
    const pushed = heard(id);
    expect(pushed.about.map((p) => [p.id, p.status])).toEqual([
      [`${id}~delivered`, 500],
      [`${id}~delivered`, 200],
    ]);
    expect(pushed.kinds).toEqual(['delivered']);
    const outbox = (await h.stack.db.doc(`outcomes/${id}~delivered`).get()).data()!;
    expect(outbox).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 200 });
  });

  it('an event Eventarc lost is re-driven by the sweep once its push sat untouched past the bound', async () => {
    const phone = '+14155550306';
    h.stack.rbm.setPhone(phone, {
      rcs: true,
      offline: [],
      latency: { median: 1_000, spread: 0 },
      neverReads: true,
    });
    const request = promoRequest(phone);
    lost.add(`${request.messageId}~delivered`);
    const id = await sendOk(h, request);
    await h.advance(2 * 60_000);
    expect(h.stack.outcomes!.bridge.lost).toContain(`${id}~delivered`);
    expect(heard(id).kinds).toEqual([]);
    // OUTCOME_REDRIVE_SECONDS 600, the sweep every 5 minutes.
    await h.advance(20 * 60_000);
    expect(heard(id).kinds).toEqual(['delivered']);
    expect((await h.stack.db.doc(`outcomes/${id}~delivered`).get()).get('state')).toBe('delivered');
  });
});

describe('the report', () => {
  it('counts the pushes by state: delivered is every outcome the business accepted, once each', async () => {
    await h.advance(30 * 60_000);
    const report = await readReport(h.stack.db);
    const acceptedIds = new Set(h.stack.outcomes!.receiver.accepted().map((p) => p.id));
    expect(acceptedIds.size).toBeGreaterThan(5);
    expect(report.outcomePushes).toEqual({ pending: 0, delivered: acceptedIds.size, failed: 0 });
  });
});

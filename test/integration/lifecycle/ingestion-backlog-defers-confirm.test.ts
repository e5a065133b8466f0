import { describe, expect, it } from 'vitest';
import { expectConsistentWithTruth, otpRequest, promoRequest, sendOk } from '../../helpers/scenario.ts';
import { type StackHarness, useStack } from '../../helpers/stack.ts';

// The platform's webhook queue falls behind: every payload reaches the webhook `lagMs`
// after the platform published it (reorderRate 1 holds each one back by the same delay,
// so they stay in order), while other traffic keeps it delivering. The confirm step must
// not conclude "no DELIVERED came" meanwhile. A 120 s cap keeps the cap case short.
const maxDeferSeconds = 120;
const h = useStack({ ingestion: { INGESTION_MAX_DEFER_SECONDS: maxDeferSeconds } });
const online = { rcs: true, offline: [], latency: { median: 1_000, spread: 0 }, neverReads: true };
const otpDeadline = { revokeAfter: '30s' };

/** Holds every webhook payload back `lagMs`, or delivers at once again (0). */
function webhookLag(lagMs: number) {
  h.stack.rbm.configureWebhook(lagMs > 0 ? { reorderRate: 1, reorderDelayMs: lagMs } : { reorderRate: 0 });
}

/** Other messages, one every 20 s for `ms`, whose DELIVERED keep the webhook storing (late). */
async function steadyTraffic(harness: StackHarness, phone: string, ms: number) {
  for (let elapsed = 0; elapsed < ms; elapsed += 20_000) {
    await sendOk(harness, promoRequest(phone));
    await harness.advance(20_000);
  }
}

type Entry = { type: string; at: string; round?: number; lagMs?: number; verdict?: string };
const entries = (view: { timeline: Entry[] }, type: string) => view.timeline.filter((e) => e.type === type);

describe('the webhook queue is behind', () => {
  it('a DELIVERED held back past the grace period: no re-revoke, no SMS; delivered once it arrives', async () => {
    const lagMs = 90_000;
    const target = '+14155551101';
    const background = '+14155551102';
    h.stack.rbm.setPhone(target, online);
    h.stack.rbm.setPhone(background, online);
    webhookLag(lagMs);
    await steadyTraffic(h, background, lagMs + 20_000);

    // Delivered on the phone at once; its DELIVERED waits 90 s, past the deadline (30 s,
    // revoke answers 404) and the otp grace period (30 s more).
    const id = await sendOk(h, otpRequest(target, otpDeadline));
    await steadyTraffic(h, background, lagMs + 40_000);
    webhookLag(0);
    await h.advance(200_000);

    const { message, truth, smsCount, view } = await expectConsistentWithTruth(h, id);
    expect(truth?.revokeAttempts.map((a) => a.answer)).toEqual([404]);
    expect(message.status).toBe('delivered');
    expect(smsCount).toBe(0);
    expect(message.revocation.deferrals).toBeGreaterThan(0);
    const deferred = entries(view, 'REVOKE_CONFIRM_DEFERRED');
    expect(deferred).toHaveLength(message.revocation.deferrals);
    expect(deferred[0]).toMatchObject({ round: 1, lagMs: expect.any(Number) });
    expect(deferred[0]!.lagMs).toBeGreaterThanOrEqual(lagMs);
    expect(entries(view, 'REVOKE_CONFIRM')).toEqual([]);
  });

  it('idle: a single offline phone and no traffic since the backlog: no deferral, SMS as before', async () => {
    // The shard of the test above is still fresh (written within 10 min) and its last event
    // was 90 s late, but it stopped storing minutes ago: no evidence that anything is queued.
    await h.advance(60_000);
    const phone = '+14155551103';
    h.stack.rbm.setPhone(phone, { rcs: true, offline: [{ forMs: 3_600_000 }], neverReads: true });
    const id = await sendOk(h, promoRequest(phone, { revokeAfter: '1m' }));
    await h.advance(600_000);

    const { message, smsCount, view } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('sms_sent');
    expect(smsCount).toBe(1);
    expect(message.revocation.deferrals).toBeUndefined();
    expect(entries(view, 'REVOKE_CONFIRM_DEFERRED')).toEqual([]);
  });

  it('the cap: behind for longer than INGESTION_MAX_DEFER_SECONDS, the confirm step proceeds', async () => {
    const lagMs = 400_000;
    const target = '+14155551104';
    const background = '+14155551105';
    h.stack.rbm.setPhone(target, online);
    h.stack.rbm.setPhone(background, online);
    webhookLag(lagMs);
    await steadyTraffic(h, background, lagMs + 20_000);

    const id = await sendOk(h, otpRequest(target, otpDeadline));
    await steadyTraffic(h, background, lagMs + 40_000);
    webhookLag(0);
    await h.advance(900_000);

    // The DELIVERED came 400 s late, long after the capped wait: the otp fell back
    // (delivery uncertain after three 404s), and the DELIVERED that followed is flagged.
    const { message, smsCount, view } = await expectConsistentWithTruth(h, id);
    expect(message.status).toBe('duplicate');
    expect(smsCount).toBe(1);
    const deferred = entries(view, 'REVOKE_CONFIRM_DEFERRED');
    expect(deferred.length).toBe(message.revocation.deferrals);
    const first = new Date(deferred[0]!.at).getTime();
    const confirms = entries(view, 'REVOKE_CONFIRM');
    expect(confirms[0]).toMatchObject({ round: 1, verdict: expect.stringMatching(/still behind/) });
    expect(new Date(confirms[0]!.at).getTime() - first).toBe(maxDeferSeconds * 1000);
    // The budget is the message's: later rounds confirm at once.
    expect(deferred.every((e) => e.round === 1)).toBe(true);
  });
});

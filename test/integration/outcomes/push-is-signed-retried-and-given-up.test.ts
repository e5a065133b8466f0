import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OutcomeReceiver, startOutcomeReceiver } from '../../../local/outcome-receiver/index.ts';
import { newSigningSecret, verifyOutcomePush } from '../../../local/outcome-receiver/verify.ts';
import { type PubsubEmulator, startPubsubEmulator } from '../../../local/pubsub-emulator/index.ts';
import { createLogger } from '../../../shared/log/index.ts';
import { type DeliverDeps, deliverOutcome, signedHeaders } from '../../../shared/outcomes/deliver.ts';
import { createPubsubPublisher } from '../../../shared/outcomes/publish.ts';
import { redriveOutcomes } from '../../../shared/outcomes/redrive.ts';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

/*
 * One push, through the real Firestore client against the emulator and real HTTP to a receiver
 * that verifies signatures by the spec (not by the library that signs): the outbox document is
 * the truth, a refusal is recorded and left for a retry with the same webhook-id, a delivered
 * push is never sent again, and a push is given up after its attempts.
 */

const fs = useFirestoreEmulator();
const secret = newSigningSecret(randomBytes(32));
let receiver: OutcomeReceiver;
let pubsub: PubsubEmulator;
const topic = 'projects/p/topics/outcomes';
let clock = new Date('2026-12-03T10:00:00.000Z');

beforeAll(async () => {
  receiver = await startOutcomeReceiver({ secret, now: () => clock.getTime() });
  pubsub = await startPubsubEmulator({ topics: { [topic]: ['projects/p/subscriptions/s'] } });
});
afterAll(async () => {
  await receiver.stop();
  await pubsub.stop();
});
beforeEach(() => {
  receiver.clear();
  clock = new Date('2026-12-03T10:00:00.000Z');
});

function deps(overrides: Partial<DeliverDeps['delivery']> = {}): DeliverDeps {
  return {
    db: () => fs.db,
    now: () => clock,
    log: createLogger({ level: 'silent' }),
    delivery: {
      callbackUrl: receiver.url,
      signingSecret: secret,
      timeoutMs: 2_000,
      maxAttempts: 3,
      maxAgeMs: 86_400_000,
      ...overrides,
    },
  };
}

async function pending(id: string, extra: Record<string, unknown> = {}) {
  await fs.db.doc(`outcomes/${id}`).set({
    kind: 'delivered',
    messageId: id.split('~')[0],
    payload: {
      type: 'message.delivered',
      timestamp: clock.toISOString(),
      version: 1,
      data: { messageId: id.split('~')[0], outcomeId: id },
    },
    state: 'pending',
    attempts: 0,
    createdAt: clock,
    updatedAt: clock,
    touchedAt: clock,
    expireAt: new Date(clock.getTime() + 86_400_000),
    ...extra,
  });
}
const doc = async (id: string) => (await fs.db.doc(`outcomes/${id}`).get()).data()!;

describe('pushing one outcome', () => {
  it('POSTs the payload signed as Standard Webhooks says, webhook-id the outbox id, and marks it delivered', async () => {
    await pending('m-1~delivered');
    expect(await deliverOutcome('m-1~delivered', deps())).toMatchObject({
      kind: 'delivered',
      status: 200,
      attempt: 1,
    });
    expect(receiver.received).toHaveLength(1);
    const [push] = receiver.received;
    expect(push!.id).toBe('m-1~delivered');
    expect(push!.verification).toMatchObject({ ok: true, timestamp: Math.floor(clock.getTime() / 1000) });
    expect(push!.payload).toMatchObject({
      type: 'message.delivered',
      version: 1,
      data: { messageId: 'm-1' },
    });
    expect(await doc('m-1~delivered')).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200 });
    // Repeated (a duplicate event, a re-drive): the document says delivered, nothing is sent.
    expect(await deliverOutcome('m-1~delivered', deps())).toEqual({ kind: 'done', state: 'delivered' });
    expect(receiver.received).toHaveLength(1);
  });

  it('the spec verifier refuses a changed body, another key, and a stale timestamp', () => {
    const body = JSON.stringify({ type: 'message.read' });
    const headers = signedHeaders('m-2~read', body, secret, clock);
    const get = (h: Record<string, string>) => ({ get: (n: string) => h[n] ?? null });
    const now = Math.floor(clock.getTime() / 1000);
    expect(verifyOutcomePush(secret, get(headers), body, now).ok).toBe(true);
    expect(verifyOutcomePush(secret, get(headers), `${body} `, now)).toMatchObject({ ok: false });
    expect(verifyOutcomePush(newSigningSecret(randomBytes(32)), get(headers), body, now)).toMatchObject({
      ok: false,
    });
    expect(verifyOutcomePush(secret, get(headers), body, now + 301)).toMatchObject({ ok: false });
  });

  it('a refusal is recorded and retried with the same webhook-id; then given up after its attempts', async () => {
    await pending('m-3~read');
    receiver.answerNext(500);
    expect(await deliverOutcome('m-3~read', deps())).toMatchObject({
      kind: 'retry',
      answer: 'HTTP 500',
      attempt: 1,
    });
    expect(await doc('m-3~read')).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastStatus: 500,
      lastError: 'HTTP 500',
    });
    clock = new Date(clock.getTime() + 10_000);
    expect(await deliverOutcome('m-3~read', deps())).toMatchObject({ kind: 'delivered', attempt: 2 });
    expect(receiver.received.map((p) => [p.id, p.status])).toEqual([
      ['m-3~read', 500],
      ['m-3~read', 200],
    ]);
    expect(receiver.accepted()).toHaveLength(1);

    await pending('m-4~failed');
    receiver.answerNext(503, 503, 503);
    for (let i = 0; i < 2; i++) expect((await deliverOutcome('m-4~failed', deps())).kind).toBe('retry');
    expect(await deliverOutcome('m-4~failed', deps())).toMatchObject({ kind: 'gave_up' });
    expect(await doc('m-4~failed')).toMatchObject({ state: 'failed', attempts: 3 });
  });

  it('nowhere to push, or too old: given up at once, without a request', async () => {
    await pending('m-5~revoked');
    expect(
      await deliverOutcome('m-5~revoked', {
        ...deps(),
        delivery: { ...deps().delivery, callbackUrl: undefined } as never,
      }),
    ).toMatchObject({
      kind: 'gave_up',
    });
    await pending('m-6~revoked', { createdAt: new Date(clock.getTime() - 25 * 3_600_000) });
    expect(await deliverOutcome('m-6~revoked', deps())).toMatchObject({ kind: 'gave_up' });
    expect(receiver.received).toEqual([]);
    expect((await doc('m-5~revoked')).reason).toContain('no callback URL');
  });

  it("a message's own callback URL wins over the deployment's", async () => {
    await pending('m-7~sms_sent', { callbackUrl: `${receiver.url}/per-message` });
    expect((await deliverOutcome('m-7~sms_sent', deps())).kind).toBe('delivered');
    expect(receiver.received[0]!.path).toBe('/rbm/outcomes/per-message');
  });

  it('the sweep re-drives only pushes pending and untouched past the bound', async () => {
    await pending('m-8~delivered', { touchedAt: new Date(clock.getTime() - 700_000) });
    await pending('m-9~delivered', { touchedAt: new Date(clock.getTime() - 100_000) });
    await pending('m-10~delivered', { state: 'delivered', touchedAt: new Date(clock.getTime() - 700_000) });
    expect(await redriveOutcomes(deps(), { redriveMs: 600_000, limit: 50 })).toEqual({
      pending: 1,
      delivered: 1,
    });
    expect(receiver.received.map((p) => p.id)).toEqual(['m-8~delivered']);
  });

  it('with a topic: published once before the HTTP push; a refused publish is retried and sends no HTTP', async () => {
    const publisher = (name: string) =>
      createPubsubPublisher({ topic: name, timeoutMs: 2_000, emulatorHost: pubsub.host });
    await pending('m-11~read');
    const missingTopic = {
      ...deps(),
      delivery: { ...deps().delivery, publisher: publisher('projects/p/topics/nope') },
    };
    expect(await deliverOutcome('m-11~read', missingTopic)).toMatchObject({
      kind: 'retry',
      answer: 'Pub/Sub answered 404',
    });
    expect(receiver.received).toEqual([]);
    const withTopic = { ...deps(), delivery: { ...deps().delivery, publisher: publisher(topic) } };
    receiver.answerNext(500);
    expect((await deliverOutcome('m-11~read', withTopic)).kind).toBe('retry');
    expect((await deliverOutcome('m-11~read', withTopic)).kind).toBe('delivered');
    expect(pubsub.published(topic).filter((m) => m.attributes.outcomeId === 'm-11~read')).toHaveLength(1);
    expect(await doc('m-11~read')).toMatchObject({ state: 'delivered', attempts: 3, pubsubMessageId: '1' });
  });

  it('a topic and no callback URL: delivered once published', async () => {
    await pending('m-12~revoked');
    const topicOnly = {
      ...deps(),
      delivery: {
        signingSecret: secret,
        timeoutMs: 2_000,
        maxAttempts: 3,
        maxAgeMs: 86_400_000,
        publisher: createPubsubPublisher({ topic, timeoutMs: 2_000, emulatorHost: pubsub.host }),
      },
    };
    expect(await deliverOutcome('m-12~revoked', topicOnly)).toEqual({ kind: 'delivered', attempt: 1 });
    expect(receiver.received).toEqual([]);
    expect(await doc('m-12~revoked')).toMatchObject({ state: 'delivered' });
  });
});

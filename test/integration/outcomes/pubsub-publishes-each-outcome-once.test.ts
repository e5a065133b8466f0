import { describe, expect, it } from 'vitest';
import { promoRequest, sendOk } from '../../helpers/scenario.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * Outcome push with a Pub/Sub topic as well (OUTCOME_PUBSUB_TOPIC): each outcome is published
 * once, before its HTTP push, and a consumer pulls it from a subscription through the REST API
 * (the local Pub/Sub emulator, local/pubsub-emulator/): the payload as the HTTP push carries it,
 * attributes to filter and de-duplicate by. A refused HTTP push is retried without publishing again.
 */

const h = useStack({ outcomes: { pubsub: true } });

interface Pulled {
  ackId: string;
  message: { data: string; attributes: Record<string, string>; messageId: string };
}

async function pull(): Promise<Pulled[]> {
  const { emulator, subscription } = h.stack.outcomes!.pubsub!;
  const response = await fetch(`http://${emulator.host}/v1/${subscription}:pull`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ maxMessages: 100 }),
  });
  expect(response.status).toBe(200);
  const { receivedMessages } = (await response.json()) as { receivedMessages: Pulled[] };
  await fetch(`http://${emulator.host}/v1/${subscription}:acknowledge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ackIds: receivedMessages.map((m) => m.ackId) }),
  });
  return receivedMessages;
}

describe('outcomes published to Pub/Sub', () => {
  it('delivered and read: one message each, the HTTP payload, attributes for filters; a 500 on HTTP does not publish twice', async () => {
    const phone = '+14155550501';
    h.stack.rbm.setPhone(phone, {
      rcs: true,
      offline: [],
      latency: { median: 2_000, spread: 0 },
      read: { probability: 1, delay: { median: 20_000, spread: 0 } },
    });
    const request = promoRequest(phone);
    h.stack.outcomes!.receiver.refuseMessage(request.messageId, 500, 1);
    const id = await sendOk(h, request);
    await h.advance(30 * 60_000);

    const pulled = (await pull()).filter((m) => m.message.attributes.messageId === id);
    const byKind = Object.fromEntries(
      pulled.map((m) => [m.message.attributes.outcomeId!.split('~')[1], m.message]),
    );
    expect(Object.keys(byKind).sort()).toEqual(['delivered', 'read']);
    expect(pulled).toHaveLength(2);
    const delivered = byKind.delivered!;
    expect(delivered.attributes).toEqual({
      type: 'message.delivered',
      version: '1',
      outcomeId: `${id}~delivered`,
      messageId: id,
    });
    const payload = JSON.parse(Buffer.from(delivered.data, 'base64').toString('utf8'));
    const http = h.stack.outcomes!.receiver.accepted().find((p) => p.id === `${id}~delivered`)!;
    expect(payload).toEqual(http.payload);
    // The HTTP push was refused once and retried; the topic got the outcome once.
    expect(h.stack.outcomes!.receiver.received.filter((p) => p.id === `${id}~delivered`)).toHaveLength(2);
    const outbox = (await h.stack.db.doc(`outcomes/${id}~delivered`).get()).data()!;
    expect(outbox).toMatchObject({ state: 'delivered', attempts: 2, pubsubMessageId: delivered.messageId });
    expect(await pull()).toEqual([]);
  });
});

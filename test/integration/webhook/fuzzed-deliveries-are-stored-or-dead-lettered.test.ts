import type { Firestore } from '@google-cloud/firestore';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeExtras, jsonValues, messageData } from '../../helpers/rbm-arbitraries.ts';
import { signature } from '../../helpers/rbm-events.ts';
import { clientToken, previousClientToken, useWebhook } from '../../helpers/webhook-fixture.ts';

/*
 * The webhook against generated input, through HTTP to the real function and
 * the Firestore emulator. The platform retries anything but 2xx for 7 days on
 * a queue shared by every agent of the partner, so a 5xx for a payload that
 * will never store is a poison pill. Seeded: a failure prints its seed and the
 * shrunk case, and the same run repeats.
 */

const webhook = useWebhook();
const seed = 20261202;
/** Cases per property: a few hundred in `npm test`, more with FUZZ_RUNS (`npm run fuzz`). */
const runs = Number(process.env.FUZZ_RUNS ?? 500);

type Signing = 'current' | 'previous' | 'missing' | 'other-token' | 'other-bytes';

function post(data: Buffer, attributes: Record<string, string>, signing: Signing): Promise<Response> {
  const body = {
    message: {
      data: data.toString('base64'),
      attributes,
      messageId: 'fuzz-1',
      publishTime: '2026-12-02T00:00:00Z',
    },
    subscription: 'projects/rbm-global/subscriptions/rbm-agent',
  };
  const signed = {
    current: signature(clientToken, data),
    previous: signature(previousClientToken, data),
    missing: undefined,
    'other-token': signature('not-our-token', data),
    'other-bytes': signature(clientToken, Buffer.concat([data, Buffer.from(' ')])),
  }[signing];
  return fetch(webhook.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signed ? { 'x-goog-signature': signed } : {}) },
    body: JSON.stringify(body),
  });
}

/** Documents per collection, every subcollection `events` counted as one. */
async function documentCounts(db: Firestore): Promise<Record<string, number>> {
  const collections = await db.listCollections();
  const [events, ...counts] = await Promise.all(
    [db.collectionGroup('events'), ...collections].map(
      async (query) => (await query.count().get()).data().count,
    ),
  );
  const byCollection = Object.fromEntries(collections.map((collection, i) => [collection.id, counts[i]!]));
  return events ? { ...byCollection, events } : byCollection;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('fuzzed webhook deliveries', () => {
  it('stores or dead-letters every verified payload exactly once, and never answers 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        messageData,
        attributeExtras,
        fc.constantFrom<Signing>('current', 'previous'),
        async ({ text, encoding, attributes }, extraAttributes, signing) => {
          const bytes = Buffer.from(text, encoding);
          await webhook.fs.reset();
          const allAttributes = { ...extraAttributes, ...attributes };
          const first = await post(bytes, allAttributes, signing);
          expect(first.status).toBe(200);
          const { outcome } = (await first.json()) as { outcome: string };
          const after = await documentCounts(webhook.fs.db);
          if (outcome === 'dead_lettered') {
            expect(after).toEqual({ deadLetters: 1 });
          } else {
            expect(outcome).toBe('stored');
            expect(after.deadLetters ?? 0).toBe(0);
            expect(total(after)).toBeGreaterThan(0);
          }
          // The platform retries what it is not sure was received: the repeat changes nothing.
          const repeat = await post(bytes, allAttributes, signing);
          expect(repeat.status).toBe(200);
          expect(((await repeat.json()) as { outcome: string }).outcome).toBe(outcome);
          expect(await documentCounts(webhook.fs.db)).toEqual(after);
        },
      ),
      { seed, numRuns: runs },
    );
  }, 600_000);

  it('writes nothing and answers 401 when the signature does not verify', async () => {
    await webhook.fs.reset();
    await fc.assert(
      fc.asyncProperty(
        messageData,
        attributeExtras,
        fc.constantFrom<Signing>('missing', 'other-token', 'other-bytes'),
        async ({ text, encoding, attributes }, extraAttributes, signing) => {
          const bytes = Buffer.from(text, encoding);
          const response = await post(bytes, { ...extraAttributes, ...attributes }, signing);
          expect(response.status).toBe(401);
          await response.body?.cancel();
          expect(await documentCounts(webhook.fs.db)).toEqual({});
        },
      ),
      { seed, numRuns: runs },
    );
  }, 600_000);

  it('answers a body that is no envelope with 4xx and writes nothing', async () => {
    await webhook.fs.reset();
    await fc.assert(
      fc.asyncProperty(jsonValues, fc.boolean(), async (body, signed) => {
        const text = JSON.stringify(body) ?? 'null';
        const response = await fetch(webhook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(signed ? { 'x-goog-signature': signature(clientToken, Buffer.from(text)) } : {}),
          },
          body: text,
        });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        await response.body?.cancel();
        expect(await documentCounts(webhook.fs.db)).toEqual({});
      }),
      { seed, numRuns: runs },
    );
  }, 600_000);
});

describe('poison payloads the fuzzing found (each was answered 503 and retried for days)', () => {
  const launch = {
    eventId: 'launch-1',
    agentId: 'test-agent',
    oldLaunchState: 'LAUNCH_STATE_PENDING',
    newLaunchState: 'LAUNCH_STATE_LAUNCHED',
  };
  const delivered = {
    senderPhoneNumber: '+14155550123',
    eventType: 'DELIVERED',
    eventId: 'e-1',
    messageId: 'm-1',
    sendTime: '2026-12-02T10:00:00Z',
    agentId: 'test-agent',
  };

  it.each([
    ['an empty field name', { ...launch, '': 'x' }, { type: 'agent_launch_event' }, 'field name "" is empty'],
    [
      'an event id Firestore reserves',
      { ...delivered, eventId: '__name__' },
      {},
      'eventId "__name__" matches',
    ],
    ['a message id with a slash', { ...delivered, messageId: 'a/b' }, {}, 'messageId "a/b" contains "/"'],
    ['an array inside an array', { ...delivered, extra: [[1]] }, {}, 'an array directly inside an array'],
    ['a reserved field name', { ...delivered, extra: { __type__: 'x' } }, {}, 'matches __.*__'],
  ])('dead-letters %s with 200 and the reason', async (_, payload, attributes, reason) => {
    await webhook.fs.reset();
    const data = Buffer.from(JSON.stringify(payload));
    const response = await post(data, attributes as Record<string, string>, 'current');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { outcome: string }).outcome).toBe('dead_lettered');
    const letters = await webhook.fs.db.collection('deadLetters').get();
    expect(letters.docs.map((doc) => doc.get('reason'))).toEqual([expect.stringContaining(reason)]);
    expect(letters.docs[0]!.get('data')).toBe(data.toString('utf8'));
  });

  it('keeps attributes Firestore cannot name as JSON text on the dead letter', async () => {
    await webhook.fs.reset();
    const response = await post(Buffer.from('not json'), { '': 'empty', __x__: 'reserved' }, 'current');
    expect(response.status).toBe(200);
    const [letter] = (await webhook.fs.db.collection('deadLetters').get()).docs;
    expect(letter!.get('attributes')).toBeUndefined();
    expect(JSON.parse(letter!.get('attributesJson'))).toEqual({ '': 'empty', __x__: 'reserved' });
  });
});

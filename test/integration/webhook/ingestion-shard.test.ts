import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestionVerdict } from '../../../shared/lifecycle/ingestion-lag.ts';
import { createLogger } from '../../../shared/log/index.ts';
import { readFreshShards } from '../../../shared/store/ingestion-store.ts';
import { useTimeSource } from '../../../shared/time/now.ts';
import { IngestionTracker } from '../../../shared/webhook/ingestion-tracker.ts';
import { envelope, signature, userEvent } from '../../helpers/rbm-events.ts';
import { clientToken, useWebhook } from '../../helpers/webhook-fixture.ts';

// The webhook's ingestion shard (docs/architecture.md#ingestion-watermark), written by the real
// webhook into the Firestore emulator. The webhook's clock is held still and moved by hand.
const webhook = useWebhook();
const t0 = Date.UTC(2026, 10, 21, 9, 0, 0);
let clockMs = t0;
beforeAll(() => useTimeSource({ now: () => clockMs }));
const at = (ms: number) => new Date(t0 + ms);

/** Posts `payload` signed, with this publishTime (undefined: none in the envelope). */
async function post(payload: object, publishTime: Date | undefined) {
  const { data, body } = envelope(payload);
  const message: Record<string, unknown> = { ...body.message };
  if (publishTime) message.publishTime = publishTime.toISOString();
  else delete message.publishTime;
  const response = await fetch(webhook.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-signature': signature(clientToken, data) },
    body: JSON.stringify({ ...body, message }),
  });
  expect(response.status).toBe(200);
}

const delivered = (sentAtMs: number) =>
  userEvent('DELIVERED', { messageId: randomUUID(), sendTime: at(sentAtMs).toISOString() });

async function shards() {
  const snapshot = await webhook.fs.db.collection('ingestion').get();
  return snapshot.docs.map((doc) => doc.data());
}

describe('the webhook keeps its ingestion shard', () => {
  it('notes the platform time of what it stored: Pub/Sub publishTime first, else the sendTime', async () => {
    await post(delivered(-50_000), at(-40_000));
    const [first, ...others] = await shards();
    expect(others).toEqual([]);
    expect(first).toMatchObject({ lastLagMs: 40_000 });
    expect(first!.watermark.toDate()).toEqual(at(-40_000));
    expect(first!.lastStoredAt.toDate()).toEqual(at(0));
    expect(first!.expireAt.toDate().getTime()).toBeGreaterThan(t0);

    clockMs = t0 + 1_000;
    await post(delivered(-4_000), undefined);
    const [second] = await shards();
    expect(second).toMatchObject({ lastLagMs: 5_000 });
    expect(second!.watermark.toDate()).toEqual(at(-4_000));
  });

  it('healthy, nothing is written; lagging, at once and then at most once a second; the way back once; a duplicate never', async () => {
    // The first test left the instance healthy (a 5 s lag, under the 10 s tolerance), and each
    // test starts with an empty database: a healthy store writes nothing.
    clockMs = t0 + 3_000;
    await post(delivered(2_000), at(2_000));
    expect(await shards()).toEqual([]);

    // A lag past the tolerance is written at once...
    clockMs = t0 + 3_600;
    const late = delivered(-60_000);
    await post(late, at(-60_000));
    const lagging = (await shards())[0]!;
    expect(lagging).toMatchObject({ lastLagMs: 63_600 });
    expect(lagging.writtenAt.toDate()).toEqual(at(3_600));
    // ...still lagging, within the second: not again...
    clockMs = t0 + 4_000;
    await post(delivered(-50_000), at(-50_000));
    expect((await shards())[0]).toEqual(lagging);
    // ...a second on: again.
    clockMs = t0 + 4_700;
    await post(delivered(-40_000), at(-40_000));
    expect((await shards())[0]!.writtenAt.toDate()).toEqual(at(4_700));

    // Back under the tolerance: written once, then quiet again.
    clockMs = t0 + 5_000;
    await post(delivered(4_500), at(4_500));
    const recovered = (await shards())[0]!;
    expect(recovered).toMatchObject({ lastLagMs: 500 });
    expect(recovered.writtenAt.toDate()).toEqual(at(5_000));
    clockMs = t0 + 6_500;
    await post(delivered(6_000), at(6_000));
    expect((await shards())[0]).toEqual(recovered);

    // The late event again, much later: a retry says nothing of the queue.
    clockMs = t0 + 10_000;
    await post(late, at(-60_000));
    expect((await shards())[0]).toEqual(recovered);
  });
});

describe('IngestionTracker against Firestore', () => {
  const log = createLogger({ level: 'silent' });

  it('a failed store marks the shard at once, and the confirm step reads it as behind', async () => {
    let now = at(0);
    const tracker = new IngestionTracker({
      db: () => webhook.fs.db,
      now: () => now,
      log,
      lagToleranceMs: 10_000,
    });
    await tracker.stored(at(-1_000));
    now = at(200);
    await tracker.failed();
    const stored = await readFreshShards(webhook.fs.db, at(200));
    const mine = stored.filter((s) => s.shardId === tracker.shardId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.failedAt).toEqual(at(200));
    const settings = { lagToleranceMs: 10_000, activeWithinMs: 30_000 };
    expect(ingestionVerdict(mine, at(100), settings, at(300))).toMatchObject({ behind: true });
  });

  it('a store answered past the deadline counts as failed: the platform will deliver it again', async () => {
    let now = at(0);
    const tracker = new IngestionTracker({
      db: () => webhook.fs.db,
      now: () => now,
      log,
      lagToleranceMs: 10_000,
    });
    await tracker.stored(at(-1_000));
    now = at(12_000);
    await tracker.stored(at(11_000), 1_000, true);
    const mine = (await readFreshShards(webhook.fs.db, now)).filter((s) => s.shardId === tracker.shardId);
    expect(mine[0]).toMatchObject({ lastStoredAt: at(0), failedAt: at(12_000), watermark: at(11_000) });
    const settings = { lagToleranceMs: 10_000, activeWithinMs: 30_000 };
    // Stored up to 11 s: a decision at 12 s waits, one at 10 s does not.
    expect(ingestionVerdict(mine, at(12_000), settings, now)).toMatchObject({ behind: true });
    expect(ingestionVerdict(mine, at(10_000), settings, now)).toMatchObject({ behind: false });
  });

  it('a shard write that fails never throws and never holds the caller past its wait', async () => {
    const unreachable = new Firestore({ projectId: 'nowhere', host: '127.0.0.1:9', ssl: false });
    const tracker = new IngestionTracker({
      db: () => unreachable,
      now: () => at(0),
      log,
      lagToleranceMs: 10_000,
    });
    const started = Date.now();
    await expect(tracker.stored(at(-60_000), 300)).resolves.toBeUndefined();
    await expect(tracker.failed()).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5_000);
    await unreachable.terminate();
  });
});

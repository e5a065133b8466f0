import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTimeSource } from '../../../shared/time/now.ts';
import { useCountingWebhook } from '../../helpers/counting-firestore.ts';
import { postSigned, userEvent } from '../../helpers/rbm-events.ts';
import { clientToken, registeredMessage, saveMessage } from '../../helpers/webhook-fixture.ts';

/*
 * Firestore round trips per webhook request on the common path, counted by
 * the embedded emulator as it receives the RPCs (issue 4, "Performance";
 * figures in docs/BENCHMARKS.md). Target: at most 2, and a batch of N
 * receipts must not cost N sequential round trips. The instance's ingestion
 * shard is written only while the webhook lags (test/integration/webhook/ingestion-shard.test.ts),
 * never on this healthy path; the webhook's clock is held still here so the test decides.
 */

// One read that begins the transaction, one commit; and the documents each reads and writes
// (per event: the message and the event document).
const twoRoundTrips = (documentsRead: number, documentsWritten: number) => ({
  BatchGetDocuments: 1,
  Commit: 1,
  documentsRead,
  documentsWritten,
});

describe.skipIf(Boolean(process.env.FIRESTORE_EMULATOR_HOST))(
  'Firestore round trips per webhook request (embedded emulator only: it counts RPCs)',
  () => {
    const webhook = useCountingWebhook();
    let clockMs = Date.now();
    beforeAll(() => useTimeSource({ now: () => clockMs }));
    const send = async (payload: object) => {
      const res = await postSigned(webhook.url, clientToken, payload);
      expect(res.status).toBe(200);
    };
    const register = (ids: string[]) =>
      Promise.all(ids.map((id) => saveMessage(webhook.db, registeredMessage(id))));
    const statuses = async (ids: string[]) => {
      const refs = ids.map((id) => webhook.db.collection('messages').doc(id));
      return (await webhook.db.getAll(...refs)).map((s) => s.get('status'));
    };
    const receipts = (ids: string[]) => ({
      agent: 'brands/b/agents/test-agent',
      conversationId: 'conversation-1',
      sendTime: new Date().toISOString(),
      receipts: {
        receipts: ids.map((id) => ({
          message: `conversations/conversation-1/messages/${id}`,
          receiptType: 'DELIVERED',
        })),
        createTime: new Date().toISOString(),
      },
    });

    it('a healthy webhook (events stored within the lag tolerance) writes no ingestion shard: still 2, a second later too', async () => {
      for (const advanceMs of [0, 1_000]) {
        clockMs += advanceMs;
        const id = randomUUID();
        await saveMessage(webhook.db, registeredMessage(id));
        webhook.resetCalls();
        await send(userEvent('DELIVERED', { messageId: id }));
        expect(webhook.calls()).toEqual(twoRoundTrips(2, 2));
      }
    });

    it('one DELIVERED for a registered message: 2 (BatchGetDocuments begins the transaction, Commit)', async () => {
      const id = randomUUID();
      await saveMessage(webhook.db, registeredMessage(id));
      webhook.resetCalls();

      await send(userEvent('DELIVERED', { messageId: id }));

      expect(webhook.calls()).toEqual(twoRoundTrips(2, 2));
      expect(await statuses([id])).toEqual(['delivered']);
    });

    it('a batch of 20 receipts for 20 registered messages: still 2, not 20 or 40', async () => {
      const ids = Array.from({ length: 20 }, () => randomUUID());
      await register(ids);
      webhook.resetCalls();

      await send(receipts(ids));

      expect(webhook.calls()).toEqual(twoRoundTrips(2 * ids.length, 2 * ids.length));
      expect(await statuses(ids)).toEqual(ids.map(() => 'delivered'));
    });

    it('a retried DELIVERED (already stored): 2, the commit writing nothing', async () => {
      const id = randomUUID();
      await saveMessage(webhook.db, registeredMessage(id));
      const event = userEvent('DELIVERED', { messageId: id });
      await send(event);
      webhook.resetCalls();

      await send(event);

      // The retry reads both documents, finds the event stored, and writes nothing.
      expect(webhook.calls()).toEqual(twoRoundTrips(2, 0));
      const timeline = await webhook.db.collection('messages').doc(id).collection('events').count().get();
      expect(timeline.data().count).toBe(1);
    });
  },
);

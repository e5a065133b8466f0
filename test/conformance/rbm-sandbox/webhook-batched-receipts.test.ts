import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { payloads, type Rig, rig, start } from './setup.ts';

const phone = '+15550005050';

describe('batched receipts (Business Messages receipts shape)', () => {
  let r: Rig;
  afterEach(() => r.close());

  it('groups DELIVERED receipts for several messages of one conversation into one payload', async () => {
    r = await rig({ webhook: { batchReceipts: { windowMs: 5_000, maxReceipts: 10 } } });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const messageId of ids) await r.api.text(phone, 'hello', { messageId });
    await r.advance(1_000);
    expect(payloads(r.receiver)).toEqual([]);
    await r.advance(5_000);
    const batches = payloads(r.receiver);
    expect(batches).toHaveLength(1);
    const conversationId = r.sandbox.conversationId(phone);
    expect(batches[0]).toEqual({
      agent: 'brands/sandbox/agents/test-agent',
      conversationId,
      customAgentId: 'test-agent',
      sendTime: new Date(start + 6_000).toISOString(),
      receipts: {
        receipts: ids.map((id) => ({
          message: `conversations/${conversationId}/messages/${id}`,
          receiptType: 'DELIVERED',
        })),
        createTime: new Date(start + 6_000).toISOString(),
      },
    });
    expect(r.sandbox.truth.phone(phone)!.conversationId).toBe(conversationId);
    expect(r.sandbox.truth.webhookFor(ids[1]!)).toHaveLength(1);
  });

  it('mixes DELIVERED and READ and flushes early at maxReceipts', async () => {
    r = await rig({
      webhook: { batchReceipts: { windowMs: 60_000, maxReceipts: 4 } },
      population: { read: { probability: 1, delay: 500 } },
    });
    const ids = [randomUUID(), randomUUID()];
    for (const messageId of ids) await r.api.text(phone, 'hello', { messageId });
    await r.advance(1_500);
    const [batch] = payloads(r.receiver);
    expect(batch.receipts.receipts.map((x: { receiptType: string }) => x.receiptType)).toEqual([
      'DELIVERED',
      'DELIVERED',
      'READ',
      'READ',
    ]);
  });

  it('posts a batch on demand, in-process or over HTTP', async () => {
    r = await rig();
    const [a, b] = [randomUUID(), randomUUID()];
    const res = await fetch(`${r.sandbox.url}/sandbox/webhook/receipt-batches`, {
      method: 'POST',
      body: JSON.stringify({
        phoneNumber: phone,
        receipts: [
          { messageId: a, receiptType: 'DELIVERED' },
          { messageId: b, receiptType: 'READ' },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await r.advance(0);
    const [batch] = payloads(r.receiver);
    expect(batch.receipts.receipts.map((x: { message: string }) => x.message.split('/').at(-1))).toEqual([
      a,
      b,
    ]);
  });
});

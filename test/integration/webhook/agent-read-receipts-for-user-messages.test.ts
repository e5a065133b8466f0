import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/common/clock.ts';
import { type RbmSandbox, startRbmSandbox } from '../../../local/rbm-sandbox/index.ts';
import { phone, postSigned } from '../../helpers/rbm-events.ts';
import { clientToken, useWebhook } from '../../helpers/webhook-fixture.ts';

let rbm: RbmSandbox | undefined;
beforeAll(async () => {
  rbm = await startRbmSandbox({ clock: new ManualClock(), handshake: 'skip', logLevel: 'error' });
  rbm.setPhone(phone, { rcs: true, offline: [] });
});
afterAll(async () => {
  await rbm?.stop();
});
const webhook = useWebhook({
  env: () => ({ WEBHOOK_READ_RECEIPTS: 'true', RBM_API_BASE_URL: rbm!.url, RBM_ACCESS_TOKEN: 'local-token' }),
});

describe('agent READ receipts (WEBHOOK_READ_RECEIPTS=true)', () => {
  it('answers a user message with one READ agent event, even when the platform retries the message', async () => {
    const userMessageId = randomUUID();
    const payload = {
      senderPhoneNumber: phone,
      messageId: userMessageId,
      sendTime: new Date().toISOString(),
      agentId: 'test-agent',
      text: 'hello',
    };
    expect((await postSigned(webhook.url, clientToken, payload)).status).toBe(200);
    expect((await postSigned(webhook.url, clientToken, payload)).status).toBe(200);
    const events = rbm!.truth.phone(phone)?.agentEvents ?? [];
    expect(events.map((e) => [e.eventType, e.messageId])).toEqual([['READ', userMessageId]]);
  });
});

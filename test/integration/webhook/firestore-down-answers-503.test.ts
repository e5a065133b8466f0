import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ServedFunction, serveFunction } from '../../helpers/functions.ts';
import { postSigned, userEvent } from '../../helpers/rbm-events.ts';
import { clientToken, webhookEnvironment } from '../../helpers/webhook-fixture.ts';

// Firestore unreachable (nothing listens on port 9): our own transient fault, so the answer must be
// a prompt 503, which makes the platform retry, and never a hang past its push deadline.
let served: ServedFunction | undefined;
beforeAll(async () => {
  served = await serveFunction('webhook', {
    ...webhookEnvironment(`down-${randomUUID().slice(0, 8)}`, '127.0.0.1:9'),
    WEBHOOK_DEADLINE_MS: '500',
  });
});
afterAll(async () => {
  await served?.close();
});

it('answers 503 within its deadline when Firestore is unreachable', async () => {
  const started = Date.now();
  const response = await postSigned(
    served!.url,
    clientToken,
    userEvent('DELIVERED', { messageId: randomUUID() }),
  );
  expect(response.status).toBe(503);
  expect(Date.now() - started).toBeLessThan(5_000);
});

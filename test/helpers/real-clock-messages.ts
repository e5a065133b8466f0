import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { expect } from 'vitest';

/*
 * For tests of the local stack on a real (scaled) clock, where time cannot be
 * driven: send a message through the messages API, and wait, bounded, until
 * its document says it has ended.
 */

/** POSTs an OTP with SMS fallback and a one-minute deadline (fields overridable); expects 201; returns its id. */
export async function sendOtp(
  messagesUrl: string,
  phoneNumber: string,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const messageId = randomUUID();
  const response = await fetch(messagesUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      messageId,
      phoneNumber,
      content: { contentMessage: { text: 'Your code is 482913' } },
      revokeAfter: '1m',
      policy: 'otp',
      sms: { text: 'Your code is 482913' },
      ...fields,
    }),
  });
  expect(response.status, await response.text()).toBe(201);
  return messageId;
}

const endStatuses = ['sms_sent', 'delivered', 'read', 'revoked', 'duplicate', 'failed'];

/** The message's document once it has ended (a final status, nothing due), polled for at most `withinMs` real ms. */
export async function endedWithin(
  db: Firestore,
  messageId: string,
  withinMs: number,
): Promise<{ status: string; dueAt?: unknown }> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const doc = (await db.collection('messages').doc(messageId).get()).data() as
      | { status: string; dueAt?: unknown }
      | undefined;
    if (doc && doc.dueAt === undefined && endStatuses.includes(doc.status)) return doc;
    if (Date.now() > deadline)
      throw new Error(`not ended within ${withinMs} ms: ${JSON.stringify(doc?.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

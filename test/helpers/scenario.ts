import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { inconsistencies } from '../../local/stack/consistency.ts';
import type { StackHarness } from './stack.ts';

/** A message request as a business would send it: text content, a deadline, a policy and SMS text. */
export function otpRequest(phoneNumber: string, extra: Record<string, unknown> = {}) {
  return {
    messageId: randomUUID(),
    phoneNumber,
    content: { contentMessage: { text: 'Your code is 482913' } },
    revokeAfter: '10m',
    policy: 'otp',
    sms: { text: 'Your code is 482913' },
    labels: { kind: 'otp' },
    ...extra,
  };
}

export function promoRequest(phoneNumber: string, extra: Record<string, unknown> = {}) {
  return otpRequest(phoneNumber, {
    content: { contentMessage: { text: 'Spring sale ends tonight' } },
    revokeAfter: '1h',
    policy: 'promo',
    sms: { text: 'Spring sale ends tonight' },
    labels: { kind: 'promo', campaign: 'spring' },
    ...extra,
  });
}

/** Sends and expects it accepted; returns the message id. */
export async function sendOk(h: StackHarness, request: { messageId: string } & Record<string, unknown>) {
  const sent = await h.send(request);
  expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  return request.messageId;
}

/**
 * The product's final belief about a message checked against what really
 * happened on the phone (the sandbox's ground truth) and in the SMS sandbox:
 * terminal, delivery known exactly when it happened, SMS count matching the status.
 */
export async function expectConsistentWithTruth(h: StackHarness, messageId: string) {
  const view = await h.view(messageId);
  const message = view.message;
  const truth = h.stack.rbm.truth.message(messageId);
  // Scenarios give each message its own number, so the number's SMS are this message's.
  const smsCount = h.stack.sms.sent(message.phoneNumber).length;
  expect(inconsistencies(message, truth, smsCount)).toEqual([]);
  return { view, message, truth, smsCount };
}

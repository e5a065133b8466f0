import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../local/common/clock.ts';
import { type Stack, startStack } from '../../../local/stack/start.ts';

/*
 * Outcome push with each function in its own process, as Cloud Run runs them: the Eventarc
 * stand-in posts to the outcomes process; killing that process while a push is due loses
 * nothing (the event is retried with backoff on the stack's clock, x60 here, until it answers).
 * Real processes need a real clock, so the waits are bounded polls.
 */

let stack: Stack;
const clock = new SystemClock({ scale: 60 });

beforeAll(async () => {
  stack = await startStack({
    clock,
    functions: 'processes',
    projectId: `outproc-${randomUUID().slice(0, 8)}`,
    sweepEveryMs: null,
    outcomes: true,
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

async function until(what: string, check: () => boolean, ms = 30_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function sendTo(phoneNumber: string) {
  stack.rbm.setPhone(phoneNumber, {
    rcs: true,
    offline: [],
    latency: { median: 5_000, spread: 0 },
    neverReads: true,
  });
  const messageId = randomUUID();
  const response = await fetch(stack.functions.urls.messages, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      messageId,
      phoneNumber,
      content: { contentMessage: { text: 'hello' } },
      revokeAfter: '10m',
      policy: 'promo',
    }),
  });
  expect(response.status).toBe(201);
  return messageId;
}

const accepted = (id: string) =>
  stack.outcomes!.receiver.accepted().filter((p) => p.id === `${id}~delivered`);

describe('outcome push in process mode', () => {
  it('a DELIVERED is pushed by the outcomes process, signed', async () => {
    const id = await sendTo('+14155550401');
    await until('the delivered push', () => accepted(id).length === 1);
    expect(accepted(id)[0]!.verification.ok).toBe(true);
  });

  it('the outcomes process killed: the event is retried once it is back, and the push arrives once', async () => {
    stack.processes!.kill('outcomes');
    const id = await sendTo('+14155550402');
    await until(
      'the DELIVERED recorded',
      () => stack.outcomes!.bridge.posted > 1 && stack.outcomes!.bridge.inFlight > 0,
    );
    expect(accepted(id)).toEqual([]);
    await stack.processes!.restart('outcomes');
    await until('the delivered push after the restart', () => accepted(id).length === 1, 60_000);
    expect(accepted(id)[0]!.verification.ok).toBe(true);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../local/common/clock.ts';
import { inconsistencies } from '../../../local/stack/consistency.ts';
import { type Stack, startStack } from '../../../local/stack/start.ts';
import { endedWithin, sendOtp } from '../../helpers/real-clock-messages.ts';

/*
 * The local stack's process mode: each function in its own process, as Cloud
 * Run runs it. A function process killed with SIGKILL while its step is due
 * (Cloud Tasks' dispatches to it fail) and started again: the task is retried
 * and the message still ends consistent with the phone, with one SMS. Real
 * processes need a real clock: a scaled one (x60), so a 1-minute deadline
 * takes a second. Bounded waits, no fixed sleeps beyond the kill window.
 */

let stack: Stack;
const clock = new SystemClock({ scale: 60 });

beforeAll(async () => {
  stack = await startStack({
    clock,
    functions: 'processes',
    projectId: `procs-${randomUUID().slice(0, 8)}`,
    sweepEveryMs: 60_000,
    sweepBoundSeconds: 120,
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const send = (phoneNumber: string) => sendOtp(stack.functions.urls.messages, phoneNumber);
const settled = (messageId: string, withinMs: number) => endedWithin(stack.db, messageId, withinMs);

describe('function processes', () => {
  it('each function runs in its own process and the stack works end to end', async () => {
    expect(stack.processes?.starts).toBe(6); // one per function
    const phone = '+14155550901';
    stack.rbm.setPhone(phone, { rcs: true, offline: [{ forMs: 24 * 3_600_000 }] });
    const id = await send(phone);
    const doc = await settled(id, 30_000);
    expect(doc.status).toBe('sms_sent');
    expect(inconsistencies(doc, stack.rbm.truth.message(id), stack.sms.sent(phone).length)).toEqual([]);
  }, 60_000);

  it('the revoke process killed when its task is due, then restarted: retried, revoked, one SMS', async () => {
    const phone = '+14155550902';
    stack.rbm.setPhone(phone, { rcs: true, offline: [{ forMs: 24 * 3_600_000 }] });
    const id = await send(phone);
    stack.processes!.kill('revoke');
    // The deadline (one clock minute) passes while the revoke function is down.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(stack.rbm.truth.message(id)?.revokeAttempts ?? []).toEqual([]);
    await stack.processes!.restart('revoke');
    const doc = await settled(id, 40_000);
    expect(doc.status).toBe('sms_sent');
    expect(inconsistencies(doc, stack.rbm.truth.message(id), stack.sms.sent(phone).length)).toEqual([]);
    expect(stack.sms.sent(phone)).toHaveLength(1);
    expect(stack.processes!.starts).toBe(7);
  }, 60_000);
});

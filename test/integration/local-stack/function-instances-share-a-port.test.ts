import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../local/common/clock.ts';
import { inconsistencies } from '../../../local/stack/consistency.ts';
import { type Stack, startStack } from '../../../local/stack/start.ts';
import { endedWithin, sendOtp } from '../../helpers/real-clock-messages.ts';

/*
 * A function of the process mode run as two instances on one port, as Cloud
 * Run routes a service's requests over its instances: with one instance
 * killed and not restarted, the other answers, so the message's step runs
 * on time instead of waiting for a restart. A scaled clock (x60): the
 * one-minute deadline takes a real second.
 */

let stack: Stack;
const clock = new SystemClock({ scale: 60 });

beforeAll(async () => {
  stack = await startStack({
    clock,
    functions: 'processes',
    functionInstances: { revoke: 2 },
    projectId: `instances-${randomUUID().slice(0, 8)}`,
    sweepEveryMs: null,
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('function instances', () => {
  it('start as separate processes of one function', () => {
    expect(stack.processes!.instances.revoke).toBe(2);
    expect(stack.processes!.instances.webhook).toBe(1);
    const pids = [stack.processes!.pid('revoke', 0), stack.processes!.pid('revoke', 1)];
    expect(pids.every((pid) => typeof pid === 'number')).toBe(true);
    expect(new Set(pids).size).toBe(2);
    expect(stack.processes!.starts).toBe(7); // six functions, revoke twice
  });

  it('either instance killed and left down, the other serves the revoke: revoked on time, one SMS', async () => {
    for (const [down, up] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const phone = `+1415555093${down}`;
      stack.rbm.setPhone(phone, { rcs: true, offline: [{ forMs: 24 * 3_600_000 }] });
      stack.processes!.kill('revoke', down);
      await expect.poll(() => stack.processes!.pid('revoke', down)).toBeUndefined();
      const id = await sendOtp(stack.functions.urls.messages, phone);
      // Deadline one clock minute, grace and confirm included: well inside 20 real seconds, so no restart is waited for.
      const doc = await endedWithin(stack.db, id, 20_000);
      expect(doc.status).toBe('sms_sent');
      expect(stack.processes!.pid('revoke', down)).toBeUndefined();
      expect(stack.processes!.pid('revoke', up)).toBeTypeOf('number');
      expect(inconsistencies(doc, stack.rbm.truth.message(id), stack.sms.sent(phone).length)).toEqual([]);
      expect(stack.sms.sent(phone)).toHaveLength(1);
      await stack.processes!.restart('revoke', down);
      expect(stack.processes!.pid('revoke', down)).toBeTypeOf('number');
    }
  }, 60_000);
});

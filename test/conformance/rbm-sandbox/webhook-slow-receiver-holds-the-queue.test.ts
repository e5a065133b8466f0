import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { payloads, type Rig, rig } from './setup.ts';

describe('one in-order delivery queue per partner', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('a slow webhook answer delays every later event, whatever the agent', async () => {
    const held = r.receiver.hold();
    r.sandbox.userAction('+15550003030', { type: 'text', text: 'to agent A' }, 'agent-a');
    await r.clock.advance(0);
    await r.receiver.waitForDeliveries(1);
    r.sandbox.userAction('+15550004040', { type: 'text', text: 'to agent B' }, 'agent-b');
    // An hour of clock time passes; the first answer has still not come back.
    await r.clock.advance(3_600_000);
    expect(r.receiver.deliveries()).toHaveLength(1);
    expect(r.sandbox.webhookBacklog).toBe(2);
    held.release();
    await r.sandbox.idle();
    expect(payloads(r.receiver).map((p) => p.text)).toEqual(['to agent A', 'to agent B']);
    expect(r.sandbox.webhookBacklog).toBe(0);
  });

  it('a failing head blocks the payloads behind it until it is acknowledged', async () => {
    r.receiver.answerNext(500);
    r.sandbox.userAction('+15550003030', { type: 'text', text: 'head' }, 'agent-a');
    r.sandbox.userAction('+15550004040', { type: 'text', text: 'behind' }, 'agent-b');
    await r.advance(0);
    await r.advance(9_999);
    expect(payloads(r.receiver).map((p) => p.text)).toEqual(['head']);
    await r.advance(1);
    expect(payloads(r.receiver).map((p) => p.text)).toEqual(['head', 'head', 'behind']);
  });
});

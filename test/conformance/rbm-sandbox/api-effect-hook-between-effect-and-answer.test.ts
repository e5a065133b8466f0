import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { socketOwner } from '../../../local/chaos/socket-owner.ts';
import type { TakenEffect } from '../../../local/rbm-sandbox/index.ts';
import { type Rig, rig } from './setup.ts';

/*
 * What a chaos run kills the caller on: the sandbox calls the effect hook
 * once a request has taken effect and before its answer is written, with the
 * caller's TCP port; on Linux that port leads to the calling process.
 */

const phone = '+15550006161';

describe('the effect hook', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig({ phones: { [phone]: { rcs: true, offline: [{ forMs: 3_600_000 }] } } });
  });
  afterEach(() => {
    r.sandbox.onEffect(null);
    return r.close();
  });

  it('sees a send and a revoke after they took effect, before the caller has its answer', async () => {
    const seen: Array<TakenEffect & { truthStatus: string | undefined }> = [];
    r.sandbox.onEffect((effect) => {
      const id = effect.messageId ?? [...r.sandbox.truth.messages.keys()].at(-1);
      seen.push({ ...effect, truthStatus: id ? r.sandbox.truth.message(id)?.status : undefined });
    });
    const messageId = randomUUID();
    expect((await r.api.text(phone, 'hi', { messageId })).status).toBe(200);
    expect((await r.api.revoke(phone, messageId)).status).toBe(200);

    expect(seen.map((s) => [s.endpoint, s.status, s.truthStatus])).toEqual([
      ['send', 200, 'queued'],
      ['revoke', 200, 'revoked'],
    ]);
    expect(seen[1]!.messageId).toBe(messageId);
    for (const s of seen) expect(s.remotePort).toBeGreaterThan(0);
  });

  it.skipIf(process.platform !== 'linux')('its port names the calling process', async () => {
    let owner: string | undefined;
    r.sandbox.onEffect((effect) => {
      owner = socketOwner(effect.remotePort!, new Map([['this test', process.pid]]));
    });
    await r.api.revoke(phone, randomUUID());
    expect(owner).toBe('this test');
  });

  it('does not run for a request refused before it took effect', async () => {
    let calls = 0;
    r.sandbox.onEffect(() => {
      calls += 1;
    });
    r.sandbox.setFaults([{ endpoint: 'revoke', kind: 'error', status: 503, times: 1 }]);
    expect((await r.api.revoke(phone, randomUUID())).status).toBe(503);
    expect(calls).toBe(0);
  });
});

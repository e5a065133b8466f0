import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signGenericBody } from '../../../local/sms-sandbox/index.ts';
import { secret, smsRig, start } from './setup.ts';

const to = '+15551110000';

describe('generic HTTPS SMS provider', () => {
  let rig: Awaited<ReturnType<typeof smsRig>>;
  beforeEach(async () => {
    rig = await smsRig();
  });
  afterEach(() => rig.sandbox.stop());

  it('sends a signed request and records to, text, idempotency key, time and shape', async () => {
    const key = randomUUID();
    const res = await rig.generic.send({ to, text: 'Your code is 123456', idempotencyKey: key });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^sms_[0-9a-f]{32}$/),
      status: 'accepted',
      to,
      idempotencyKey: key,
      createdAt: new Date(start).toISOString(),
    });
    expect(rig.sandbox.sent()).toEqual([
      {
        id: res.body.id,
        shape: 'generic',
        to,
        from: null,
        text: 'Your code is 123456',
        idempotencyKey: key,
        acceptedAt: start,
        delivered: true,
        deliveredAt: start,
      },
    ]);
  });

  it('rejects a missing or wrong signature with 401 and sends nothing', async () => {
    expect((await rig.generic.send({ to, text: 'x' }, { sign: null })).status).toBe(401);
    const wrong = await rig.generic.send({ to, text: 'x' }, { sign: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: 'invalid_signature', message: expect.any(String) } });
    expect(rig.sandbox.sent()).toEqual([]);
    expect(rig.sandbox.records.attempts.map((a) => a.outcome)).toEqual(['rejected', 'rejected']);
  });

  it('checks the signature over the exact bytes: re-serialised JSON does not verify', async () => {
    const raw = JSON.stringify({ to, text: 'x', idempotencyKey: 'k1' });
    const signedOver = JSON.stringify({ text: 'x', to, idempotencyKey: 'k1' });
    const res = await fetch(`${rig.sandbox.url}/v1/messages`, {
      method: 'POST',
      headers: { 'idempotency-key': 'k1', 'x-signature': signGenericBody(secret, signedOver) },
      body: raw,
    });
    expect(res.status).toBe(401);
    // The exported helper agrees with the definition used by the test client.
    const ok = await fetch(`${rig.sandbox.url}/v1/messages`, {
      method: 'POST',
      headers: { 'idempotency-key': 'k1', 'x-signature': signGenericBody(secret, raw) },
      body: raw,
    });
    expect(ok.status).toBe(201);
  });

  it('answers a repeated idempotency key with the original result and sends no second SMS', async () => {
    const key = randomUUID();
    const first = await rig.generic.send({ to, text: 'code 1', idempotencyKey: key });
    const again = await rig.generic.send({ to, text: 'code 1', idempotencyKey: key });
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(rig.sandbox.deliveredTo(to)).toHaveLength(1);
    expect(rig.sandbox.records.attempts.map((a) => a.outcome)).toEqual(['sent', 'replayed']);
    // A reused key with another message is refused.
    const other = await rig.generic.send({ to, text: 'code 2', idempotencyKey: key });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(rig.sandbox.sent()).toHaveLength(1);
  });

  it('requires an idempotency key and a valid body', async () => {
    const noKey = await rig.generic.send(
      { to, text: 'x' },
      { key: null, rawBody: JSON.stringify({ to, text: 'x' }) },
    );
    expect(noKey.status).toBe(400);
    const mismatch = await rig.generic.send({ to, text: 'x', idempotencyKey: 'a' }, { key: 'b' });
    expect(mismatch.status).toBe(400);
    expect((await rig.generic.send({ to: '5551110000', text: 'x' })).status).toBe(400);
    expect((await rig.generic.send({ to, text: '' })).status).toBe(400);
    expect((await rig.generic.send({ to, text: 'x' }, { rawBody: '{nope' })).status).toBe(400);
    // The key from the body alone is enough.
    const bodyKey = await rig.generic.send({ to, text: 'x', idempotencyKey: 'body-only' }, { key: null });
    expect(bodyKey.status).toBe(201);
    expect(rig.sandbox.sent().map((s) => s.idempotencyKey)).toEqual(['body-only']);
  });
});

import { describe, expect, it } from 'vitest';
import { policies } from '../../shared/lifecycle/policy.ts';
import {
  fieldErrors,
  type MessageRequest,
  messageRequestSchema,
  prepareMessage,
} from '../../shared/messages/request.ts';

const now = new Date(Date.UTC(2026, 11, 2, 9, 0, 0));
const defaults = { agentId: 'default-agent', newId: () => '00000000-0000-4000-8000-000000000000' };
const id = '0F8C2E9A-1111-4C4C-9D9D-00000000000A';

function parse(body: Record<string, unknown>): MessageRequest {
  return messageRequestSchema.parse(body);
}

function prepared(body: Record<string, unknown>) {
  const result = prepareMessage(parse(body), now, defaults);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.message;
}

const base = {
  messageId: id,
  phoneNumber: '+14155550123',
  content: { contentMessage: { text: 'Your code is 482913' } },
  revokeAfter: '2m',
  policy: 'otp',
  sms: { text: 'SMS code 482913' },
  labels: { kind: 'otp' },
};

describe('the canonical message a request becomes', () => {
  it('lower-cases the UUID (the platform reports ids in lower case) and fills the defaults', () => {
    const { messageId: _, labels: __, ...bare } = base;
    expect(prepared(base).messageId).toBe(id.toLowerCase());
    const message = prepared(bare);
    expect(message).toMatchObject({ messageId: defaults.newId(), agentId: 'default-agent', labels: {} });
  });

  it('resolves the deadline from revokeAfter against now, and keeps an absolute one', () => {
    expect(prepared(base).deadline).toEqual(new Date(now.getTime() + 120_000));
    const { revokeAfter: _, ...absolute } = base;
    expect(prepared({ ...absolute, deadline: '2026-12-02T10:30:00+01:00' }).deadline).toEqual(
      new Date(now.getTime() + 30 * 60_000),
    );
    expect(prepared({ ...absolute, deadline: '2026-12-02T09:30:00Z' }).deadline).toEqual(
      new Date(now.getTime() + 30 * 60_000),
    );
  });

  it('turns a policy name or settings into the rules the lifecycle uses', () => {
    expect(prepared(base).policy).toEqual(policies.otp);
    expect(prepared({ ...base, policy: 'promo' }).policy).toEqual(policies.promo);
    const custom = prepared({
      ...base,
      policy: { fallbackWhenUncertain: true, graceSeconds: 5, maxRevokeAttempts: 2 },
    });
    expect(custom.policy).toEqual({
      name: 'custom',
      fallbackWhenUncertain: true,
      graceMs: 5_000,
      maxRevokeAttempts: 2,
    });
  });

  it('sends the content as given, with the platform expiry set from the deadline only when asked', () => {
    expect(prepared(base).sendBody).toEqual(base.content);
    expect(prepared({ ...base, platformExpiry: true }).sendBody).toEqual({
      ...base.content,
      expireTime: '2026-12-02T09:02:00.000Z',
    });
    const { content: _, ...registered } = base;
    expect(prepared(registered).sendBody).toBeUndefined();
  });
});

describe('the hash that tells a repeat from a different request', () => {
  const hash = (body: Record<string, unknown>) => prepared(body).requestHash;

  it('is the same whatever the order of keys, and whatever the case of the id', () => {
    const reordered = Object.fromEntries(Object.entries(base).reverse());
    expect(hash(reordered)).toBe(hash(base));
    // Inside the content too, whose keys the schema does not know and keeps as given.
    const suggestions = [{ reply: { text: 'Yes', postbackData: 'yes' } }];
    expect(
      hash({ ...base, content: { contentMessage: { text: 'hi', suggestions, fallbackText: 'hi' } } }),
    ).toBe(hash({ ...base, content: { contentMessage: { fallbackText: 'hi', suggestions, text: 'hi' } } }));
    expect(hash({ ...base, messageId: id.toLowerCase() })).toBe(hash(base));
    expect(hash({ ...base, labels: { kind: 'otp' }, sms: { text: 'SMS code 482913' } })).toBe(hash(base));
  });

  it('is the same for one deadline written in two time zones', () => {
    const { revokeAfter: _, ...absolute } = base;
    expect(hash({ ...absolute, deadline: '2026-12-02T10:30:00+01:00' })).toBe(
      hash({ ...absolute, deadline: '2026-12-02T09:30:00Z' }),
    );
  });

  it('is the same for a repeat made later with the same revokeAfter (the retry of one request)', () => {
    const later = prepareMessage(parse(base), new Date(now.getTime() + 30_000), defaults);
    expect(later.ok && later.message.requestHash).toBe(hash(base));
  });

  it('differs when anything that defines the message differs', () => {
    const original = hash(base);
    for (const change of [
      { phoneNumber: '+14155550124' },
      { content: { contentMessage: { text: 'Your code is 000000' } } },
      { revokeAfter: '3m' },
      { policy: 'promo' },
      { sms: { text: 'other' } },
      { labels: { kind: 'promo' } },
      { agentId: 'other-agent' },
      { platformExpiry: true },
    ]) {
      expect(hash({ ...base, ...change }), JSON.stringify(change)).not.toBe(original);
    }
  });
});

describe('requests refused after parsing, naming the field', () => {
  const refused = (body: Record<string, unknown>) => {
    const result = prepareMessage(parse(body), now, defaults);
    return result.ok ? [] : result.errors;
  };

  it('a deadline in the past or more than 365 days ahead', () => {
    const { revokeAfter: _, ...absolute } = base;
    expect(refused({ ...absolute, deadline: '2026-12-02T08:59:59Z' })).toEqual([
      { field: 'deadline', reason: 'must be in the future' },
    ]);
    expect(refused({ ...base, revokeAfter: '366d' })).toEqual([
      { field: 'revokeAfter', reason: 'must be within 365 days' },
    ]);
  });

  it('a platform expiry more than 15 days ahead', () => {
    expect(refused({ ...base, revokeAfter: '16d', platformExpiry: true })).toEqual([
      { field: 'platformExpiry', reason: 'the platform expires messages at most 15 days ahead' },
    ]);
  });

  it('unknown fields are named one by one', () => {
    const result = messageRequestSchema.safeParse({ ...base, priority: 'high', colour: 'red' });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(fieldErrors(result.error)).toEqual(
      expect.arrayContaining([
        { field: 'priority', reason: 'unknown field' },
        { field: 'colour', reason: 'unknown field' },
      ]),
    );
  });
});

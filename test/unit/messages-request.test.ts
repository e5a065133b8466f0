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
    expect(message).toMatchObject({ messageId: defaults.newId(), agentId: 'default-agent' });
    // toEqual, not toMatchObject: `{}` inside toMatchObject would match any labels.
    expect(message.labels).toEqual({});
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

  it('resolves the escalation: its own settings over the policy, the fallback text by default, false for off', () => {
    expect(prepared(base).escalation).toBeUndefined();
    expect(prepared({ ...base, escalation: { unreadAfter: '30m' } }).escalation).toEqual({
      unreadAfterMs: 1_800_000,
      text: 'SMS code 482913',
    });
    const policy = { fallbackWhenUncertain: true, escalateUnreadAfterSeconds: 600 };
    expect(prepared({ ...base, policy }).policy.escalateUnreadAfterMs).toBe(600_000);
    expect(prepared({ ...base, policy }).escalation).toEqual({
      unreadAfterMs: 600_000,
      text: 'SMS code 482913',
    });
    expect(prepared({ ...base, policy, escalation: { text: 'Still there?' } }).escalation).toEqual({
      unreadAfterMs: 600_000,
      text: 'Still there?',
    });
    expect(prepared({ ...base, policy, escalation: false }).escalation).toBeUndefined();
  });

  it('refuses an escalation it cannot complete, naming the missing field', () => {
    const refused = (body: Record<string, unknown>) => {
      const result = prepareMessage(parse(body), now, defaults);
      return result.ok ? [] : result.errors;
    };
    expect(refused({ ...base, escalation: { text: 'hi' } })).toEqual([
      { field: 'escalation.unreadAfter', reason: 'required: the policy sets no escalateUnreadAfterSeconds' },
    ]);
    const { sms: _, ...withoutSms } = base;
    expect(refused({ ...withoutSms, escalation: { unreadAfter: '10m' } })).toEqual([
      { field: 'escalation.text', reason: 'required: the nudge is an SMS, and sms.text is not given' },
    ]);
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

  it('fills a custom policy from promo where it leaves settings out', () => {
    expect(prepared({ ...base, policy: { fallbackWhenUncertain: true } }).policy).toEqual({
      ...policies.promo,
      name: 'custom',
      fallbackWhenUncertain: true,
    });
    expect(prepared({ ...base, policy: { fallbackWhenUncertain: false, graceSeconds: 9 } }).policy).toEqual({
      ...policies.promo,
      name: 'custom',
      graceMs: 9_000,
    });
  });

  it('keeps the number, the agent and the SMS text as given, and platformExpiry off by default', () => {
    expect(prepared({ ...base, agentId: 'other-agent' })).toMatchObject({
      phoneNumber: '+14155550123',
      agentId: 'other-agent',
      smsText: 'SMS code 482913',
    });
    expect(parse(base).platformExpiry).toBe(false);
  });

  it('sends the content as given, with the platform expiry set from the deadline only when asked', () => {
    expect(prepared(base).sendBody).toEqual({ ...base.content, messageTrafficType: 'AUTHENTICATION' });
    expect(prepared({ ...base, platformExpiry: true }).sendBody).toEqual({
      ...base.content,
      messageTrafficType: 'AUTHENTICATION',
      expireTime: '2026-12-02T09:02:00.000Z',
    });
    const { content: _, ...registered } = base;
    expect(prepared(registered).sendBody).toBeUndefined();
  });

  it("keeps the business's traffic type, and sends and stores the policy's default where it set none", () => {
    const explicit = prepared({
      ...base,
      content: { ...base.content, messageTrafficType: 'SERVICEREQUEST' },
    });
    expect(explicit.trafficType).toBe('SERVICEREQUEST');
    expect(explicit.sendBody?.messageTrafficType).toBe('SERVICEREQUEST');
    const byPolicy = (policy: unknown) => prepared({ ...base, policy }).trafficType;
    expect(byPolicy('otp')).toBe('AUTHENTICATION');
    expect(byPolicy('promo')).toBe('PROMOTION');
    expect(byPolicy({ fallbackWhenUncertain: true })).toBe('TRANSACTION');
    // A message the business sent itself is recorded under its policy's default too.
    const { content: _, ...registered } = base;
    expect(prepared({ ...registered, policy: 'promo' }).trafficType).toBe('PROMOTION');
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

  it('is the same with platformExpiry false written out or left to its default', () => {
    expect(hash({ ...base, platformExpiry: false })).toBe(hash(base));
  });

  it('is the same for a deadline written with or without milliseconds', () => {
    const { revokeAfter: _, ...absolute } = base;
    expect(hash({ ...absolute, deadline: '2026-12-02T09:30:00.000Z' })).toBe(
      hash({ ...absolute, deadline: '2026-12-02T09:30:00Z' }),
    );
  });

  it('differs between sending a message and registering one sent elsewhere', () => {
    const { content: _, ...registered } = base;
    expect(hash(registered)).not.toBe(hash(base));
  });

  it('differs between a named policy and custom settings', () => {
    expect(hash({ ...base, policy: { fallbackWhenUncertain: true } })).not.toBe(hash(base));
  });

  it('differs between two absolute deadlines', () => {
    const { revokeAfter: _, ...absolute } = base;
    expect(hash({ ...absolute, deadline: '2026-12-02T09:30:00Z' })).not.toBe(
      hash({ ...absolute, deadline: '2026-12-02T09:30:01Z' }),
    );
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

  it('a deadline of now (revokeAfter "0s") is not in the future', () => {
    expect(refused({ ...base, revokeAfter: '0s' })).toEqual([
      { field: 'revokeAfter', reason: 'must be in the future' },
    ]);
  });

  it('a deadline exactly 365 days ahead is taken, a millisecond more is not', () => {
    expect(refused({ ...base, revokeAfter: '365d' })).toEqual([]);
    expect(refused({ ...base, revokeAfter: '365d1ms' })).toEqual([
      { field: 'revokeAfter', reason: 'must be within 365 days' },
    ]);
  });

  it('a platform expiry exactly 15 days ahead is taken', () => {
    expect(refused({ ...base, revokeAfter: '15d', platformExpiry: true })).toEqual([]);
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

describe('requests the schema refuses, naming the field', () => {
  const errors = (body: unknown) => {
    const result = messageRequestSchema.safeParse(body);
    return result.success ? [] : fieldErrors(result.error);
  };
  const { revokeAfter: _, ...absolute } = base;
  const { content: __, ...registered } = base;
  const { policy: ___, ...withoutPolicy } = base;
  const policyHelp =
    'must be "otp", "promo", or { fallbackWhenUncertain: boolean, graceSeconds?: 1..86400, maxRevokeAttempts?: 1..10, escalateUnreadAfterSeconds?: 1..604800 }';
  // Where the schema leaves the wording to zod, only the field is this project's to pin.
  const zodWording = expect.any(String);

  it.each<[string, unknown, string, unknown]>([
    [
      'an id that is not a UUID',
      { ...base, messageId: 'm-1' },
      'messageId',
      'must be a UUID (the platform requires one)',
    ],
    [
      'a number with spaces',
      { ...base, phoneNumber: '+1 415 555 0123' },
      'phoneNumber',
      'must be an E.164 number such as +14155550123',
    ],
    [
      'a number without +',
      { ...base, phoneNumber: '14155550123' },
      'phoneNumber',
      'must be an E.164 number such as +14155550123',
    ],
    ['an empty agent', { ...base, agentId: '' }, 'agentId', zodWording],
    [
      'text over 3,072 characters',
      { ...base, content: { contentMessage: { text: 'x'.repeat(3_073) } } },
      'content.contentMessage.text',
      'at most 3,072 characters',
    ],
    ['content without contentMessage', { ...base, content: {} }, 'content.contentMessage', zodWording],
    [
      'a traffic type the platform does not know',
      { ...base, content: { ...base.content, messageTrafficType: 'MARKETING' } },
      'content.messageTrafficType',
      'must be one of AUTHENTICATION, TRANSACTION, PROMOTION, SERVICEREQUEST, ACKNOWLEDGEMENT',
    ],
    [
      'the unspecified traffic type, which a multi-use agent is refused for',
      { ...base, content: { ...base.content, messageTrafficType: 'MESSAGE_TRAFFIC_TYPE_UNSPECIFIED' } },
      'content.messageTrafficType',
      'must be one of AUTHENTICATION, TRANSACTION, PROMOTION, SERVICEREQUEST, ACKNOWLEDGEMENT',
    ],
    [
      'content with its own ttl',
      { ...base, content: { ...base.content, ttl: '60s' } },
      'content',
      'set platformExpiry instead of ttl/expireTime: the deadline decides the expiry',
    ],
    [
      'content with its own expireTime',
      { ...base, content: { ...base.content, expireTime: '2026-12-02T09:30:00Z' } },
      'content',
      'set platformExpiry instead of ttl/expireTime: the deadline decides the expiry',
    ],
    [
      'content over 250 KB',
      { ...base, content: { contentMessage: { text: 'x', richCard: 'x'.repeat(250_000) } } },
      'content',
      'larger than 250 KB',
    ],
    [
      'a deadline without a time zone',
      { ...absolute, deadline: '2026-12-02T09:30:00' },
      'deadline',
      'must be an RFC 3339 time',
    ],
    [
      'a duration in words',
      { ...base, revokeAfter: '10 minutes' },
      'revokeAfter',
      'must be a duration such as "600s", "10m", "2h", "90d"',
    ],
    [
      'both deadline and revokeAfter',
      { ...base, deadline: '2026-12-02T09:30:00Z' },
      'deadline',
      'give exactly one of deadline or revokeAfter',
    ],
    ['neither deadline nor revokeAfter', absolute, 'deadline', 'give exactly one of deadline or revokeAfter'],
    ['no policy', withoutPolicy, 'policy', policyHelp],
    ['an unknown policy name', { ...base, policy: 'urgent' }, 'policy', policyHelp],
    [
      'policy settings without fallbackWhenUncertain',
      { ...base, policy: { graceSeconds: 5 } },
      'policy',
      policyHelp,
    ],
    [
      'a grace of 0 seconds',
      { ...base, policy: { fallbackWhenUncertain: true, graceSeconds: 0 } },
      'policy.graceSeconds',
      zodWording,
    ],
    [
      'more than 10 revoke rounds',
      { ...base, policy: { fallbackWhenUncertain: true, maxRevokeAttempts: 11 } },
      'policy.maxRevokeAttempts',
      zodWording,
    ],
    [
      'an unknown policy setting',
      { ...base, policy: { fallbackWhenUncertain: true, retries: 2 } },
      'policy.retries',
      'unknown field',
    ],
    ['empty SMS text', { ...base, sms: { text: '' } }, 'sms.text', zodWording],
    [
      'SMS text over 1,600 characters',
      { ...base, sms: { text: 'x'.repeat(1_601) } },
      'sms.text',
      'at most 1,600 characters',
    ],
    [
      'a label value over 256 characters',
      { ...base, labels: { kind: 'x'.repeat(257) } },
      'labels.kind',
      zodWording,
    ],
    [
      '17 labels',
      { ...base, labels: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`l${i}`, 'x'])) },
      'labels',
      'at most 16 labels',
    ],
    [
      'platformExpiry for a message sent elsewhere',
      { ...registered, platformExpiry: true },
      'platformExpiry',
      'the platform expiry applies to a message this system sends: give content too',
    ],
    [
      'an escalation delay in words',
      { ...base, escalation: { unreadAfter: 'half an hour' } },
      'escalation.unreadAfter',
      'must be a duration from "1s" to "7d", such as "30m"',
    ],
    [
      'an escalation delay over a week',
      { ...base, escalation: { unreadAfter: '8d' } },
      'escalation.unreadAfter',
      'must be a duration from "1s" to "7d", such as "30m"',
    ],
    [
      'an escalation that is neither false nor settings',
      { ...base, escalation: true },
      'escalation',
      'must be false or { unreadAfter?: duration, text?: string }',
    ],
    [
      'an unknown escalation setting',
      { ...base, escalation: { unreadAfter: '10m', channel: 'sms' } },
      'escalation.channel',
      'unknown field',
    ],
    [
      'a policy escalation of 0 seconds',
      { ...base, policy: { fallbackWhenUncertain: true, escalateUnreadAfterSeconds: 0 } },
      'policy.escalateUnreadAfterSeconds',
      zodWording,
    ],
    ['a body that is not an object', 'send it', '(body)', zodWording],
  ])('%s', (_, body, field, reason) => {
    expect(errors(body)).toEqual([{ field, reason }]);
  });

  it('a label name that does not start with a letter: the label is named', () => {
    expect(errors({ ...base, labels: { '1st': 'x' } }).map((e) => e.field)).toEqual(['labels.1st']);
  });
});

import { describe, expect, it } from 'vitest';
import type { DeliveryEvent, Payload } from '../../shared/rbm/payloads.ts';
import {
  documentIdProblem,
  payloadStorageProblem,
  storedSize,
  valueProblem,
} from '../../shared/store/storable.ts';

describe('document ids Firestore accepts', () => {
  it.each(['0f8c2e9a-1111-4c4c-9d9d-000000000001', 'MSG-1', 'é', '_a_', '__a', 'a__', '__', '...'])(
    '%s is fine',
    (id) => {
      expect(documentIdProblem(id)).toBeUndefined();
    },
  );

  it.each([
    ['', 'is empty'],
    ['a/b', 'contains "/"'],
    ['.', 'is "." or ".."'],
    ['..', 'is "." or ".."'],
    ['__id__', 'reserves'],
    ['____', 'reserves'],
    ['x'.repeat(1501), '1500 bytes'],
    ['é'.repeat(751), '1500 bytes'],
  ])('%j is refused (%s)', (id, reason) => {
    expect(documentIdProblem(id)).toContain(reason);
  });

  it('counts UTF-8 bytes, not characters, for the 1,500-byte limit', () => {
    expect(documentIdProblem('é'.repeat(750))).toBeUndefined();
  });
});

describe('values Firestore can hold', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 'bottom';
    for (let level = 0; level < levels; level++) value = level % 2 ? [value] : { level: value };
    return value;
  };

  it('accepts JSON with maps, arrays of maps and 20 levels of nesting below the field', () => {
    expect(valueProblem({ a: [{ b: [1, 'x', null, true] }] })).toBeUndefined();
    expect(valueProblem(nested(20))).toBeUndefined();
  });

  it('refuses an array directly inside an array, and says where', () => {
    expect(valueProblem({ a: { b: [1, [2]] } })).toBe('payload.a.b[1]: an array directly inside an array');
  });

  it('refuses empty, reserved and over-long field names at any depth', () => {
    expect(valueProblem({ '': 1 })).toContain('is empty');
    expect(valueProblem({ a: [{ __type__: 1 }] })).toContain('reserves');
    expect(valueProblem({ a: { ['k'.repeat(1501)]: 1 } })).toContain('1500 bytes');
  });

  it('refuses nesting deeper than 20 levels', () => {
    expect(valueProblem(nested(21))).toContain('deeper than 20 levels');
  });
});

describe('stored size by Firestore rules', () => {
  it('counts strings as bytes + 1, numbers as 8, booleans and null as 1, names as bytes + 1', () => {
    expect(storedSize('abc')).toBe(4);
    expect(storedSize(1)).toBe(8);
    expect(storedSize(true)).toBe(1);
    expect(storedSize(null)).toBe(1);
    expect(storedSize({ ab: [1, 'é'] })).toBe(3 + 8 + 3);
  });
});

describe('whether a parsed payload can be stored', () => {
  const event = (eventId: string, messageId: string): DeliveryEvent => ({
    eventId,
    fact: { type: 'DELIVERED', messageId, agentId: 'a', phoneNumber: '+14155550123', at: new Date(0) },
  });
  const delivery = (eventId: string, messageId: string, raw: Record<string, unknown> = {}): Payload => ({
    kind: 'delivery',
    events: [event(eventId, messageId)],
    raw,
  });

  it('accepts an ordinary event', () => {
    expect(payloadStorageProblem(delivery('e-1', 'm-1', { eventType: 'DELIVERED' }))).toBeUndefined();
  });

  it('names the id that cannot be a document id', () => {
    expect(payloadStorageProblem(delivery('__x__', 'm-1'))).toMatch(/^eventId "__x__" matches/);
    expect(payloadStorageProblem(delivery('e-1', 'a/b'))).toMatch(/^messageId "a\/b" contains/);
    expect(
      payloadStorageProblem({
        kind: 'user_message',
        messageId: '..',
        phoneNumber: '+1',
        agentId: 'a',
        at: new Date(0),
        raw: {},
      }),
    ).toMatch(/^messageId/);
  });

  it('refuses a raw payload Firestore cannot hold', () => {
    expect(payloadStorageProblem({ kind: 'unknown', id: 'unknown-1', raw: { a: [[1]] } })).toContain('array');
  });

  it('refuses a payload larger than a document, counting numbers at 8 bytes each', () => {
    const numbers = Array.from({ length: 140_000 }, () => 1);
    expect(JSON.stringify(numbers).length).toBeLessThan(300_000);
    expect(payloadStorageProblem({ kind: 'unknown', id: 'unknown-1', raw: { numbers } })).toContain(
      'more than a Firestore document holds',
    );
  });

  it('refuses a batch whose copies of the payload exceed one commit', () => {
    const padding = 'x'.repeat(900_000);
    const events = Array.from({ length: 12 }, (_, i) => event(`e-${i}`, `m-${i}`));
    expect(payloadStorageProblem({ kind: 'delivery', events, raw: { padding } })).toContain(
      'more than one commit',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { applyTransform, type FieldTransform } from '../../../local/firestore-emulator/transforms.ts';
import type { Fields, Val } from '../../../local/firestore-emulator/values.ts';

type NumberVal = Extract<Val, { kind: 'integer' | 'double' }>;
const int = (value: bigint | number): NumberVal => ({ kind: 'integer', value: BigInt(value) });
const dbl = (value: number): NumberVal => ({ kind: 'double', value });
const doc = (fields: Record<string, Val>): Fields => new Map(Object.entries(fields));

function apply(fields: Fields, t: FieldTransform) {
  return applyTransform(fields, t, 1_700_000_000_123_456);
}

describe('increment', () => {
  it('saturates integers at the int64 bounds', () => {
    const max = 2n ** 63n - 1n;
    const up = apply(doc({ n: int(max - 1n) }), { path: ['n'], kind: 'increment', operand: int(5) });
    expect(up.fields.get('n')).toEqual(int(max));
    const down = apply(doc({ n: int(-(2n ** 63n)) }), { path: ['n'], kind: 'increment', operand: int(-1) });
    expect(down.fields.get('n')).toEqual(int(-(2n ** 63n)));
  });

  it('returns the new value as the transform result', () => {
    const r = apply(doc({ n: int(1) }), { path: ['n'], kind: 'increment', operand: dbl(0.5) });
    expect(r.result).toEqual(dbl(1.5));
  });
});

describe('maximum and minimum', () => {
  const max = (stored: Val | undefined, operand: NumberVal) =>
    apply(doc(stored ? { n: stored } : {}), {
      path: ['n'],
      kind: 'maximum',
      operand,
    }).fields.get('n');
  const min = (stored: Val | undefined, operand: NumberVal) =>
    apply(doc(stored ? { n: stored } : {}), {
      path: ['n'],
      kind: 'minimum',
      operand,
    }).fields.get('n');

  it('sets a missing or non-numeric field to the operand', () => {
    expect(max(undefined, int(3))).toEqual(int(3));
    expect(min({ kind: 'string', value: 'x' }, dbl(2.5))).toEqual(dbl(2.5));
  });

  it('takes the larger / smaller operand with its own type', () => {
    expect(max(int(3), dbl(3.5))).toEqual(dbl(3.5));
    expect(max(dbl(3.5), int(3))).toEqual(dbl(3.5));
    expect(min(dbl(3.5), int(3))).toEqual(int(3));
  });

  it('keeps the stored value when both are equivalent (3 and 3.0, 0 and -0)', () => {
    expect(max(int(3), dbl(3))).toEqual(int(3));
    expect(min(dbl(0), dbl(-0))).toEqual(dbl(0));
    expect(Object.is((max(dbl(-0), int(0)) as { value: number }).value, -0)).toBe(true);
  });

  it('returns NaN when either side is NaN', () => {
    expect((max(int(1), dbl(Number.NaN)) as { value: number }).value).toBeNaN();
    expect((min(dbl(Number.NaN), int(1)) as { value: number }).value).toBeNaN();
  });
});

describe('serverTime', () => {
  it('writes the commit time as a microsecond-precision timestamp', () => {
    const r = apply(doc({}), { path: ['at'], kind: 'serverTime' });
    expect(r.fields.get('at')).toEqual({ kind: 'timestamp', seconds: 1_700_000_000, nanos: 123_456_000 });
    expect(r.result).toEqual(r.fields.get('at'));
  });
});

describe('nested paths', () => {
  it('creates intermediate maps and replaces a non-map on the way', () => {
    const r = apply(doc({ a: int(1) }), { path: ['a', 'b', 'c'], kind: 'increment', operand: int(1) });
    expect(r.fields.get('a')).toEqual({
      kind: 'map',
      fields: new Map([['b', { kind: 'map', fields: new Map([['c', int(1)]]) }]]),
    });
  });
});

import { describe, expect, it } from 'vitest';
import {
  compareResourceNames,
  compareUtf8,
  compareValues,
  valuesEqual,
} from '../../../local/firestore-emulator/ordering.ts';
import type { Val } from '../../../local/firestore-emulator/values.ts';

const nul: Val = { kind: 'null' };
const bool = (value: boolean): Val => ({ kind: 'boolean', value });
const int = (value: bigint | number): Val => ({ kind: 'integer', value: BigInt(value) });
const dbl = (value: number): Val => ({ kind: 'double', value });
const ts = (seconds: number, nanos = 0): Val => ({ kind: 'timestamp', seconds, nanos });
const str = (value: string): Val => ({ kind: 'string', value });
const bytes = (...b: number[]): Val => ({ kind: 'bytes', value: Buffer.from(b) });
const ref = (path: string): Val => ({
  kind: 'reference',
  value: `projects/p/databases/(default)/documents/${path}`,
});
const geo = (latitude: number, longitude: number): Val => ({ kind: 'geoPoint', latitude, longitude });
const arr = (...values: Val[]): Val => ({ kind: 'array', values });
const map = (fields: Record<string, Val>): Val => ({ kind: 'map', fields: new Map(Object.entries(fields)) });
const vector = (...xs: number[]): Val => map({ __type__: str('__vector__'), value: arr(...xs.map(dbl)) });

/** Asserts that `values` are strictly increasing, checking every pair both ways. */
function expectAscending(values: Val[]): void {
  for (let i = 0; i < values.length; i++) {
    for (let j = 0; j < values.length; j++) {
      const expected = Math.sign(i - j);
      expect(Math.sign(compareValues(values[i]!, values[j]!)), `${i} vs ${j}`).toBe(expected);
    }
  }
}

describe('Firestore value ordering', () => {
  it('orders types: null < booleans < numbers < timestamps < strings < bytes < references < geo points < arrays < vectors < maps', () => {
    expectAscending([
      nul,
      bool(false),
      bool(true),
      dbl(Number.NaN),
      dbl(Number.NEGATIVE_INFINITY),
      int(-5),
      dbl(0.5),
      int(1),
      dbl(Number.POSITIVE_INFINITY),
      ts(-1),
      ts(0, 1000),
      ts(10),
      str(''),
      str('a'),
      bytes(),
      bytes(0),
      ref('a/b'),
      geo(0, 0),
      arr(),
      vector(9),
      map({}),
    ]);
  });

  it('compares integers and doubles numerically, exactly beyond 2^53', () => {
    expect(compareValues(int(1), dbl(1))).toBe(0);
    expect(valuesEqual(int(3), dbl(3))).toBe(true);
    expect(compareValues(int(2n ** 53n + 1n), dbl(2 ** 53))).toBe(1);
    expect(compareValues(int(-(2n ** 63n)), dbl(-(2 ** 63)))).toBe(0);
    expect(compareValues(dbl(-0), dbl(0))).toBe(0);
    expect(compareValues(dbl(-0), int(0))).toBe(0);
  });

  it('puts NaN below every number, equal to itself', () => {
    expect(compareValues(dbl(Number.NaN), dbl(Number.NEGATIVE_INFINITY))).toBe(-1);
    expect(compareValues(dbl(Number.NaN), int(-(2n ** 63n)))).toBe(-1);
    expect(compareValues(dbl(Number.NaN), dbl(Number.NaN))).toBe(0);
    expect(compareValues(nul, dbl(Number.NaN))).toBeLessThan(0);
  });

  it('orders strings by UTF-8 bytes, not UTF-16 code units', () => {
    expectAscending([str('Z'), str('a'), str('ab'), str('é'), str('\uFFFD'), str('😀')]);
    // UTF-16 would put the surrogate pair (0xD83D...) before U+FFFD.
    expect(compareUtf8('😀', '\uFFFD')).toBe(1);
    expect(compareUtf8('a😀', 'a😁')).toBe(-1);
  });

  it('orders timestamps by seconds then nanos, geo points by latitude then longitude', () => {
    expectAscending([ts(1, 999_999_000), ts(2, 0), ts(2, 1000)]);
    expectAscending([geo(-10, 50), geo(0, -180), geo(0, 1), geo(1, -1)]);
  });

  it('orders bytes lexicographically, shorter prefix first', () => {
    expectAscending([bytes(), bytes(0), bytes(0, 0), bytes(1), bytes(255)]);
  });

  it('orders references segment by segment, numeric ids first and numerically', () => {
    expectAscending([
      ref('a/__id-5__'),
      ref('a/__id2__'),
      ref('a/__id10__'),
      ref('a/0'),
      ref('a/B'),
      ref('a/b'),
      ref('a/b/c/d'),
      ref('b/a'),
    ]);
    expect(
      compareResourceNames('projects/p/databases/d/documents/c/a', 'projects/p/databases/d/documents/c/a'),
    ).toBe(0);
    // Segment-wise, not string-wise: "a/b" < "a-b" as strings differ at '/' vs '-'.
    expect(compareValues(ref('a/x'), ref('a-b/x'))).toBe(-1);
  });

  it('orders arrays element by element, then by length', () => {
    expectAscending([
      arr(),
      arr(int(1)),
      arr(int(1), int(2), int(3)),
      arr(int(1), int(2), int(3), int(1)),
      arr(int(2)),
    ]);
  });

  it('orders vectors by dimension first, then elements', () => {
    expectAscending([vector(), vector(9), vector(1, 1), vector(1, 2)]);
  });

  it('orders maps by key, then value, pair by pair, then by size', () => {
    expectAscending([
      map({ a: str('aaa'), b: str('baz') }),
      map({ a: str('foo'), b: str('bar') }),
      map({ a: str('foo'), b: str('bar'), c: str('qux') }),
      map({ a: str('foo'), b: str('baz') }),
      map({ b: str('aaa'), c: str('baz') }),
      map({ c: str('aaa') }),
    ]);
    // Key order does not depend on insertion order.
    expect(compareValues(map({ b: int(1), a: int(2) }), map({ a: int(2), b: int(1) }))).toBe(0);
  });

  it('treats 1 and 1.0 as equal inside arrays and maps', () => {
    expect(valuesEqual(arr(int(1), map({ x: dbl(2) })), arr(dbl(1), map({ x: int(2) })))).toBe(true);
  });
});

import type { Fields, Val } from './values.ts';

/*
 * Firestore's total order over values (https://firebase.google.com/docs/firestore/manage-data/data-types):
 * null < booleans < numbers < timestamps < strings < bytes < references <
 * geo points < arrays < vectors < maps. Integers and doubles compare
 * numerically with each other, NaN below every other number, -0 equal to 0.
 * Filters, orderBy, cursors and array-membership transforms all use it, so
 * `compareValues(a, b) === 0` is query equality (1 == 1.0).
 */

const TYPE_RANK = {
  null: 0,
  boolean: 1,
  number: 2,
  timestamp: 3,
  string: 4,
  bytes: 5,
  reference: 6,
  geoPoint: 7,
  array: 8,
  vector: 9,
  map: 10,
} as const;

export type TypeClass = keyof typeof TYPE_RANK;

/** The type bracket a value sorts in; range filters only match values of the operand's bracket. */
export function typeClass(v: Val): TypeClass {
  switch (v.kind) {
    case 'integer':
    case 'double':
      return 'number';
    case 'map':
      return isVector(v.fields) ? 'vector' : 'map';
    default:
      return v.kind;
  }
}

/** A vector embedding (FieldValue.vector) is a map `{__type__: '__vector__', value: [numbers]}`. */
function isVector(fields: Fields): boolean {
  const type = fields.get('__type__');
  return type?.kind === 'string' && type.value === '__vector__';
}

export function compareValues(a: Val, b: Val): number {
  const ta = typeClass(a);
  const tb = typeClass(b);
  if (ta !== tb) return TYPE_RANK[ta] - TYPE_RANK[tb];
  switch (a.kind) {
    case 'null':
      return 0;
    case 'boolean':
      return Number(a.value) - Number((b as typeof a).value);
    case 'integer':
    case 'double':
      return compareNumbers(a.value, (b as Extract<Val, { kind: 'integer' | 'double' }>).value);
    case 'timestamp': {
      const o = b as typeof a;
      return sign(a.seconds - o.seconds) || sign(a.nanos - o.nanos);
    }
    case 'string':
      return compareUtf8(a.value, (b as typeof a).value);
    case 'bytes':
      return Buffer.compare(a.value, (b as typeof a).value);
    case 'reference':
      return compareResourceNames(a.value, (b as typeof a).value);
    case 'geoPoint': {
      const o = b as typeof a;
      return sign(a.latitude - o.latitude) || sign(a.longitude - o.longitude);
    }
    case 'array':
      return compareArrays(a.values, (b as typeof a).values);
    case 'map': {
      const o = b as typeof a;
      return ta === 'vector' ? compareVectors(a.fields, o.fields) : compareMaps(a.fields, o.fields);
    }
  }
}

export function valuesEqual(a: Val, b: Val): boolean {
  return compareValues(a, b) === 0;
}

/** Numeric order across int64 (bigint) and double, exact: JS compares bigint with number mathematically. */
export function compareNumbers(a: bigint | number, b: bigint | number): number {
  const aNaN = typeof a === 'number' && Number.isNaN(a);
  const bNaN = typeof b === 'number' && Number.isNaN(b);
  if (aNaN || bNaN) return aNaN && bNaN ? 0 : aNaN ? -1 : 1;
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/**
 * Strings sort by their UTF-8 bytes, which is Unicode code point order. JS
 * strings are UTF-16, whose code unit order differs for surrogates, so compare
 * code points.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    return sign((a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0));
  }
  return sign(a.length - b.length);
}

function compareArrays(a: readonly Val[], b: readonly Val[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return sign(a.length - b.length);
}

/** Maps compare as their (key, value) pairs in key order, then by size. */
function compareMaps(a: Fields, b: Fields): number {
  const ka = [...a.keys()].sort(compareUtf8);
  const kb = [...b.keys()].sort(compareUtf8);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const c = compareUtf8(ka[i]!, kb[i]!) || compareValues(a.get(ka[i]!)!, b.get(kb[i]!)!);
    if (c !== 0) return c;
  }
  return sign(ka.length - kb.length);
}

/** Vectors compare by dimension first, then element by element. */
function compareVectors(a: Fields, b: Fields): number {
  const va = a.get('value');
  const vb = b.get('value');
  const ea = va?.kind === 'array' ? va.values : [];
  const eb = vb?.kind === 'array' ? vb.values : [];
  return sign(ea.length - eb.length) || compareArrays(ea, eb);
}

/**
 * Document names and references compare segment by segment. Numeric ids
 * (`__id123__`, as the client's MIN_KEY `__id-9223372036854775808__`) sort
 * before every string id and numerically among themselves.
 */
export function compareResourceNames(a: string, b: string): number {
  if (a === b) return 0;
  return compareSegments(a.split('/'), b.split('/'));
}

export function compareSegments(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareSegment(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return sign(a.length - b.length);
}

const NUMERIC_ID = /^__id(-?\d+)__$/;

function compareSegment(a: string, b: string): number {
  if (a === b) return 0;
  const na = NUMERIC_ID.exec(a);
  const nb = NUMERIC_ID.exec(b);
  if (na && nb) return compareNumbers(BigInt(na[1]!), BigInt(nb[1]!));
  if (na) return -1;
  if (nb) return 1;
  return compareUtf8(a, b);
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

import { invalidArgument } from '../common/grpc-errors.ts';
import { checkTimestamp } from './timestamps.ts';
import type { WireValue } from './wire.ts';

/*
 * The emulator's own value model: a tagged union decoded (and validated) once
 * from the wire, so ordering, filters and transforms never deal with protobuf
 * quirks (int64 as strings, oneof markers). Values are immutable: writes build
 * new maps along the changed path and share everything else.
 */
export type Val =
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'timestamp'; readonly seconds: number; readonly nanos: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: Buffer }
  | { readonly kind: 'reference'; readonly value: string }
  | { readonly kind: 'geoPoint'; readonly latitude: number; readonly longitude: number }
  | { readonly kind: 'array'; readonly values: readonly Val[] }
  | { readonly kind: 'map'; readonly fields: Fields };

export type Fields = ReadonlyMap<string, Val>;

export const NULL: Val = { kind: 'null' };
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export const integer = (value: bigint): Val => ({ kind: 'integer', value });
export const double = (value: number): Val => ({ kind: 'double', value });

export function isNumber(v: Val | undefined): v is Extract<Val, { kind: 'integer' | 'double' }> {
  return v?.kind === 'integer' || v?.kind === 'double';
}

export function isNaNValue(v: Val | undefined): boolean {
  return v?.kind === 'double' && Number.isNaN(v.value);
}

export interface DecodeOptions {
  /** Document fields may not hold arrays directly inside arrays; query operands (`in` lists) may. */
  readonly inDocument: boolean;
  /** Where the value came from, for error messages. */
  readonly where: string;
  /** In a document: UTF-8 bytes of the field path down to this value, separators included. */
  readonly pathBytes?: number;
}

export function decodeValue(w: WireValue, opts: DecodeOptions, insideArray = false): Val {
  switch (w.valueType) {
    case 'nullValue':
      return NULL;
    case 'booleanValue':
      return { kind: 'boolean', value: Boolean(w.booleanValue) };
    case 'integerValue':
      return { kind: 'integer', value: BigInt(w.integerValue ?? 0) };
    case 'doubleValue':
      return { kind: 'double', value: Number(w.doubleValue ?? 0) };
    case 'timestampValue': {
      const { seconds, nanos } = checkTimestamp(w.timestampValue ?? {}, opts.where);
      // Firestore stores timestamps to the microsecond, rounding down.
      return { kind: 'timestamp', seconds, nanos: nanos - (nanos % 1000) };
    }
    case 'stringValue':
      return { kind: 'string', value: w.stringValue ?? '' };
    case 'bytesValue':
      return { kind: 'bytes', value: Buffer.from(w.bytesValue ?? []) };
    case 'referenceValue':
      return { kind: 'reference', value: checkReference(w.referenceValue ?? '', opts.where) };
    case 'geoPointValue': {
      const latitude = w.geoPointValue?.latitude ?? 0;
      const longitude = w.geoPointValue?.longitude ?? 0;
      if (!(latitude >= -90 && latitude <= 90) || !(longitude >= -180 && longitude <= 180)) {
        throw invalidArgument(`${opts.where}: invalid geo point (${latitude}, ${longitude})`);
      }
      return { kind: 'geoPoint', latitude, longitude };
    }
    case 'arrayValue': {
      if (insideArray && opts.inDocument) {
        throw invalidArgument(`${opts.where}: Cannot have an array value directly inside another array.`);
      }
      const values = (w.arrayValue?.values ?? []).map((e) => decodeValue(e, opts, true));
      return { kind: 'array', values };
    }
    case 'mapValue':
      return { kind: 'map', fields: decodeFields(w.mapValue?.fields, opts) };
    case undefined:
      throw invalidArgument(`${opts.where}: a Value must have one of its value types set.`);
    default:
      // field_reference_value, function_value, pipeline_value...: pipeline-only types.
      throw invalidArgument(
        `${opts.where}: value type ${w.valueType} is not supported by this emulator here.`,
      );
  }
}

export function decodeFields(wire: Record<string, WireValue> | undefined, opts: DecodeOptions): Fields {
  const fields = new Map<string, Val>();
  for (const [key, value] of Object.entries(wire ?? {})) {
    if (key === '') throw invalidArgument(`${opts.where}: field names must not be empty.`);
    let pathBytes: number | undefined;
    if (opts.inDocument) {
      checkFieldName(key, opts.where);
      pathBytes = (opts.pathBytes === undefined ? 0 : opts.pathBytes + 1) + Buffer.byteLength(key);
      if (pathBytes > MAX_FIELD_PATH_BYTES) {
        throw invalidArgument(
          `${opts.where}.${key}: a field path is at most 1,500 bytes (this one is longer).`,
        );
      }
    }
    fields.set(key, decodeValue(value, { ...opts, where: `${opts.where}.${key}`, pathBytes }));
  }
  return fields;
}

/** Firestore's limits on field names and paths in documents: 1,500 bytes each. */
export const MAX_FIELD_PATH_BYTES = 1500;

/**
 * A document field name Firestore accepts: at most 1,500 bytes, and not
 * reserved (`__.*__`), but for `__type__`, which vector values are made of
 * (`{__type__: '__vector__', value: [...]}`).
 */
export function checkFieldName(name: string, where: string): void {
  if (/^__.*__$/s.test(name) && name !== '__type__') {
    throw invalidArgument(`${where}: field name "${name}" is reserved (names matching __.*__ are).`);
  }
  if (Buffer.byteLength(name) > MAX_FIELD_PATH_BYTES) {
    throw invalidArgument(
      `${where}: a field name is at most 1,500 bytes (one is ${Buffer.byteLength(name)}).`,
    );
  }
}

const REFERENCE_RE = /^projects\/[^/]+\/databases\/[^/]+\/documents\/[^/]+\/[^/]+(\/[^/]+\/[^/]+)*$/;

function checkReference(ref: string, where: string): string {
  if (!REFERENCE_RE.test(ref)) {
    throw invalidArgument(`${where}: "${ref}" is not a valid document reference.`);
  }
  return ref;
}

/** The wire encoding of a value, as protobufjs `fromObject` accepts it. */
export function encodeValue(v: Val): WireValue {
  switch (v.kind) {
    case 'null':
      return { nullValue: 'NULL_VALUE' };
    case 'boolean':
      return { booleanValue: v.value };
    case 'integer':
      return { integerValue: v.value.toString() };
    case 'double':
      return { doubleValue: v.value };
    case 'timestamp':
      return { timestampValue: { seconds: String(v.seconds), nanos: v.nanos } };
    case 'string':
      return { stringValue: v.value };
    case 'bytes':
      return { bytesValue: v.value };
    case 'reference':
      return { referenceValue: v.value };
    case 'geoPoint':
      return { geoPointValue: { latitude: v.latitude, longitude: v.longitude } };
    case 'array':
      return { arrayValue: { values: v.values.map(encodeValue) } };
    case 'map':
      return { mapValue: { fields: encodeFields(v.fields) } };
  }
}

export function encodeFields(fields: Fields): Record<string, WireValue> {
  const out: Record<string, WireValue> = {};
  for (const [key, value] of fields) out[key] = encodeValue(value);
  return out;
}

/**
 * Exact identity (type included: 1 and 1.0 differ, NaN is NaN), used to tell
 * whether a write changed a document. Query equality is `compareValues() === 0`.
 */
export function identical(a: Val, b: Val): boolean {
  switch (a.kind) {
    case 'null':
      return b.kind === 'null';
    case 'boolean':
    case 'integer':
    case 'string':
    case 'reference':
      return b.kind === a.kind && b.value === a.value;
    case 'double':
      return b.kind === 'double' && Object.is(a.value, b.value);
    case 'timestamp':
      return b.kind === 'timestamp' && a.seconds === b.seconds && a.nanos === b.nanos;
    case 'bytes':
      return b.kind === 'bytes' && a.value.equals(b.value);
    case 'geoPoint':
      return b.kind === 'geoPoint' && a.latitude === b.latitude && a.longitude === b.longitude;
    case 'array':
      return (
        b.kind === 'array' &&
        a.values.length === b.values.length &&
        a.values.every((x, i) => identical(x, b.values[i]!))
      );
    case 'map':
      return b.kind === 'map' && identicalFields(a.fields, b.fields);
  }
}

export function identicalFields(a: Fields, b: Fields): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    const other = b.get(key);
    if (!other || !identical(value, other)) return false;
  }
  return true;
}

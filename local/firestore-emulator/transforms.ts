import { invalidArgument } from '../common/grpc-errors.ts';
import { type FieldPath, formatFieldPath, getField, parseFieldPath, setField } from './field-paths.ts';
import { compareNumbers, valuesEqual } from './ordering.ts';
import type { Micros } from './timestamps.ts';
import { decodeValue, type Fields, INT64_MAX, INT64_MIN, isNumber, NULL, type Val } from './values.ts';
import type { WireFieldTransform } from './wire.ts';

/*
 * Server-side field transforms (FieldValue.serverTimestamp, increment,
 * maximum, minimum, arrayUnion, arrayRemove), with the semantics documented
 * on google.firestore.v1.DocumentTransform.FieldTransform. A write applies
 * all of its transforms, in order, after its update.
 */

type NumberVal = Extract<Val, { kind: 'integer' | 'double' }>;

export type FieldTransform =
  | { readonly path: FieldPath; readonly kind: 'serverTime' }
  | {
      readonly path: FieldPath;
      readonly kind: 'increment' | 'maximum' | 'minimum';
      readonly operand: NumberVal;
    }
  | {
      readonly path: FieldPath;
      readonly kind: 'appendMissing' | 'removeAll';
      readonly elements: readonly Val[];
    };

export function parseTransform(w: WireFieldTransform, where: string): FieldTransform {
  const path = parseFieldPath(w.fieldPath ?? '', `${where}.field_path`);
  const numeric = (v: WireFieldTransform['increment'], what: string): NumberVal => {
    const val = decodeValue(v ?? {}, { inDocument: true, where: `${where}.${what}` });
    if (!isNumber(val))
      throw invalidArgument(`${where}: ${what} requires a numeric value (integer or double).`);
    return val;
  };
  const elements = (vals: { values?: WireFieldTransform['increment'][] } | undefined, what: string) =>
    (vals?.values ?? []).map((v) =>
      decodeValue(v ?? {}, { inDocument: true, where: `${where}.${what}` }, true),
    );
  switch (w.transformType) {
    case 'setToServerValue':
      if (w.setToServerValue !== 'REQUEST_TIME') {
        throw invalidArgument(`${where}: unsupported server value ${String(w.setToServerValue)}.`);
      }
      return { path, kind: 'serverTime' };
    case 'increment':
      return { path, kind: 'increment', operand: numeric(w.increment, 'increment') };
    case 'maximum':
      return { path, kind: 'maximum', operand: numeric(w.maximum, 'maximum') };
    case 'minimum':
      return { path, kind: 'minimum', operand: numeric(w.minimum, 'minimum') };
    case 'appendMissingElements':
      return {
        path,
        kind: 'appendMissing',
        elements: elements(w.appendMissingElements, 'append_missing_elements'),
      };
    case 'removeAllFromArray':
      return { path, kind: 'removeAll', elements: elements(w.removeAllFromArray, 'remove_all_from_array') };
    default:
      throw invalidArgument(`${where}: field transform on ${formatFieldPath(path)} has no transform type.`);
  }
}

/** Applies one transform; `result` is what WriteResult.transform_results reports for it. */
export function applyTransform(
  fields: Fields,
  t: FieldTransform,
  time: Micros,
): { fields: Fields; result: Val } {
  const current = getField(fields, t.path);
  let next: Val;
  let result: Val;
  switch (t.kind) {
    case 'serverTime': {
      const seconds = Math.floor(time / 1e6);
      next = result = { kind: 'timestamp', seconds, nanos: (time - seconds * 1e6) * 1000 };
      break;
    }
    case 'increment':
      next = result = isNumber(current) ? add(current, t.operand) : t.operand;
      break;
    case 'maximum':
    case 'minimum':
      next = result = isNumber(current) ? extreme(t.kind, current, t.operand) : t.operand;
      break;
    case 'appendMissing': {
      // A non-array (or missing) field is first treated as an empty array.
      const out = current?.kind === 'array' ? [...current.values] : [];
      for (const e of t.elements) if (!out.some((x) => valuesEqual(x, e))) out.push(e);
      next = { kind: 'array', values: out };
      result = NULL;
      break;
    }
    case 'removeAll': {
      const kept = current?.kind === 'array' ? current.values : [];
      next = { kind: 'array', values: kept.filter((x) => !t.elements.some((e) => valuesEqual(x, e))) };
      result = NULL;
      break;
    }
  }
  return { fields: setField(fields, t.path, next), result };
}

/** Integer + integer stays an integer, saturating at the int64 bounds; anything with a double is a double. */
function add(a: NumberVal, b: NumberVal): Val {
  if (a.kind === 'integer' && b.kind === 'integer') {
    let sum = a.value + b.value;
    if (sum > INT64_MAX) sum = INT64_MAX;
    if (sum < INT64_MIN) sum = INT64_MIN;
    return { kind: 'integer', value: sum };
  }
  return { kind: 'double', value: Number(a.value) + Number(b.value) };
}

/**
 * maximum/minimum: NaN wins; mixed int/double takes the winning operand's
 * type; equivalent operands (3 and 3.0, 0 and -0) keep the stored value.
 */
function extreme(kind: 'maximum' | 'minimum', stored: NumberVal, operand: NumberVal): Val {
  if (Number.isNaN(Number(stored.value))) return stored;
  if (Number.isNaN(Number(operand.value))) return operand;
  const c = compareNumbers(stored.value, operand.value);
  if (c === 0) return stored;
  return (kind === 'maximum') === c > 0 ? stored : operand;
}

import { invalidArgument } from '../common/grpc-errors.ts';
import { type FieldPath, formatFieldPath, getField, parseFieldPath } from './field-paths.ts';
import { compareValues, typeClass, valuesEqual } from './ordering.ts';
import type { StoredDoc } from './store.ts';
import { decodeValue, isNaNValue, type Val } from './values.ts';
import type { WireFilter } from './wire.ts';

/*
 * StructuredQuery.Filter, validated and evaluated with Firestore's semantics:
 * - <, <=, >, >= only match values in the operand's type bracket (numbers
 *   with numbers, strings with strings...);
 * - ==, in, array-contains(-any) use value equality (1 == 1.0);
 * - != and not-in match only documents that have the field, with a non-null
 *   value; not-in a list containing null matches nothing;
 * - a document missing the field never matches a field filter.
 */

const FIELD_OPS = [
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
  'EQUAL',
  'NOT_EQUAL',
  'ARRAY_CONTAINS',
  'IN',
  'ARRAY_CONTAINS_ANY',
  'NOT_IN',
] as const;
const UNARY_OPS = ['IS_NAN', 'IS_NULL', 'IS_NOT_NAN', 'IS_NOT_NULL'] as const;

type FieldOp = (typeof FIELD_OPS)[number];
type UnaryOp = (typeof UNARY_OPS)[number];

export type Filter =
  | { readonly kind: 'composite'; readonly op: 'AND' | 'OR'; readonly filters: readonly Filter[] }
  | { readonly kind: 'field'; readonly path: FieldPath; readonly op: FieldOp; readonly value: Val }
  | { readonly kind: 'unary'; readonly path: FieldPath; readonly op: UnaryOp };

const INEQUALITY_OPS: ReadonlySet<string> = new Set([
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
  'NOT_EQUAL',
  'NOT_IN',
  'IS_NOT_NAN',
  'IS_NOT_NULL',
]);
const LIST_LIMITS: Partial<Record<FieldOp, number>> = { IN: 30, ARRAY_CONTAINS_ANY: 30, NOT_IN: 10 };

export function isNamePath(path: FieldPath): boolean {
  return path.length === 1 && path[0] === '__name__';
}

/** A field's value in a document; `__name__` is the document's own reference. */
export function fieldValue(doc: StoredDoc, path: FieldPath): Val | undefined {
  return isNamePath(path) ? { kind: 'reference', value: doc.name } : getField(doc.fields, path);
}

export function parseFilter(w: WireFilter, database: string, where = 'structured_query.where'): Filter {
  switch (w.filterType) {
    case 'compositeFilter': {
      const op = w.compositeFilter?.op;
      if (op !== 'AND' && op !== 'OR')
        throw invalidArgument(`${where}: composite filter operator must be AND or OR.`);
      const filters = (w.compositeFilter?.filters ?? []).map((f, i) =>
        parseFilter(f, database, `${where}.filters[${i}]`),
      );
      if (filters.length === 0)
        throw invalidArgument(`${where}: a composite filter needs at least one filter.`);
      return { kind: 'composite', op, filters };
    }
    case 'fieldFilter': {
      const f = w.fieldFilter ?? {};
      const path = parseFieldPath(f.field?.fieldPath ?? '', `${where}.field`);
      const op = f.op as FieldOp;
      if (!FIELD_OPS.includes(op))
        throw invalidArgument(`${where}: unsupported field filter operator ${f.op}.`);
      const value = decodeValue(f.value ?? {}, { inDocument: false, where: `${where}.value` });
      checkFieldFilter(path, op, value, database, where);
      return { kind: 'field', path, op, value };
    }
    case 'unaryFilter': {
      const u = w.unaryFilter ?? {};
      const path = parseFieldPath(u.field?.fieldPath ?? '', `${where}.field`);
      const op = u.op as UnaryOp;
      if (!UNARY_OPS.includes(op))
        throw invalidArgument(`${where}: unsupported unary filter operator ${u.op}.`);
      if (isNamePath(path)) throw invalidArgument(`${where}: unary filters cannot be applied to __name__.`);
      return { kind: 'unary', path, op };
    }
    default:
      throw invalidArgument(`${where}: a filter must be a composite, field or unary filter.`);
  }
}

function checkFieldFilter(path: FieldPath, op: FieldOp, value: Val, database: string, where: string): void {
  const field = formatFieldPath(path);
  const list = op === 'IN' || op === 'NOT_IN' || op === 'ARRAY_CONTAINS_ANY';
  if (list) {
    if (value.kind !== 'array' || value.values.length === 0) {
      throw invalidArgument(`${where}: ${op} on ${field} requires a non-empty array value.`);
    }
    const max = LIST_LIMITS[op]!;
    if (value.values.length > max) {
      throw invalidArgument(
        `${where}: ${op} on ${field} allows at most ${max} values, got ${value.values.length}.`,
      );
    }
  } else if (op !== 'EQUAL' && op !== 'NOT_EQUAL' && (value.kind === 'null' || isNaNValue(value))) {
    throw invalidArgument(`${where}: null and NaN only support EQUAL and NOT_EQUAL (use a unary filter).`);
  }
  if (isNamePath(path)) {
    if (op === 'ARRAY_CONTAINS' || op === 'ARRAY_CONTAINS_ANY') {
      throw invalidArgument(`${where}: ${op} is not supported on __name__.`);
    }
    for (const v of list && value.kind === 'array' ? value.values : [value]) {
      if (v.kind !== 'reference')
        throw invalidArgument(`${where}: __name__ filter values must be document references.`);
      if (!v.value.startsWith(`${database}/documents/`)) {
        throw invalidArgument(
          `${where}: __name__ filter value "${v.value}" is not in database "${database}".`,
        );
      }
    }
  }
}

const RANGE_OPS: ReadonlySet<FieldOp> = new Set([
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
]);

export function matches(filter: Filter, doc: StoredDoc): boolean {
  switch (filter.kind) {
    case 'composite':
      return filter.op === 'AND'
        ? filter.filters.every((f) => matches(f, doc))
        : filter.filters.some((f) => matches(f, doc));
    case 'unary':
      return matchesUnary(filter.op, fieldValue(doc, filter.path));
    case 'field':
      return matchesField(filter.op, fieldValue(doc, filter.path), filter.value);
  }
}

function matchesUnary(op: UnaryOp, v: Val | undefined): boolean {
  switch (op) {
    case 'IS_NULL':
      return v?.kind === 'null';
    case 'IS_NAN':
      return isNaNValue(v);
    case 'IS_NOT_NULL':
      return v !== undefined && v.kind !== 'null';
    case 'IS_NOT_NAN':
      return v !== undefined && v.kind !== 'null' && !isNaNValue(v);
  }
}

function matchesField(op: FieldOp, v: Val | undefined, operand: Val): boolean {
  if (v === undefined) return false;
  // NaN sorts before every number but is never less or greater than anything: no range filter matches it.
  if (RANGE_OPS.has(op) && isNaNValue(v)) return false;
  const list = operand.kind === 'array' ? operand.values : [];
  switch (op) {
    case 'EQUAL':
      return valuesEqual(v, operand);
    case 'NOT_EQUAL':
      return v.kind !== 'null' && !valuesEqual(v, operand);
    case 'LESS_THAN':
      return typeClass(v) === typeClass(operand) && compareValues(v, operand) < 0;
    case 'LESS_THAN_OR_EQUAL':
      return typeClass(v) === typeClass(operand) && compareValues(v, operand) <= 0;
    case 'GREATER_THAN':
      return typeClass(v) === typeClass(operand) && compareValues(v, operand) > 0;
    case 'GREATER_THAN_OR_EQUAL':
      return typeClass(v) === typeClass(operand) && compareValues(v, operand) >= 0;
    case 'ARRAY_CONTAINS':
      return v.kind === 'array' && v.values.some((e) => valuesEqual(e, operand));
    case 'ARRAY_CONTAINS_ANY':
      return v.kind === 'array' && v.values.some((e) => list.some((x) => valuesEqual(e, x)));
    case 'IN':
      return list.some((x) => valuesEqual(v, x));
    case 'NOT_IN':
      return v.kind !== 'null' && !list.some((x) => x.kind === 'null' || valuesEqual(v, x));
  }
}

/** Fields under an inequality (they join the implicit order by), __name__ excluded. */
export function inequalityPaths(filter: Filter | undefined): FieldPath[] {
  if (!filter) return [];
  if (filter.kind === 'composite') return filter.filters.flatMap(inequalityPaths);
  return INEQUALITY_OPS.has(filter.op) && !isNamePath(filter.path) ? [filter.path] : [];
}

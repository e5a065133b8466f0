import { invalidArgument } from '../common/grpc-errors.ts';
import { type FieldPath, getField, parseFieldPath } from './field-paths.ts';
import type { StoredDoc } from './store.ts';
import { encodeValue, INT64_MAX, INT64_MIN, NULL, type Val } from './values.ts';
import type { WireAggregation, WireValue } from './wire.ts';

/*
 * RunAggregationQuery's count / sum / avg over the documents the nested query
 * returns (after its offset and limit), with Firestore's typing rules: sum is
 * an integer while every summed value is an integer and the total fits in
 * int64, a double otherwise; avg is a double, null with nothing to average;
 * non-numeric values are ignored by sum and avg.
 */

export type Aggregation =
  | { readonly alias: string; readonly kind: 'count'; readonly upTo: bigint | undefined }
  | { readonly alias: string; readonly kind: 'sum' | 'avg'; readonly path: FieldPath };

/** Firestore accepts at most this many aggregations in one request. */
const MAX_AGGREGATIONS = 5;

export function parseAggregations(wire: readonly WireAggregation[] | undefined): Aggregation[] {
  const list = wire ?? [];
  if (list.length === 0)
    throw invalidArgument('structured_aggregation_query needs at least one aggregation.');
  if (list.length > MAX_AGGREGATIONS) {
    throw invalidArgument(`At most ${MAX_AGGREGATIONS} aggregations are allowed, got ${list.length}.`);
  }
  const aliases = new Set<string>();
  return list.map((a, i) => {
    const where = `aggregations[${i}]`;
    // Firestore names unaliased aggregations field_1, field_2, ...
    const alias = a.alias || `field_${i + 1}`;
    if (aliases.has(alias)) throw invalidArgument(`${where}: duplicate alias "${alias}".`);
    aliases.add(alias);
    switch (a.operator) {
      case 'count': {
        const raw = a.count?.upTo?.value;
        const upTo = a.count?.upTo ? BigInt(raw ?? 0) : undefined;
        if (upTo !== undefined && upTo <= 0n)
          throw invalidArgument(`${where}: count up_to must be greater than zero.`);
        return { alias, kind: 'count', upTo };
      }
      case 'sum':
      case 'avg': {
        const field = a.operator === 'sum' ? a.sum?.field : a.avg?.field;
        return { alias, kind: a.operator, path: parseFieldPath(field?.fieldPath ?? '', `${where}.field`) };
      }
      default:
        throw invalidArgument(`${where}: an aggregation must be count, sum or avg.`);
    }
  });
}

export function aggregate(
  aggregations: readonly Aggregation[],
  docs: readonly StoredDoc[],
): Record<string, WireValue> {
  // Firestore aggregates over the index entries of every field it sums or averages, so only
  // documents that have all of those fields take part, in every aggregation of the query (count too).
  const paths = aggregations.flatMap((a) => (a.kind === 'count' ? [] : [a.path]));
  const taking = docs.filter((doc) => paths.every((path) => getField(doc.fields, path) !== undefined));
  const out: Record<string, WireValue> = {};
  for (const a of aggregations) out[a.alias] = encodeValue(compute(a, taking));
  return out;
}

function compute(a: Aggregation, docs: readonly StoredDoc[]): Val {
  if (a.kind === 'count') {
    const n = BigInt(docs.length);
    return { kind: 'integer', value: a.upTo !== undefined && a.upTo < n ? a.upTo : n };
  }
  let intSum = 0n;
  let doubleSum = 0;
  let allIntegers = true;
  let count = 0;
  for (const doc of docs) {
    const v = getField(doc.fields, a.path);
    if (v?.kind === 'integer') {
      intSum += v.value;
      doubleSum += Number(v.value);
    } else if (v?.kind === 'double') {
      allIntegers = false;
      doubleSum += v.value;
    } else {
      continue;
    }
    count++;
  }
  if (a.kind === 'avg') return count === 0 ? NULL : { kind: 'double', value: doubleSum / count };
  if (allIntegers && intSum >= INT64_MIN && intSum <= INT64_MAX) return { kind: 'integer', value: intSum };
  return { kind: 'double', value: allIntegers ? Number(intSum) : doubleSum };
}

import { invalidArgument } from '../common/grpc-errors.ts';
import { type FieldPath, getField, parseFieldPath, setField } from './field-paths.ts';
import type { StoredDoc } from './store.ts';
import { decodeValue, type Val } from './values.ts';
import type { WireValue } from './wire.ts';

/*
 * FindNearest (vector search) as an exact search: the emulator needs no
 * vector index, so it measures the distance to every document the query's
 * scope and filters keep. Semantics from the FindNearest message of
 * google/firestore/v1/query.proto: only documents whose field holds a vector
 * of the query vector's dimension take part; EUCLIDEAN and COSINE distances
 * grow with dissimilarity, DOT_PRODUCT shrinks; the threshold keeps
 * `distance <= threshold` (`>=` for DOT_PRODUCT); results are ordered by
 * distance, nearest first, at most `limit`.
 */

type Measure = 'EUCLIDEAN' | 'COSINE' | 'DOT_PRODUCT';

export interface NearestSearch {
  readonly path: FieldPath;
  readonly query: readonly number[];
  readonly measure: Measure;
  readonly limit: number;
  readonly resultField: FieldPath | undefined;
  readonly threshold: number | undefined;
}

interface WireFindNearest {
  vectorField?: { fieldPath?: string };
  queryVector?: WireValue;
  distanceMeasure?: string | number;
  limit?: { value?: number };
  distanceResultField?: string;
  distanceThreshold?: { value?: number };
}

const measures: readonly Measure[] = ['EUCLIDEAN', 'COSINE', 'DOT_PRODUCT'];
const where = 'structured_query.find_nearest';

export function parseFindNearest(wire: unknown): NearestSearch {
  const w = wire as WireFindNearest;
  const path = parseFieldPath(w.vectorField?.fieldPath ?? '', `${where}.vector_field`);
  const query = w.queryVector
    ? vectorOf(decodeValue(w.queryVector, { inDocument: false, where: `${where}.query_vector` }))
    : undefined;
  if (!query || query.length === 0)
    throw invalidArgument(`${where}.query_vector must be a non-empty vector.`);
  if (query.length > 2048) throw invalidArgument(`${where}.query_vector has more than 2048 dimensions.`);
  const measure =
    typeof w.distanceMeasure === 'number' ? measures[w.distanceMeasure - 1] : (w.distanceMeasure as Measure);
  if (!measure || !measures.includes(measure)) {
    throw invalidArgument(`${where}.distance_measure must be EUCLIDEAN, COSINE or DOT_PRODUCT.`);
  }
  const limit = w.limit?.value ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw invalidArgument(`${where}.limit must be from 1 to 1000.`);
  }
  const resultField = w.distanceResultField
    ? parseFieldPath(w.distanceResultField, `${where}.distance_result_field`)
    : undefined;
  return { path, query, measure, limit, resultField, threshold: w.distanceThreshold?.value };
}

/** The nearest documents to the query vector, nearest first, with the distance set when asked. */
export function nearestDocuments(search: NearestSearch, docs: readonly StoredDoc[]): StoredDoc[] {
  const scored: Array<{ doc: StoredDoc; distance: number }> = [];
  for (const doc of docs) {
    const field = getField(doc.fields, search.path);
    const vector = field && vectorOf(field);
    if (!vector || vector.length !== search.query.length) continue;
    const distance = measure(search.measure, search.query, vector);
    if (Number.isNaN(distance)) continue;
    if (search.threshold !== undefined) {
      const within =
        search.measure === 'DOT_PRODUCT' ? distance >= search.threshold : distance <= search.threshold;
      if (!within) continue;
    }
    scored.push({ doc, distance });
  }
  const nearestFirst = search.measure === 'DOT_PRODUCT' ? -1 : 1;
  scored.sort((a, b) => nearestFirst * (a.distance - b.distance) || (a.doc.name < b.doc.name ? -1 : 1));
  return scored
    .slice(0, search.limit)
    .map(({ doc, distance }) =>
      search.resultField
        ? { ...doc, fields: setField(doc.fields, search.resultField, { kind: 'double', value: distance }) }
        : doc,
    );
}

/** The numbers of a vector value (`{__type__: '__vector__', value: [...]}`), or undefined. */
function vectorOf(v: Val): number[] | undefined {
  if (v.kind !== 'map') return undefined;
  const type = v.fields.get('__type__');
  const value = v.fields.get('value');
  if (type?.kind !== 'string' || type.value !== '__vector__' || value?.kind !== 'array') return undefined;
  const numbers: number[] = [];
  for (const item of value.values) {
    if (item.kind === 'double') numbers.push(item.value);
    else if (item.kind === 'integer') numbers.push(Number(item.value));
    else return undefined;
  }
  return numbers;
}

function measure(kind: Measure, a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let squares = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    squares += (a[i]! - b[i]!) ** 2;
    normA += a[i]! ** 2;
    normB += b[i]! ** 2;
  }
  if (kind === 'EUCLIDEAN') return Math.sqrt(squares);
  if (kind === 'DOT_PRODUCT') return dot;
  return 1 - dot / (Math.sqrt(normA) * Math.sqrt(normB));
}

import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../common/grpc-errors.ts';
import { deleteField, type FieldPath, getField, isPrefix, parseFieldPath, setField } from './field-paths.ts';
import { parseDocumentName, requireSameDatabase } from './names.ts';
import type { StoredDoc } from './store.ts';
import { type Micros, microsToProto, protoToMicros } from './timestamps.ts';
import { applyTransform, type FieldTransform, parseTransform } from './transforms.ts';
import {
  checkFieldName,
  decodeFields,
  encodeValue,
  type Fields,
  identicalFields,
  MAX_FIELD_PATH_BYTES,
  type Val,
} from './values.ts';
import type { WireValue, WireWrite } from './wire.ts';

/*
 * One google.firestore.v1.Write, validated, and its effect on a document:
 * - update without update_mask: replace the document (set);
 * - update with update_mask: change only the masked paths; a masked path
 *   absent from the update's fields is deleted (set merge, update(), and
 *   FieldValue.delete());
 * - delete; transform (legacy standalone transform);
 * then every update_transform in order, then the precondition decides.
 */

export interface ParsedWrite {
  readonly name: string;
  readonly path: readonly string[];
  readonly op: 'update' | 'delete' | 'transform';
  readonly fields: Fields;
  readonly mask: readonly FieldPath[] | undefined;
  readonly transforms: readonly FieldTransform[];
  readonly precondition: { readonly exists?: boolean; readonly updateTime?: Micros } | undefined;
}

export interface WireWriteResult {
  updateTime?: { seconds: string; nanos: number };
  transformResults?: WireValue[];
}

export function parseWrite(w: WireWrite, database: string, index: number): ParsedWrite {
  const where = `writes[${index}]`;
  let target: string | undefined;
  let fields: Fields = new Map();
  let transforms: FieldTransform[] = [];
  switch (w.operation) {
    case 'update':
      target = w.update?.name;
      fields = decodeFields(w.update?.fields, { inDocument: true, where: `${where}.update.fields` });
      break;
    case 'delete':
      target = w.delete;
      if (w.updateMask || w.updateTransforms?.length) {
        throw invalidArgument(`${where}: a delete cannot have an update mask or update transforms.`);
      }
      break;
    case 'transform':
      target = w.transform?.document;
      transforms = (w.transform?.fieldTransforms ?? []).map((t, i) =>
        parseTransform(t, `${where}.transform.field_transforms[${i}]`),
      );
      break;
    default:
      throw invalidArgument(`${where}: a write must set one of update, delete or transform.`);
  }
  const r = parseDocumentName(target, `${where} document name`);
  requireSameDatabase(database, r, `${where} document`);
  transforms.push(
    ...(w.updateTransforms ?? []).map((t, i) => parseTransform(t, `${where}.update_transforms[${i}]`)),
  );
  const mask = w.updateMask
    ? (w.updateMask.fieldPaths ?? []).map((p, i) =>
        parseFieldPath(p, `${where}.update_mask.field_paths[${i}]`),
      )
    : undefined;
  if (mask && w.operation !== 'update')
    throw invalidArgument(`${where}: update_mask is only valid with update.`);
  for (const [i, path] of (mask ?? []).entries()) {
    checkWrittenPath(path, `${where}.update_mask.field_paths[${i}]`);
  }
  for (const [i, t] of transforms.entries()) checkWrittenPath(t.path, `${where} field transform ${i}`);
  // Transforms apply after the update, so one may sit inside a masked field (the client sends
  // update({ b: { c: serverTimestamp() } }) as mask b and a transform of b.c). A transform of a
  // field that contains a masked one would overwrite what the mask just wrote: refused.
  for (const t of transforms) {
    if (mask?.some((m) => isPrefix(t.path, m) && t.path.length < m.length)) {
      throw invalidArgument(`${where}: a transformed field cannot contain a field of the update mask.`);
    }
  }
  let precondition: ParsedWrite['precondition'];
  const pre = w.currentDocument;
  if (pre?.conditionType === 'exists') precondition = { exists: Boolean(pre.exists) };
  else if (pre?.conditionType === 'updateTime') {
    precondition = {
      updateTime: protoToMicros(pre.updateTime ?? {}, `${where}.current_document.update_time`),
    };
  }
  return { name: r.name, path: r.path, op: w.operation, fields, mask, transforms, precondition };
}

/** A field path a write names (mask, transform): names Firestore accepts, at most 1,500 bytes. */
function checkWrittenPath(path: FieldPath, where: string): void {
  for (const segment of path) checkFieldName(segment, where);
  const bytes = path.reduce((n, segment) => n + Buffer.byteLength(segment), path.length - 1);
  if (bytes > MAX_FIELD_PATH_BYTES) throw invalidArgument(`${where}: a field path is at most 1,500 bytes.`);
}

/**
 * Applies `w` to `current` at commit time `time`. Returns the new state (null:
 * deleted) and the write result; throws the precondition failure Firestore gives.
 */
export function applyWrite(
  current: StoredDoc | undefined,
  w: ParsedWrite,
  time: Micros,
): { doc: StoredDoc | null; result: WireWriteResult } {
  const pre = w.precondition;
  if (pre?.exists === true && !current) {
    throw notFound(`No document to ${w.op === 'delete' ? 'delete' : 'update'}: ${w.name}`);
  }
  if (pre?.exists === false && current) throw alreadyExists(`Document already exists: ${w.name}`);
  if (pre?.updateTime !== undefined && current?.updateTime !== pre.updateTime) {
    throw failedPrecondition(
      current
        ? `The document ${w.name} was updated at a different time than the precondition's update_time.`
        : `No document to update: ${w.name}`,
    );
  }
  if (w.op === 'delete') return { doc: null, result: {} };

  let fields: Fields;
  if (w.op === 'transform') fields = current?.fields ?? new Map();
  else if (w.mask) fields = merge(current?.fields ?? new Map(), w.fields, w.mask);
  else fields = w.fields;

  const transformResults: Val[] = [];
  for (const t of w.transforms) {
    const applied = applyTransform(fields, t, time);
    fields = applied.fields;
    transformResults.push(applied.result);
  }

  // A write that changes nothing keeps the document's update time, as Firestore reports it.
  const doc: StoredDoc =
    current && identicalFields(current.fields, fields)
      ? current
      : { name: w.name, path: w.path, fields, createTime: current?.createTime ?? time, updateTime: time };
  const result: WireWriteResult = { updateTime: microsToProto(doc.updateTime) };
  if (transformResults.length > 0) result.transformResults = transformResults.map(encodeValue);
  return { doc, result };
}

function merge(base: Fields, update: Fields, mask: readonly FieldPath[]): Fields {
  let out = base;
  for (const path of mask) {
    const v = getField(update, path);
    out = v === undefined ? deleteField(out, path) : setField(out, path, v);
  }
  return out;
}

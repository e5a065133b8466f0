import { type FieldPath, projectFields } from './field-paths.ts';
import type { StoredDoc } from './store.ts';
import { type Micros, microsToProto } from './timestamps.ts';
import { encodeFields } from './values.ts';
import type { WireDocument, WireStructuredQuery, WireTimestamp } from './wire.ts';

/*
 * The Listen messages as @grpc/proto-loader decodes and encodes them (see
 * wire.ts for the options), and builders for each response the stream sends.
 */

export interface WireTarget {
  targetType?: 'query' | 'documents';
  query?: { parent?: string; queryType?: 'structuredQuery'; structuredQuery?: WireStructuredQuery };
  documents?: { documents?: string[] };
  resumeType?: 'resumeToken' | 'readTime';
  resumeToken?: Uint8Array;
  readTime?: WireTimestamp;
  targetId?: number;
  once?: boolean;
}

export interface ListenRequest {
  database?: string;
  targetChange?: 'addTarget' | 'removeTarget';
  addTarget?: WireTarget;
  removeTarget?: number;
}

type TargetChangeType = 'NO_CHANGE' | 'ADD' | 'REMOVE' | 'CURRENT' | 'RESET';

export interface ListenResponse {
  targetChange?: {
    targetChangeType: TargetChangeType;
    targetIds: number[];
    cause?: { code: number; message: string };
    resumeToken?: Buffer;
    readTime?: WireTimestamp;
  };
  documentChange?: { document: WireDocument; targetIds: number[]; removedTargetIds: number[] };
  documentDelete?: { document: string; removedTargetIds: number[]; readTime: WireTimestamp };
  documentRemove?: { document: string; removedTargetIds: number[]; readTime: WireTimestamp };
  filter?: { targetId: number; count: number };
}

export function targetChange(
  type: TargetChangeType,
  targetIds: number[],
  extra: { cause?: { code: number; message: string }; resumeToken?: Buffer; readTime?: Micros } = {},
): ListenResponse {
  const { readTime, ...rest } = extra;
  return {
    targetChange: {
      targetChangeType: type,
      targetIds,
      ...rest,
      ...(readTime === undefined ? {} : { readTime: microsToProto(readTime) }),
    },
  };
}

export function documentChanged(
  doc: StoredDoc,
  targetId: number,
  projection: readonly FieldPath[] | undefined,
): ListenResponse {
  const document: WireDocument = {
    name: doc.name,
    fields: encodeFields(projection ? projectFields(doc.fields, projection) : doc.fields),
    createTime: microsToProto(doc.createTime),
    updateTime: microsToProto(doc.updateTime),
  };
  return { documentChange: { document, targetIds: [targetId], removedTargetIds: [] } };
}

/** The document no longer exists. */
export function documentDeleted(name: string, targetId: number, readTime: Micros): ListenResponse {
  return {
    documentDelete: { document: name, removedTargetIds: [targetId], readTime: microsToProto(readTime) },
  };
}

/** The document still exists but left the target's result set. */
export function documentRemoved(name: string, targetId: number, readTime: Micros): ListenResponse {
  return {
    documentRemove: { document: name, removedTargetIds: [targetId], readTime: microsToProto(readTime) },
  };
}

export function existenceFilter(targetId: number, count: number): ListenResponse {
  return { filter: { targetId, count } };
}

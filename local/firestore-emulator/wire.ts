/*
 * The shapes @grpc/proto-loader decodes google.firestore.v1 messages into, with
 * the options in protos.ts (camelCase names, int64 as strings, enums as names,
 * bytes as Buffers, no defaults, `oneofs: true` naming the set member of each
 * oneof). Only the fields this emulator reads or writes are listed; responses
 * are built as plain objects of the same shapes.
 */

export interface WireTimestamp {
  seconds?: string | number;
  nanos?: number;
}

export interface WireValue {
  valueType?: string;
  nullValue?: string | number;
  booleanValue?: boolean;
  integerValue?: string | number;
  doubleValue?: number;
  timestampValue?: WireTimestamp;
  stringValue?: string;
  bytesValue?: Uint8Array;
  referenceValue?: string;
  geoPointValue?: { latitude?: number; longitude?: number };
  arrayValue?: { values?: WireValue[] };
  mapValue?: { fields?: Record<string, WireValue> };
}

export interface WireDocument {
  name?: string;
  fields?: Record<string, WireValue>;
  createTime?: WireTimestamp;
  updateTime?: WireTimestamp;
}

export interface WireDocumentMask {
  fieldPaths?: string[];
}

export interface WirePrecondition {
  conditionType?: 'exists' | 'updateTime';
  exists?: boolean;
  updateTime?: WireTimestamp;
}

export interface WireFieldTransform {
  fieldPath?: string;
  transformType?: string;
  setToServerValue?: string | number;
  increment?: WireValue;
  maximum?: WireValue;
  minimum?: WireValue;
  appendMissingElements?: { values?: WireValue[] };
  removeAllFromArray?: { values?: WireValue[] };
}

export interface WireWrite {
  operation?: 'update' | 'delete' | 'transform';
  update?: WireDocument;
  delete?: string;
  transform?: { document?: string; fieldTransforms?: WireFieldTransform[] };
  updateMask?: WireDocumentMask;
  updateTransforms?: WireFieldTransform[];
  currentDocument?: WirePrecondition;
}

export interface WireTransactionOptions {
  mode?: 'readOnly' | 'readWrite';
  readOnly?: { consistencySelector?: 'readTime'; readTime?: WireTimestamp };
  readWrite?: { retryTransaction?: Uint8Array };
}

/** The `consistency_selector` oneof shared by the read RPCs. */
export interface WireConsistency {
  consistencySelector?: 'transaction' | 'newTransaction' | 'readTime';
  transaction?: Uint8Array;
  newTransaction?: WireTransactionOptions;
  readTime?: WireTimestamp;
}

export interface WireFieldReference {
  fieldPath?: string;
}

export interface WireFilter {
  filterType?: 'compositeFilter' | 'fieldFilter' | 'unaryFilter';
  compositeFilter?: { op?: string | number; filters?: WireFilter[] };
  fieldFilter?: { field?: WireFieldReference; op?: string | number; value?: WireValue };
  unaryFilter?: { op?: string | number; operandType?: 'field'; field?: WireFieldReference };
}

export interface WireCursor {
  values?: WireValue[];
  before?: boolean;
}

export interface WireStructuredQuery {
  select?: { fields?: WireFieldReference[] };
  from?: Array<{ collectionId?: string; allDescendants?: boolean }>;
  where?: WireFilter;
  orderBy?: Array<{ field?: WireFieldReference; direction?: string | number }>;
  startAt?: WireCursor;
  endAt?: WireCursor;
  offset?: number;
  limit?: { value?: number };
  findNearest?: unknown;
}

export interface WireAggregation {
  operator?: 'count' | 'sum' | 'avg';
  count?: { upTo?: { value?: string | number } };
  sum?: { field?: WireFieldReference };
  avg?: { field?: WireFieldReference };
  alias?: string;
}

export interface GetDocumentRequest extends WireConsistency {
  name?: string;
  mask?: WireDocumentMask;
}

export interface BatchGetDocumentsRequest extends WireConsistency {
  database?: string;
  documents?: string[];
  mask?: WireDocumentMask;
}

export interface ListDocumentsRequest extends WireConsistency {
  parent?: string;
  collectionId?: string;
  pageSize?: number;
  pageToken?: string;
  orderBy?: string;
  mask?: WireDocumentMask;
  showMissing?: boolean;
}

export interface ListCollectionIdsRequest extends WireConsistency {
  parent?: string;
  pageSize?: number;
  pageToken?: string;
}

export interface BeginTransactionRequest {
  database?: string;
  options?: WireTransactionOptions;
}

export interface CommitRequest {
  database?: string;
  writes?: WireWrite[];
  transaction?: Uint8Array;
}

export interface BatchWriteRequest {
  database?: string;
  writes?: WireWrite[];
}

export interface RollbackRequest {
  database?: string;
  transaction?: Uint8Array;
}

export interface RunQueryRequest extends WireConsistency {
  parent?: string;
  queryType?: 'structuredQuery';
  structuredQuery?: WireStructuredQuery;
  explainOptions?: unknown;
}

export interface RunAggregationQueryRequest extends WireConsistency {
  parent?: string;
  queryType?: 'structuredAggregationQuery';
  structuredAggregationQuery?: { structuredQuery?: WireStructuredQuery; aggregations?: WireAggregation[] };
  explainOptions?: unknown;
}

import { formatFieldPath } from './field-paths.ts';
import type { NormalizedQuery } from './query.ts';

/*
 * Query explain (ExplainOptions / ExplainMetrics, google/firestore/v1/query_profile.proto)
 * with statistics that are true of this emulator: it has no indexes and scans
 * every document of the database, so the plan names the index Firestore would
 * need for the query's order, and the debug statistics say how many documents
 * were scanned and that no index entry was. Read operations follow Firestore's
 * billing rule for queries: one per document returned, at least one.
 */

interface WireStruct {
  fields: Record<string, { stringValue: string }>;
}

const struct = (values: Record<string, string | number>): WireStruct => ({
  fields: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { stringValue: String(v) }])),
});

export function planSummary(q: NormalizedQuery): { indexesUsed: WireStruct[] } {
  const properties = q.orderBy
    .map((o) => `${formatFieldPath(o.path)} ${o.descending ? 'DESC' : 'ASC'}`)
    .join(', ');
  return {
    indexesUsed: [
      struct({
        query_scope: q.allDescendants ? 'Collection group' : 'Collection',
        properties: `(${properties})`,
      }),
    ],
  };
}

export interface Execution {
  resultsReturned: number;
  documentsScanned: number;
  elapsedNs: bigint;
}

export function executionStats(run: Execution) {
  const nanos = run.elapsedNs > 0n ? run.elapsedNs : 1n;
  return {
    resultsReturned: run.resultsReturned,
    executionDuration: { seconds: Number(nanos / 1_000_000_000n), nanos: Number(nanos % 1_000_000_000n) },
    readOperations: Math.max(1, run.resultsReturned),
    debugStats: struct({
      documents_scanned: run.documentsScanned,
      index_entries_scanned: 0,
      billing_details: `documents_billable: ${Math.max(1, run.resultsReturned)}`,
    }),
  };
}

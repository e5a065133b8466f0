import {
  AggregateField,
  FieldPath,
  type Firestore,
  type Query,
  type QueryDocumentSnapshot,
  Timestamp,
} from '@google-cloud/firestore';
import type { MessageStatus } from '../lifecycle/types.ts';
import { collections } from '../store/documents.ts';
import { buildScope } from './stats.ts';
import {
  type DeliverySample,
  type GroupReport,
  type GroupSpec,
  type OutcomeCategory,
  outcomeCategories,
  type Report,
  type ScopeCounts,
  statuses,
  type Timeline,
} from './types.ts';
import { checkWindow, resolveBound, type TimeBound, timeBuckets } from './window.ts';

export interface ReportOptions {
  projectId?: string;
  databaseId?: string;
  since?: TimeBound;
  until?: TimeBound;
  groups?: GroupSpec[];
  /** Per grouping, at most this many values (default 20). */
  maxGroups?: number;
  /** Outcomes per createdAt bucket (default false: it costs a count query per bucket and outcome). */
  timeline?: boolean | { bucketMs?: number; maxBuckets?: number };
  /** Queries in flight at once (default 16). */
  concurrency?: number;
  /** Documents per page when reading delivered messages (default 1000). */
  pageSize?: number;
}

export const deliveredStatuses: MessageStatus[] = ['delivered', 'read', 'duplicate'];

/** The document field a grouping is on, as a dotted path (for the report) and a FieldPath (for queries). */
export function groupField(spec: GroupSpec): { name: string; path: FieldPath; label: string } {
  if (spec.by === 'agent') return { name: 'agentId', path: new FieldPath('agentId'), label: 'agent' };
  return { name: `labels.${spec.key}`, path: new FieldPath('labels', spec.key), label: `label:${spec.key}` };
}

/**
 * Reads the report from Firestore. Every figure comes from ONE snapshot: a
 * read-only transaction at the read time of a first, empty-handed query, so
 * the counts add up even while the system keeps writing.
 *
 * Counts are aggregation queries (`count()`, `sum()`, `average()`), which
 * Firestore answers from its indexes at one read per 1,000 index entries,
 * never by reading the documents. Documents are read only for the
 * distributions (time to deliver, time to read), only the delivered ones,
 * and only the fields they need (`select`).
 */
export async function readReport(db: Firestore, options: ReportOptions = {}): Promise<Report> {
  const messages = db.collection(collections.messages);
  // A query for nothing, for the server's current read time.
  const probe = await messages.where('status', '==', '\u0000none').limit(1).select().get();
  const readTime = probe.readTime;
  const now = readTime.toDate();
  const since = options.since ? resolveBound(options.since, now) : undefined;
  const until = options.until ? resolveBound(options.until, now) : undefined;
  checkWindow(since, until);

  const limit = limiter(options.concurrency ?? 16);
  const groups = (options.groups ?? []).map(groupField);
  const maxGroups = options.maxGroups ?? 20;

  return db.runTransaction(
    async (t) => {
      const get = <T extends Query>(query: T) => limit(() => t.get(query));
      const aggregate = (query: Query, spec: Parameters<Query['aggregate']>[0]) =>
        limit(() => t.get(query.aggregate(spec))).then((s) => s.data());
      const count = (query: Query) =>
        aggregate(query, { n: AggregateField.count() }).then((d) => Number(d.n ?? 0));
      // One field per query: Firestore computes an aggregation over several fields only over the
      // documents that have all of them, so a count next to a sum would count fewer messages.
      const sum = (query: Query, field: string) =>
        aggregate(query, { v: AggregateField.sum(field) }).then((d) => Number(d.v ?? 0));
      const average = (query: Query, field: string) =>
        aggregate(query, { v: AggregateField.average(field) }).then((d) =>
          typeof d.v === 'number' ? d.v : null,
        );

      const windowed = (query: Query, from: Date | undefined, to: Date | undefined) => {
        let q = query;
        if (from) q = q.where('createdAt', '>=', from);
        if (to) q = q.where('createdAt', '<', to);
        return q;
      };
      const base = windowed(messages, since, until);

      const scopeCounts = async (scope: Query): Promise<ScopeCounts> => {
        const [totals, byStatus, notRcs, revocation, fallback, duplicate, late] = await Promise.all([
          Promise.all([
            count(scope),
            sum(scope, 'revocation.attempts'),
            sum(scope, 'fallback.attempts'),
            average(scope, 'send.latencyMs'),
            sum(scope, 'redrives'),
          ]),
          Promise.all(statuses.map((s) => count(scope.where('status', '==', s)))),
          count(scope.where('send.state', '==', 'not_rcs')),
          Promise.all(
            (['confirmed', 'lost_race', 'failed'] as const).map((s) =>
              count(scope.where('revocation.state', '==', s)),
            ),
          ),
          Promise.all(
            (['sent', 'failed', 'skipped'] as const).map((s) =>
              count(scope.where('fallback.state', '==', s)),
            ),
          ),
          count(scope.where('duplicateDelivery', '==', true)),
          count(scope.where('lateDelivery', '==', true)),
        ]);
        return {
          messages: totals[0],
          byStatus: Object.fromEntries(statuses.map((s, i) => [s, byStatus[i]!])) as ScopeCounts['byStatus'],
          notRcs,
          revocation: {
            confirmed: revocation[0]!,
            lostRace: revocation[1]!,
            failed: revocation[2]!,
            deleteCalls: totals[1],
          },
          fallback: {
            sent: fallback[0]!,
            failed: fallback[1]!,
            skipped: fallback[2]!,
            providerCalls: totals[2],
          },
          duplicateDeliveries: duplicate,
          lateDeliveries: late,
          sendLatencyMsAvg: totals[3],
          sweepRedrives: totals[4],
        };
      };

      // The delivered messages, a page at a time, with just the fields the distributions need.
      const readDelivered = async (): Promise<DeliverySample[]> => {
        const samples: DeliverySample[] = [];
        const pageSize = options.pageSize ?? 1000;
        const query = base
          .where('status', 'in', deliveredStatuses)
          .orderBy('createdAt')
          .select('createdAt', 'send.at', 'deliveredAt', 'readAt', ...groups.map((g) => g.path));
        let after: QueryDocumentSnapshot | undefined;
        for (;;) {
          const page = await get((after ? query.startAfter(after) : query).limit(pageSize));
          for (const doc of page.docs) samples.push(toSample(doc, groups));
          if (page.size < pageSize) return samples;
          after = page.docs[page.size - 1];
        }
      };

      // Distinct values of a field, one indexed read per value (Firestore has no GROUP BY).
      const distinct = async (path: FieldPath): Promise<{ values: unknown[]; truncated: boolean }> => {
        const values: unknown[] = [];
        let query = messages.orderBy(path).select(path).limit(1);
        for (;;) {
          const page = await get(query);
          const doc = page.docs[0];
          if (!doc) return { values, truncated: false };
          if (values.length === maxGroups) return { values, truncated: true };
          const value: unknown = doc.get(path);
          values.push(value);
          query = messages.orderBy(path).startAfter(value).select(path).limit(1);
        }
      };

      const readTimeline = async (): Promise<Timeline> => {
        const settings = typeof options.timeline === 'object' ? options.timeline : {};
        let from = since;
        let to = until;
        if (!from || !to) {
          const edge = (direction: 'asc' | 'desc') =>
            get(base.orderBy('createdAt', direction).select('createdAt').limit(1)).then(
              (s) => s.docs[0]?.get('createdAt')?.toDate() as Date | undefined,
            );
          const [first, last] = await Promise.all([edge('asc'), edge('desc')]);
          from ??= first ?? now;
          to ??= last ? new Date(last.getTime() + 1) : now;
        }
        const { sizeMs, buckets } = timeBuckets(from, to, {
          ...(settings.maxBuckets ? { maxBuckets: settings.maxBuckets } : {}),
          ...(settings.bucketMs ? { sizeMs: settings.bucketMs } : {}),
        });
        const categories = Object.keys(outcomeCategories) as OutcomeCategory[];
        const rows = await Promise.all(
          buckets.map(async (bucket) => {
            // Clipped to the window: the buckets add up to the window's tracked messages.
            const start = since && since > bucket.from ? since : bucket.from;
            const end = until && until < bucket.to ? until : bucket.to;
            const scope = windowed(messages, start, end);
            const counts = await Promise.all(
              categories.map((c) => count(scope.where('status', 'in', [...outcomeCategories[c]]))),
            );
            return {
              from: bucket.from.toISOString(),
              to: bucket.to.toISOString(),
              counts: Object.fromEntries(categories.map((c, i) => [c, counts[i]!])) as Record<
                OutcomeCategory,
                number
              >,
            };
          }),
        );
        return { bucketMs: sizeMs, buckets: rows };
      };

      const [overallCounts, samples, groupCounts, timeline] = await Promise.all([
        scopeCounts(base),
        readDelivered(),
        Promise.all(
          groups.map(async (g) => {
            const { values, truncated } = await distinct(g.path);
            const counts = await Promise.all(values.map((v) => scopeCounts(base.where(g.path, '==', v))));
            return { g, values, truncated, counts };
          }),
        ),
        options.timeline ? readTimeline() : Promise.resolve(null),
      ]);

      const groupReports: GroupReport[] = groupCounts.map(({ g, values, truncated, counts }) => ({
        by: g.label,
        field: g.name,
        truncated,
        values: values
          .map((raw, i) => {
            const value = String(raw);
            const mine = samples.filter((s) => s.groups[g.name] === value);
            return { value, ...buildScope(counts[i]!, mine) };
          })
          .filter((v) => v.messages > 0),
      }));

      return {
        version: 1 as const,
        projectId: options.projectId ?? projectIdOf(db),
        databaseId: options.databaseId ?? db.databaseId,
        asOf: now.toISOString(),
        window: {
          field: 'createdAt' as const,
          since: since?.toISOString() ?? null,
          until: until?.toISOString() ?? null,
        },
        overall: buildScope(overallCounts, samples),
        groups: groupReports,
        timeline,
      };
    },
    { readOnly: true, readTime },
  );
}

function toSample(
  doc: QueryDocumentSnapshot,
  groups: Array<{ name: string; path: FieldPath }>,
): DeliverySample {
  const ms = (value: unknown) => (value instanceof Timestamp ? value.toMillis() : null);
  const sample: DeliverySample = {
    createdAt: ms(doc.get('createdAt')) ?? 0,
    sendAt: ms(doc.get('send.at')),
    deliveredAt: ms(doc.get('deliveredAt')) ?? 0,
    readAt: ms(doc.get('readAt')),
    groups: {},
  };
  for (const g of groups) {
    const value = doc.get(g.path);
    sample.groups[g.name] = value === undefined || value === null ? undefined : String(value);
  }
  return sample;
}

/** At most `n` calls in flight; the rest wait their turn, in order. A finished call hands its slot on. */
function limiter(n: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active < n) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}

/** The client's project: public only through a document's resource name. */
function projectIdOf(db: Firestore): string {
  const name = (db.doc('messages/x') as unknown as { formattedName?: string }).formattedName;
  return name?.split('/')[1] ?? 'unknown';
}

import {
  AggregateField,
  FieldPath,
  type Firestore,
  type Query,
  type QueryDocumentSnapshot,
  Timestamp,
} from '@google-cloud/firestore';
import { limiter } from '../concurrency/limiter.ts';
import type { MessageStatus } from '../lifecycle/types.ts';
import { type DeliverySample, type GroupSpec, type ScopeCounts, statuses } from '../report/types.ts';
import { collections } from './documents.ts';

/**
 * The report's Firestore queries (shared/report/read.ts composes them). The
 * production indexes in terraform/firestore.tf follow these query shapes.
 *
 * Counts are aggregation queries (`count()`, `sum()`, `average()`), which
 * Firestore answers from its indexes at one read per 1,000 index entries,
 * never by reading the documents. Documents are read only for the
 * distributions (time to deliver, time to read), only the delivered ones,
 * and only the fields they need (`select`).
 */

export const deliveredStatuses: MessageStatus[] = ['delivered', 'read', 'duplicate'];

/** A grouping's document field, as a dotted path (for the report) and a FieldPath (for queries). */
export interface GroupField {
  name: string;
  path: FieldPath;
  label: string;
}

/** The document field a grouping is on, as a dotted path (for the report) and a FieldPath (for queries). */
export function groupField(spec: GroupSpec): GroupField {
  if (spec.by === 'agent') return { name: 'agentId', path: new FieldPath('agentId'), label: 'agent' };
  if (spec.by === 'trafficType') {
    return { name: 'messageTrafficType', path: new FieldPath('messageTrafficType'), label: 'trafficType' };
  }
  return { name: `labels.${spec.key}`, path: new FieldPath('labels', spec.key), label: `label:${spec.key}` };
}

/** A createdAt window: from inclusive, to exclusive; an absent side is unbounded. */
export interface CreatedWindow {
  from?: Date | undefined;
  to?: Date | undefined;
}

/** The instant every figure of one report is read at. */
export interface ReportReadTime {
  readTime: Timestamp;
  now: Date;
}

/** The reads of one report, all inside one read-only transaction. */
export interface ReportQueries {
  /** Every count of a scope: the window, and optionally one grouping's value. */
  scopeCounts(window: CreatedWindow, group?: { field: GroupField; value: unknown }): Promise<ScopeCounts>;
  /** The delivered messages in the window, a page at a time, with just the fields the distributions need. */
  deliveredSamples(window: CreatedWindow, groups: GroupField[], pageSize: number): Promise<DeliverySample[]>;
  /** Distinct values of a field, at most `max` (truncated when there are more). */
  distinctValues(path: FieldPath, max: number): Promise<{ values: unknown[]; truncated: boolean }>;
  /** The first and last createdAt in the window, read in parallel. */
  createdAtRange(window: CreatedWindow): Promise<[first: Date | undefined, last: Date | undefined]>;
  /** Per category, the number of messages in the window whose status is one of its statuses. */
  countStatusesIn(
    window: CreatedWindow,
    categories: ReadonlyArray<readonly MessageStatus[]>,
  ): Promise<number[]>;
  /** The outcome pushes (outbox documents) created in the window, by state. */
  outcomePushes(window: CreatedWindow): Promise<{ pending: number; delivered: number; failed: number }>;
}

/** The server's current read time, from a query for nothing. */
export async function reportReadTime(db: Firestore): Promise<ReportReadTime> {
  const probe = await db
    .collection(collections.messages)
    .where('status', '==', '\u0000none')
    .limit(1)
    .select()
    .get();
  return { readTime: probe.readTime, now: probe.readTime.toDate() };
}

/**
 * Runs `read` in ONE read-only transaction at `at.readTime`, so the counts
 * add up even while the system keeps writing; at most `concurrency` queries in flight.
 */
export function readReportSnapshot<T>(
  db: Firestore,
  at: ReportReadTime,
  concurrency: number,
  read: (queries: ReportQueries) => Promise<T>,
): Promise<T> {
  const messages = db.collection(collections.messages);
  const limit = limiter(concurrency);
  return db.runTransaction(
    async (t) => {
      const get = <Q extends Query>(query: Q) => limit(() => t.get(query));
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

      const windowed = (query: Query, { from, to }: CreatedWindow) => {
        let q = query;
        if (from) q = q.where('createdAt', '>=', from);
        if (to) q = q.where('createdAt', '<', to);
        return q;
      };

      const scopeCounts = async (
        window: CreatedWindow,
        group?: { field: GroupField; value: unknown },
      ): Promise<ScopeCounts> => {
        const base = windowed(messages, window);
        const scope = group ? base.where(group.field.path, '==', group.value) : base;
        const [totals, byStatus, notRcs, revocation, fallback, escalation, capability, duplicate, late] =
          await Promise.all([
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
            Promise.all([
              count(scope.where('escalation.state', '==', 'sent')),
              count(scope.where('escalation.state', '==', 'failed')),
              count(scope.where('escalation.readAfterNudge', '==', true)),
            ]),
            Promise.all(
              (['reachable', 'unreachable', 'failed'] as const).map((o) =>
                count(scope.where('capabilityCheck.outcome', '==', o)),
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
          escalation: { sent: escalation[0]!, failed: escalation[1]!, readAfterNudge: escalation[2]! },
          capabilityChecks: {
            reachable: capability[0]!,
            unreachable: capability[1]!,
            failed: capability[2]!,
          },
          duplicateDeliveries: duplicate,
          lateDeliveries: late,
          sendLatencyMsAvg: totals[3],
          sweepRedrives: totals[4],
        };
      };

      const deliveredSamples = async (
        window: CreatedWindow,
        groups: GroupField[],
        pageSize: number,
      ): Promise<DeliverySample[]> => {
        const samples: DeliverySample[] = [];
        const query = windowed(messages, window)
          .where('status', 'in', deliveredStatuses)
          .orderBy('createdAt')
          .select(
            'createdAt',
            'send.at',
            'deliveredAt',
            'readAt',
            'deliveredLearnedAt',
            'readLearnedAt',
            ...groups.map((g) => g.path),
          );
        let after: QueryDocumentSnapshot | undefined;
        for (;;) {
          const page = await get((after ? query.startAfter(after) : query).limit(pageSize));
          for (const doc of page.docs) samples.push(toSample(doc, groups));
          if (page.size < pageSize) return samples;
          after = page.docs[page.size - 1];
        }
      };

      // One indexed read per value (Firestore has no GROUP BY).
      const distinctValues = async (path: FieldPath, max: number) => {
        const values: unknown[] = [];
        let query = messages.orderBy(path).select(path).limit(1);
        for (;;) {
          const page = await get(query);
          const doc = page.docs[0];
          if (!doc) return { values, truncated: false };
          if (values.length === max) return { values, truncated: true };
          const value: unknown = doc.get(path);
          values.push(value);
          query = messages.orderBy(path).startAfter(value).select(path).limit(1);
        }
      };

      const createdAtRange = (window: CreatedWindow) => {
        const base = windowed(messages, window);
        const edge = (direction: 'asc' | 'desc') =>
          get(base.orderBy('createdAt', direction).select('createdAt').limit(1)).then(
            (s) => s.docs[0]?.get('createdAt')?.toDate() as Date | undefined,
          );
        return Promise.all([edge('asc'), edge('desc')]);
      };

      const countStatusesIn = (
        window: CreatedWindow,
        categories: ReadonlyArray<readonly MessageStatus[]>,
      ) => {
        const scope = windowed(messages, window);
        return Promise.all(
          categories.map((inStatuses) => count(scope.where('status', 'in', [...inStatuses]))),
        );
      };

      // The outbox (docs/outcomes.md): pushes of the window's outcomes, by state, windowed on their own createdAt.
      const outcomePushes = (window: CreatedWindow) => {
        const scope = windowed(db.collection(collections.outcomes), window);
        return Promise.all(
          (['pending', 'delivered', 'failed'] as const).map((state) =>
            count(scope.where('state', '==', state)),
          ),
        ).then(([pending, delivered, failed]) => ({
          pending: pending!,
          delivered: delivered!,
          failed: failed!,
        }));
      };

      return read({
        scopeCounts,
        deliveredSamples,
        distinctValues,
        createdAtRange,
        countStatusesIn,
        outcomePushes,
      });
    },
    { readOnly: true, readTime: at.readTime },
  );
}

function toSample(doc: QueryDocumentSnapshot, groups: GroupField[]): DeliverySample {
  const ms = (value: unknown) => (value instanceof Timestamp ? value.toMillis() : null);
  const sample: DeliverySample = {
    createdAt: ms(doc.get('createdAt')) ?? 0,
    sendAt: ms(doc.get('send.at')),
    deliveredAt: ms(doc.get('deliveredAt')) ?? 0,
    readAt: ms(doc.get('readAt')),
    deliveredLearnedAt: ms(doc.get('deliveredLearnedAt')),
    readLearnedAt: ms(doc.get('readLearnedAt')),
    groups: {},
  };
  for (const g of groups) {
    const value = doc.get(g.path);
    sample.groups[g.name] = value === undefined || value === null ? undefined : String(value);
  }
  return sample;
}

/** Which project and database a report read: the project is public only through a document's resource name. */
export function reportSource(db: Firestore): { projectId: string; databaseId: string } {
  const name = (db.doc('messages/x') as unknown as { formattedName?: string }).formattedName;
  return { projectId: name?.split('/')[1] ?? 'unknown', databaseId: db.databaseId };
}

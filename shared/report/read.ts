import type { Firestore } from '@google-cloud/firestore';
import {
  deliveredStatuses,
  groupField,
  readReportSnapshot,
  reportReadTime,
  reportSource,
} from '../store/report-queries.ts';
import { buildScope } from './stats.ts';
import {
  type GroupReport,
  type GroupSpec,
  type OutcomeCategory,
  outcomeCategories,
  type Report,
  type Timeline,
} from './types.ts';
import { checkWindow, resolveBound, type TimeBound, timeBuckets } from './window.ts';

export { deliveredStatuses, groupField };

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

/**
 * Reads the report from Firestore. Every figure comes from ONE snapshot: a
 * read-only transaction at the read time of a first, empty-handed query, so
 * the counts add up even while the system keeps writing. The queries, and
 * what each costs, are in store/report-queries.ts; this composes them.
 */
export async function readReport(db: Firestore, options: ReportOptions = {}): Promise<Report> {
  const at = await reportReadTime(db);
  const now = at.now;
  const since = options.since ? resolveBound(options.since, now) : undefined;
  const until = options.until ? resolveBound(options.until, now) : undefined;
  checkWindow(since, until);

  const groups = (options.groups ?? []).map(groupField);
  const maxGroups = options.maxGroups ?? 20;
  const window = { from: since, to: until };

  return readReportSnapshot(db, at, options.concurrency ?? 16, async (q) => {
    const readTimeline = async (): Promise<Timeline> => {
      const settings = typeof options.timeline === 'object' ? options.timeline : {};
      let from = since;
      let to = until;
      if (!from || !to) {
        const [first, last] = await q.createdAtRange(window);
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
          const counts = await q.countStatusesIn(
            { from: start, to: end },
            categories.map((c) => outcomeCategories[c]),
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

    const [overallCounts, samples, groupCounts, timeline, outcomePushes] = await Promise.all([
      q.scopeCounts(window),
      q.deliveredSamples(window, groups, options.pageSize ?? 1000),
      Promise.all(
        groups.map(async (g) => {
          const { values, truncated } = await q.distinctValues(g.path, maxGroups);
          const counts = await Promise.all(values.map((v) => q.scopeCounts(window, { field: g, value: v })));
          return { g, values, truncated, counts };
        }),
      ),
      options.timeline ? readTimeline() : Promise.resolve(null),
      q.outcomePushes(window),
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
      projectId: options.projectId ?? reportSource(db).projectId,
      databaseId: options.databaseId ?? reportSource(db).databaseId,
      asOf: now.toISOString(),
      window: {
        field: 'createdAt' as const,
        since: since?.toISOString() ?? null,
        until: until?.toISOString() ?? null,
      },
      overall: buildScope(overallCounts, samples),
      groups: groupReports,
      timeline,
      outcomePushes,
    };
  });
}

import { mapLimit } from '../concurrency/map-limit.ts';
import { collections } from '../store/documents.ts';
import { type DeliverDeps, deliverOutcome, deliverySettings } from './deliver.ts';
import { outcomeLogs } from './logs.ts';

export interface OutcomeRedrive {
  /** Pending pushes found untouched past the bound. */
  pending: number;
  delivered: number;
}

/** Pushes re-driven at once: a slow receiver must not hold the sweep past its budget. */
const concurrency = 8;

/**
 * The sweep's backstop for the outbox (docs/outcomes.md#retries): a push whose event was lost
 * (or whose retries Eventarc dropped) stays `pending` with nobody attempting it. Each run finds
 * those untouched for `redriveMs` (index I8: state, touchedAt), oldest first, and delivers them
 * through the same code as the outcomes function; a push being retried by Eventarc is touched
 * at every attempt, so it is left to Eventarc.
 */
export async function redriveOutcomes(
  deps: DeliverDeps,
  settings: { redriveMs: number; limit: number },
): Promise<OutcomeRedrive> {
  const cutoff = new Date(deps.now().getTime() - settings.redriveMs);
  const stale = await deps
    .db()
    .collection(collections.outcomes)
    .where('state', '==', 'pending')
    .where('touchedAt', '<', cutoff)
    .orderBy('touchedAt')
    .limit(settings.limit)
    .get();
  const results = await mapLimit(stale.docs, concurrency, (doc) => deliverOutcome(doc.id, deps));
  const delivered = results.filter((r) => r.kind === 'delivered').length;
  if (stale.size > 0) outcomeLogs.redriven(deps.log, stale.size, delivered);
  return { pending: stale.size, delivered };
}

/**
 * The sweep's one call: with outcome push on, the re-drive of the outbox; off, nothing (and no
 * query). Built at cold start from the sweep's config.
 */
export function outcomeRedriver(
  deps: Omit<DeliverDeps, 'delivery'>,
  config: Parameters<typeof deliverySettings>[0] & {
    OUTCOME_REDRIVE_SECONDS: number;
    SWEEP_BATCH_SIZE: number;
  },
): () => Promise<{ outcomes?: OutcomeRedrive }> {
  const delivery = deliverySettings(config);
  if (!delivery) return async () => ({});
  const settings = { redriveMs: config.OUTCOME_REDRIVE_SECONDS * 1000, limit: config.SWEEP_BATCH_SIZE };
  return async () => ({ outcomes: await redriveOutcomes({ ...deps, delivery }, settings) });
}

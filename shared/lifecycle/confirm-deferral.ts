import type { IngestionVerdict } from './ingestion-lag.ts';
import type { Revocation } from './types.ts';

/**
 * Whether the confirm step waits for ingestion to catch up before it
 * concludes that no DELIVERED came. It waits `recheckMs`, then twice as long
 * each time it finds ingestion still behind (a backlog that has lasted is
 * likely to last, and every recheck is a query, a transaction and a task:
 * rechecking thousands of deferred messages at a fixed pace would add to the
 * very load that holds the webhook back), and at most `maxDeferMs` in all for
 * the message, counted from its first deferral (`deferredSince`, kept across
 * rounds), so law 6's bound grows by `maxDeferMs` once and no more
 * (docs/scenarios.md#bounds-law-6).
 */
export interface DeferralSettings {
  recheckMs: number;
  maxDeferMs: number;
}

/** What the confirm step knows of ingestion when it decides. */
export interface ConfirmIngestion extends DeferralSettings {
  verdict: IngestionVerdict;
}

export type DeferralDecision =
  | { defer: false; capped: boolean }
  | { defer: true; until: Date; since: Date; deferrals: number };

export function decideDeferral(
  revocation: Pick<Revocation, 'deferrals' | 'deferredSince'>,
  verdict: IngestionVerdict,
  now: Date,
  settings: DeferralSettings,
): DeferralDecision {
  if (!verdict.behind) return { defer: false, capped: false };
  const since = revocation.deferredSince ?? now;
  const capAt = since.getTime() + settings.maxDeferMs;
  if (now.getTime() >= capAt) return { defer: false, capped: true };
  const deferrals = (revocation.deferrals ?? 0) + 1;
  const waitMs = settings.recheckMs * 2 ** Math.min(deferrals - 1, 20);
  return {
    defer: true,
    until: new Date(Math.min(now.getTime() + waitMs, capAt)),
    since,
    deferrals,
  };
}

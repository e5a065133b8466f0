import type { IngestionVerdict } from './ingestion-lag.ts';
import type { Revocation } from './types.ts';

/**
 * Whether the confirm step waits for ingestion to catch up before it
 * concludes that no DELIVERED came. It waits `recheckMs` at a time, and at
 * most `maxDeferMs` in all for the message, counted from its first deferral
 * (`deferredSince`, kept across rounds), so law 6's bound grows by
 * `maxDeferMs` once and no more (docs/scenarios.md#bounds-law-6).
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
  return {
    defer: true,
    until: new Date(Math.min(now.getTime() + settings.recheckMs, capAt)),
    since,
    deferrals: (revocation.deferrals ?? 0) + 1,
  };
}

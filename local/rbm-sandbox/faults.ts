import type { Prng } from '../common/random.ts';
import { type RateRule, SeededRules } from '../common/seeded-rules.ts';

/**
 * Fault injection per API endpoint, drawn from the seed: server errors, 429
 * with Retry-After, slow answers (in clock time) and dropped connections.
 * `phase: 'after'` lets the request take effect and then fails the answer,
 * the case where a client cannot know whether its send went through.
 */

export type Endpoint = 'send' | 'revoke' | 'agentEvent' | 'capabilities' | 'batchGet';

export interface FaultRule extends RateRule {
  endpoint: Endpoint | '*';
  kind: 'error' | 'rate-limit' | 'slow' | 'drop';
  /** For 'error': the status (default 503). */
  status?: number;
  /** For 'rate-limit': the Retry-After value in seconds (default 30). */
  retryAfterSeconds?: number;
  /** For 'slow': the extra answer time in clock ms (default 5000). */
  delayMs?: number;
  /** For 'error' and 'drop': fail before the request takes effect (default) or after. */
  phase?: 'before' | 'after';
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'error'; status: number; phase: 'before' | 'after' }
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'drop'; phase: 'before' | 'after' };

export class Faults {
  readonly #rules: SeededRules<FaultRule>;

  constructor(prng: Prng, rules: FaultRule[] = []) {
    this.#rules = new SeededRules(prng, rules);
  }

  set(rules: FaultRule[]): void {
    this.#rules.set(rules);
  }

  list(): FaultRule[] {
    return this.#rules.list();
  }

  /** The fault for one request on `endpoint`. */
  decide(endpoint: Endpoint): FaultDecision {
    const rule = this.#rules.take((r) => r.endpoint === '*' || r.endpoint === endpoint);
    switch (rule?.kind) {
      case undefined:
        return { kind: 'none' };
      case 'error':
        return { kind: 'error', status: rule.status ?? 503, phase: rule.phase ?? 'before' };
      case 'rate-limit':
        return { kind: 'rate-limit', retryAfterSeconds: rule.retryAfterSeconds ?? 30 };
      case 'slow':
        return { kind: 'slow', delayMs: rule.delayMs ?? 5_000 };
      case 'drop':
        return { kind: 'drop', phase: rule.phase ?? 'before' };
    }
  }
}

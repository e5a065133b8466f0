import type { ServerResponse } from 'node:http';
import type { Prng } from '../common/random.ts';
import { type RateRule, SeededRules } from '../common/seeded-rules.ts';
import type { SmsShape } from './records.ts';

/**
 * Failure on demand: answer a status (5xx, 429 with Retry-After, any 4xx),
 * drop the connection or never answer, for some requests, drawn from the seed. `phase: 'after'`
 * sends the SMS and then fails the answer, the case that tempts a client to
 * send twice.
 */
export interface SmsFailureRule extends RateRule {
  shape?: SmsShape | '*';
  /** Only requests to this number. */
  to?: string;
  /** status: answer one; drop: close the connection; hang: never answer (the client's time-out decides). */
  kind?: 'status' | 'drop' | 'hang';
  /** Default 503. */
  status?: number;
  /** Default 30 for a 429, none otherwise. */
  retryAfterSeconds?: number;
  phase?: 'before' | 'after';
}

export type SmsFailure =
  | { kind: 'drop' | 'hang'; phase: 'before' | 'after' }
  | { kind: 'status'; status: number; retryAfterSeconds: number | null; phase: 'before' | 'after' };

export class SmsFailures {
  readonly #rules: SeededRules<SmsFailureRule>;

  constructor(prng: Prng, rules: SmsFailureRule[] = []) {
    this.#rules = new SeededRules(prng, rules);
  }

  set(rules: SmsFailureRule[]): void {
    this.#rules.set(rules);
  }

  list(): SmsFailureRule[] {
    return this.#rules.list();
  }

  decide(shape: SmsShape, to: string | null): SmsFailure | null {
    const rule = this.#rules.take(
      (r) => (!r.shape || r.shape === '*' || r.shape === shape) && (!r.to || r.to === to),
    );
    if (!rule) return null;
    const phase = rule.phase ?? 'before';
    if (rule.kind === 'drop' || rule.kind === 'hang') return { kind: rule.kind, phase };
    const status = rule.status ?? 503;
    return {
      kind: 'status',
      status,
      retryAfterSeconds: rule.retryAfterSeconds ?? (status === 429 ? 30 : null),
      phase,
    };
  }
}

/** How long a hung answer keeps its connection before the sandbox lets it go (real time). */
const hangForMs = 5 * 60_000;

/** No answer: the connection is closed now (drop), or left open with nothing sent (hang). */
export function withholdAnswer(res: ServerResponse, kind: 'drop' | 'hang'): void {
  if (kind === 'drop') {
    res.socket?.destroy();
    return;
  }
  setTimeout(() => res.socket?.destroy(), hangForMs).unref();
}

/**
 * Every SMS the sandbox was asked to send and what became of it, plus every
 * request it answered. Tests count duplicates here: an SMS "delivered" twice
 * to one number is what the product's fallback must never cause.
 */

export type SmsShape = 'generic' | 'twilio';

export interface SmsRecord {
  id: string;
  shape: SmsShape;
  to: string;
  from: string | null;
  text: string;
  /** The generic provider's Idempotency-Key; Twilio's Messages API has none (null). */
  idempotencyKey: string | null;
  acceptedAt: number;
  /** Handed to the phone; false for numbers marked unreachable. */
  delivered: boolean;
  deliveredAt: number | null;
}

export interface SmsAttempt {
  at: number;
  shape: SmsShape;
  to: string | null;
  /** The text it was asked to send; null only when the request could not be read (bad signature, bad JSON). */
  text: string | null;
  idempotencyKey: string | null;
  /** HTTP status answered, or null when the connection was dropped. */
  status: number | null;
  outcome: 'sent' | 'replayed' | 'rejected' | 'failed' | 'sent-then-failed';
  smsId: string | null;
}

export class SmsRecords {
  readonly sms: SmsRecord[] = [];
  readonly attempts: SmsAttempt[] = [];

  /** SMS accepted, optionally only those to one number. */
  sent(to?: string): SmsRecord[] {
    return to ? this.sms.filter((s) => s.to === to) : [...this.sms];
  }

  /** SMS that actually reached `to`. */
  deliveredTo(to: string): SmsRecord[] {
    return this.sms.filter((s) => s.to === to && s.delivered);
  }

  /** Numbers that got the same text more than once. */
  duplicates(): Array<{ to: string; text: string; count: number }> {
    const counts = new Map<string, { to: string; text: string; count: number }>();
    for (const s of this.sms) {
      if (!s.delivered) continue;
      const key = `${s.to}\u0000${s.text}`;
      const entry = counts.get(key) ?? { to: s.to, text: s.text, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    return [...counts.values()].filter((c) => c.count > 1);
  }

  snapshot(now: number) {
    return structuredClone({ now, sms: this.sms, attempts: this.attempts, duplicates: this.duplicates() });
  }
}

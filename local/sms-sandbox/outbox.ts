import type { Prng } from '../common/random.ts';
import type { SmsAttempt, SmsRecord, SmsRecords, SmsShape } from './records.ts';

/** Accepts SMS for both provider shapes: assigns the id, "delivers" it, writes the ground truth. */
export class Outbox {
  readonly records: SmsRecords;
  readonly unreachable = new Set<string>();
  /** Called synchronously once an SMS is accepted, before the provider answers (chaos runs kill the caller here). */
  onAccepted: ((sms: SmsRecord, caller: { remotePort: number | undefined }) => void) | null = null;
  readonly #ids: Prng;
  readonly #now: () => number;

  constructor(deps: { records: SmsRecords; ids: Prng; now: () => number }) {
    this.records = deps.records;
    this.#ids = deps.ids;
    this.#now = deps.now;
  }

  now(): number {
    return this.#now();
  }

  /** 32 lowercase hex digits from the seed (Twilio SIDs are a prefix plus 32 hex). */
  hex32(): string {
    let out = '';
    for (let i = 0; i < 4; i++)
      out += Math.floor(this.#ids.next() * 2 ** 32)
        .toString(16)
        .padStart(8, '0');
    return out;
  }

  accept(
    fields: {
      shape: SmsShape;
      id: string;
      to: string;
      from: string | null;
      text: string;
      idempotencyKey: string | null;
    },
    caller: { remotePort: number | undefined },
  ): SmsRecord {
    const at = this.#now();
    // Sandbox's choice: delivery is instant unless the number is marked unreachable.
    const delivered = !this.unreachable.has(fields.to);
    const record: SmsRecord = { ...fields, acceptedAt: at, delivered, deliveredAt: delivered ? at : null };
    this.records.sms.push(record);
    this.onAccepted?.(record, caller);
    return record;
  }

  attempt(fields: Omit<SmsAttempt, 'at'>): void {
    this.records.attempts.push({ at: this.#now(), ...fields });
  }
}

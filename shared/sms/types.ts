/**
 * The SMS fallback's view of a provider: one call, one classified answer.
 * A provider never throws for an HTTP or network outcome; the fallback rules
 * (shared/lifecycle/fallback.ts) decide what each kind means for the message.
 */

export type SmsProviderName = 'http' | 'twilio';

export interface SmsRequest {
  /** E.164 number. */
  to: string;
  text: string;
  /** The messageId: the same key on every attempt for one message. */
  idempotencyKey: string;
}

interface Answer {
  provider: SmsProviderName;
  /** HTTP status of the provider's answer, or 0 when no (complete) answer came. */
  status: number;
  latencyMs: number;
}

export type SmsResult =
  /** The provider accepted the SMS. */
  | (Answer & { kind: 'sent'; providerId?: string })
  /** Refused for good (4xx other than 429): retrying cannot help. */
  | (Answer & { kind: 'permanent'; error: string })
  /**
   * Not accepted and safe to try again: 429, a 5xx the provider documents as
   * retryable, or a network failure before the request was fully written.
   */
  | (Answer & { kind: 'transient'; error: string; retryAfterMs?: number })
  /**
   * The request went out and no usable answer came back (timeout after the
   * body was written, connection dropped mid-response, a 5xx the provider
   * documents as possibly processed): the SMS may or may not have been sent.
   */
  | (Answer & { kind: 'ambiguous'; error: string });

export interface SmsProvider {
  readonly name: SmsProviderName;
  send(request: SmsRequest): Promise<SmsResult>;
}

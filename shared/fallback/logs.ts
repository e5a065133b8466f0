import type { Logger } from '../log/index.ts';
import { maskPhone } from '../log/index.ts';
import type { SmsResult } from '../sms/types.ts';

/**
 * One function per fallback (and escalation) log event, each with a stable `event` name to
 * filter on in Cloud Logging. Phone numbers are masked (field `recipient`, so
 * the logger's own phone-field redaction does not mask twice), provider error
 * texts are scrubbed of numbers, and the SMS text is never logged: it may be
 * a one-time password.
 */
export function smsStepLogs(step: SmsStep) {
  return {
    taskDropped: (log: Logger, reason: string) =>
      log.error(
        { event: `${step}.task_dropped`, reason },
        `unusable ${step} task (${reason}); answered 200 so Cloud Tasks does not retry it forever`,
      ),
    skipped: (log: Logger, messageId: string, reason: string) =>
      log.info(
        { event: `${step}.skipped`, messageId, reason },
        `${step} for ${messageId} skipped: ${reason}`,
      ),
    settled: (log: Logger, messageId: string, state: string, reason: string) =>
      (state === 'failed' ? log.error.bind(log) : log.info.bind(log))(
        { event: `${step}.settled`, messageId, state, reason: scrub(reason) },
        `${step} for ${messageId} ${state} without sending: ${scrub(reason)}`,
      ),
    busy: (log: Logger, messageId: string, until: Date) =>
      log.info(
        { event: `${step}.busy`, messageId, until: until.toISOString() },
        `another send for ${messageId} is in flight; asking Cloud Tasks to retry later`,
      ),
    claimed: (log: Logger, messageId: string, attempt: number, provider: string, phone: string) =>
      log.info(
        { event: `${step}.claimed`, messageId, attempt, provider, recipient: maskPhone(phone) },
        `sending ${step} SMS for ${messageId} (attempt ${attempt}, ${provider})`,
      ),
    sent: (log: Logger, messageId: string, attempt: number, result: SmsResult, phone: string) =>
      log.info(
        {
          event: `${step}.sent`,
          messageId,
          attempt,
          provider: result.provider,
          providerId: result.kind === 'sent' ? result.providerId : undefined,
          status: result.status,
          latencyMs: result.latencyMs,
          recipient: maskPhone(phone),
        },
        `${step} SMS for ${messageId} sent by ${result.provider}`,
      ),
    retrying: (log: Logger, messageId: string, attempt: number, result: SmsResult, verdict: string) =>
      log.warn(
        { event: `${step}.retrying`, messageId, attempt, ...answer(result), verdict: scrub(verdict) },
        `${step} SMS for ${messageId} not sent yet; Cloud Tasks will retry`,
      ),
    /** The answer was recorded and the SMS ended without an SMS (failed), or stayed as it was. */
    recorded: (
      log: Logger,
      messageId: string,
      attempt: number,
      result: SmsResult,
      state: string,
      verdict: string,
    ) =>
      (state === 'failed' ? log.error.bind(log) : log.info.bind(log))(
        { event: `${step}.recorded`, messageId, attempt, state, ...answer(result), verdict: scrub(verdict) },
        `${step} for ${messageId}: ${scrub(verdict)}`,
      ),
    storeFailed: (log: Logger, messageId: string, stage: 'claim' | 'settle', error: unknown) =>
      log.error(
        { event: `${step}.store_failed`, messageId, stage, error },
        `could not ${stage} the ${step} for ${messageId} in Firestore; answering 503 so Cloud Tasks retries`,
      ),
    resultNotRecorded: (log: Logger, messageId: string, attempt: number, result: SmsResult, error: unknown) =>
      log.error(
        {
          event: `${step}.result_not_recorded`,
          messageId,
          attempt,
          ...answer(result),
          providerId: result.kind === 'sent' ? result.providerId : undefined,
          error,
        },
        `the provider answered (${result.kind}) but the result for ${messageId} could not be stored; the lease keeps other tries from sending until it expires`,
      ),
  };
}

/** The SMS steps of the fallback function: the fallback, and the escalation nudge (event names `fallback.*`, `escalation.*`). */
export type SmsStep = 'fallback' | 'escalation';

export const fallbackLogs = smsStepLogs('fallback');
export const escalationLogs = smsStepLogs('escalation');

function answer(result: SmsResult) {
  return {
    provider: result.provider,
    outcome: result.kind,
    status: result.status,
    latencyMs: result.latencyMs,
    ...(result.kind === 'sent' ? {} : { error: scrub(result.error) }),
  };
}

/** Provider error texts can quote the number they refused ("Invalid 'To' Phone Number: +1555..."). */
export function scrub(text: string): string {
  return text.replace(/(?<![\w+])\+?\d{7,15}(?!\w)/g, (number) => maskPhone(number));
}

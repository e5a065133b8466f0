import type { Logger } from '../log/index.ts';

/** One function per revoke log event; messages carry ids and outcomes, never phone numbers in clear. */
export const revokeLogs = {
  skipped: (log: Logger, messageId: string, step: string, reason: string) =>
    log.info({ event: 'revoke.skipped', messageId, step, reason }, `revoke ${step} skipped: ${reason}`),
  rearmed: (log: Logger, messageId: string, deadline: Date | undefined) =>
    log.info(
      { event: 'revoke.rearmed', messageId, deadline },
      'revoke task arrived before the deadline (30-day task horizon); re-armed',
    ),
  attempted: (
    log: Logger,
    messageId: string,
    attempt: number,
    status: number,
    latencyMs: number,
    verdict: string,
  ) => log.info({ event: 'revoke.attempted', messageId, attempt, status, latencyMs, verdict }, verdict),
  failed: (log: Logger, messageId: string, status: number, reason: string) =>
    log.warn({ event: 'revoke.failed', messageId, status }, `revocation failed for good: ${reason}`),
  configFault: (log: Logger, messageId: string, status: number, reason: string) =>
    log.error({ event: 'revoke.config_fault', messageId, status }, reason),
  confirmed: (log: Logger, messageId: string, round: number, verdict: string) =>
    log.info({ event: 'revoke.confirm_step', messageId, round, verdict }, verdict),
  confirmDeferred: (
    log: Logger,
    messageId: string,
    round: number,
    deferred: {
      deferrals: number;
      until: Date;
      ingestion: { watermark?: Date; lagMs?: number };
      verdict: string;
    },
  ) =>
    log.info(
      {
        event: 'revoke.confirm_deferred',
        messageId,
        round,
        deferral: deferred.deferrals,
        until: deferred.until,
        watermark: deferred.ingestion.watermark,
        lagMs: deferred.ingestion.lagMs,
      },
      deferred.verdict,
    ),
  storeFailed: (log: Logger, messageId: string, error: unknown) =>
    log.error(
      { event: 'revoke.store_failed', messageId, error },
      'revoke step could not be stored; Cloud Tasks will retry',
    ),
  badTask: (log: Logger, reason: string) =>
    log.error(
      { event: 'revoke.bad_task', reason },
      `revoke task body is invalid and will not be retried: ${reason}`,
    ),
  effectFailed: (log: Logger, messageId: string, effect: string, error: unknown) =>
    log.error(
      { event: 'revoke.effect_failed', messageId, effect, error },
      `could not ${effect} for message ${messageId}; the sweep will re-drive it`,
    ),
};

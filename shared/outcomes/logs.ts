import type { Logger } from '../log/index.ts';

/**
 * One function per outcome-push log event, each with a stable `event` name. A log line names the
 * outbox id, the kind, the host the push went to (never the full URL: a receiver may carry a
 * token in its query) and the answer; never the payload, the signature or the secret.
 */
export const outcomeLogs = {
  delivered: (log: Logger, id: string, host: string, status: number, attempt: number) =>
    log.info(
      { event: 'outcomes.delivered', outcomeId: id, host, status, attempt },
      `outcome ${id} pushed to ${host} (${status}, attempt ${attempt})`,
    ),
  refused: (log: Logger, id: string, host: string, answer: string, attempt: number, final: boolean) =>
    (final ? log.error.bind(log) : log.warn.bind(log))(
      { event: 'outcomes.push_failed', outcomeId: id, host, answer, attempt, final },
      `outcome ${id} not accepted by ${host} (${answer}, attempt ${attempt})${final ? '; giving up' : '; will retry'}`,
    ),
  published: (log: Logger, id: string, topic: string, pubsubMessageId: string) =>
    log.info(
      { event: 'outcomes.published', outcomeId: id, topic, pubsubMessageId },
      `outcome ${id} published to ${topic}`,
    ),
  gaveUp: (log: Logger, id: string, reason: string) =>
    log.error({ event: 'outcomes.gave_up', outcomeId: id, reason }, `outcome ${id} given up: ${reason}`),
  dropped: (log: Logger, reason: string) =>
    log.error(
      { event: 'outcomes.event_dropped', reason },
      `unusable outcome event (${reason}); acknowledged so it is not retried`,
    ),
  redriven: (log: Logger, count: number, delivered: number) =>
    log.info(
      { event: 'outcomes.redriven', count, delivered },
      `re-drove ${count} outcome pushes left pending (${delivered} delivered)`,
    ),
};

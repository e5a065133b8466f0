import type { Logger } from '../../shared/log/index.ts';

/**
 * One named function per log event; call sites never build log strings.
 * Phone numbers are masked like everywhere else in the project.
 */
export interface SandboxLog {
  started(url: string, seed: number | string): void;
  handshakeOk(url: string): void;
  handshakeFailed(url: string, reason: string, detail: string): void;
  webhookRetry(pubsubMessageId: string, status: number | null, error: string | null, backoffMs: number): void;
  webhookDropped(pubsubMessageId: string, attempts: number): void;
  faultInjected(endpoint: string, kind: string): void;
  stopped(): void;
}

export function sandboxLog(logger: Logger, component = 'rbm-sandbox'): SandboxLog {
  const log = logger.child({ component });
  return {
    started: (url, seed) => log.info({ url, seed }, 'RBM sandbox listening'),
    handshakeOk: (url) => log.info({ url }, 'webhook handshake succeeded'),
    handshakeFailed: (url, reason, detail) =>
      log.error({ url, reason, detail }, `webhook handshake failed: ${reason}: ${detail}`),
    webhookRetry: (pubsubMessageId, status, error, backoffMs) =>
      log.warn(
        { pubsubMessageId, status, error, backoffMs },
        'webhook delivery failed; retrying after backoff',
      ),
    webhookDropped: (pubsubMessageId, attempts) =>
      log.error({ pubsubMessageId, attempts }, 'webhook delivery given up after the retention period'),
    faultInjected: (endpoint, kind) => log.info({ endpoint, kind }, 'fault injected'),
    stopped: () => log.info('RBM sandbox stopped'),
  };
}

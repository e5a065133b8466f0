import * as ff from '@google-cloud/functions-framework';
import { formatRetryAfter } from '../../shared/http/retry-after.ts';
import { lazyRbmClient } from '../../shared/rbm/lazy-client.ts';
import { handleRevokeTask, type RevokeTaskOutcome } from '../../shared/revoke/handle-task.ts';
import { revokeLogs } from '../../shared/revoke/logs.ts';
import { createRuntime, ingestionSettings, lazyScheduler } from '../../shared/runtime.ts';
import { parseTaskRequest } from '../../shared/tasks/task-request.ts';

/**
 * Cloud Tasks target for the revoke, re-revoke and confirm steps. Private:
 * Cloud Run lets only the tasks service account invoke it. Answers 2xx when
 * the step is done or failed for good (recorded), 503 to have Cloud Tasks retry.
 */
const runtime = createRuntime('revoke', ['rbm', 'tasks', 'revokeTarget', 'ingestion']);
const { config, log } = runtime;
const deps = {
  ...runtime,
  rbm: lazyRbmClient(config),
  scheduler: lazyScheduler(config),
  ingestion: ingestionSettings(config),
};

type Outcome =
  | RevokeTaskOutcome
  | { kind: 'bad_task'; reason: string }
  | { kind: 'unavailable' }
  | { kind: 'method_not_allowed' };

ff.http(
  'revoke',
  runtime.traced(async (req, res) => {
    const outcome = await handle(req);
    switch (outcome.kind) {
      case 'done':
        res.status(200).json({ ok: true, verdict: outcome.verdict });
        return;
      case 'bad_task':
        // A malformed task never gets better: acknowledge it so Cloud Tasks stops retrying.
        res.status(200).json({ ok: false, error: outcome.reason });
        return;
      case 'retry':
        if (outcome.retryAfterMs !== undefined)
          res.set('Retry-After', formatRetryAfter(outcome.retryAfterMs));
        res.status(503).json({ ok: false, retry: true, verdict: outcome.verdict });
        return;
      case 'unavailable':
        res.status(503).json({ ok: false, retry: true });
        return;
      case 'method_not_allowed':
        res.status(405).set('allow', 'POST').json({ error: 'only POST' });
        return;
    }
  }),
);

async function handle(req: ff.Request): Promise<Outcome> {
  if (req.method !== 'POST') return { kind: 'method_not_allowed' };
  const parsed = parseTaskRequest(req.body, (name) => req.get(name), config.REVOKE_MAX_ATTEMPTS);
  if (!parsed.ok) {
    revokeLogs.badTask(log, parsed.reason);
    return { kind: 'bad_task', reason: parsed.reason };
  }
  try {
    return await handleRevokeTask(parsed.task, deps);
  } catch (error) {
    revokeLogs.storeFailed(log, parsed.task.messageId, error);
    return { kind: 'unavailable' };
  }
}

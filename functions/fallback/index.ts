import * as ff from '@google-cloud/functions-framework';
import { fallbackLogs } from '../../shared/fallback/logs.ts';
import { type FallbackRun, runEscalation, runFallback } from '../../shared/fallback/run.ts';
import { formatRetryAfter } from '../../shared/http/retry-after.ts';
import { fallbackLeaseMs } from '../../shared/lifecycle/fallback.ts';
import { createRuntime } from '../../shared/runtime.ts';
import { createSmsProvider } from '../../shared/sms/index.ts';
import { parseTaskRequest } from '../../shared/tasks/task-request.ts';

/**
 * The fallback and escalate steps, a Cloud Tasks target (private: only the tasks service
 * account may invoke it). Parse the task, run the fallback, map the outcome
 * to HTTP in one place. Cloud Tasks retries anything but 2xx, so a task that
 * can never succeed (bad body, wrong step) is answered 200 and logged at
 * error, and only "try again later" gets a 503.
 */
const runtime = createRuntime('fallback', ['sms', 'fallbackTarget']);
const { config, log } = runtime;
const deps = {
  ...runtime,
  sms: createSmsProvider(config),
  leaseMs: fallbackLeaseMs(config.SMS_TIMEOUT_MS),
};

type Outcome = FallbackRun | { kind: 'dropped'; reason: string } | { kind: 'method_not_allowed' };

ff.http(
  'fallback',
  runtime.traced(async (req, res) => {
    const outcome = await handle(req);
    switch (outcome.kind) {
      case 'skipped':
      case 'dropped':
        res.status(200).json({ outcome: outcome.kind, reason: outcome.reason });
        return;
      case 'settled':
        res.status(200).json({ outcome: outcome.kind, state: outcome.state, reason: outcome.reason });
        return;
      case 'recorded':
        res.status(200).json({ outcome: outcome.kind, state: outcome.state, verdict: outcome.verdict });
        return;
      case 'busy':
        retryLater(res, outcome.retryAfterMs).json({ outcome: 'busy', reason: 'another send is in flight' });
        return;
      case 'retry':
        retryLater(res, outcome.retryAfterMs).json({ outcome: 'retry', verdict: outcome.verdict });
        return;
      case 'unavailable':
        res.status(503).json({ outcome: 'unavailable', reason: outcome.reason });
        return;
      case 'method_not_allowed':
        res.status(405).set('allow', 'POST').json({ error: 'only POST' });
        return;
    }
  }),
);

async function handle(req: ff.Request): Promise<Outcome> {
  if (req.method !== 'POST') return { kind: 'method_not_allowed' };
  const parsed = parseTaskRequest(req.body, (name) => req.get(name), config.FALLBACK_MAX_ATTEMPTS);
  if (!parsed.ok) return drop(parsed.reason);
  // The two SMS steps: the fallback, and the nudge for a message delivered and not READ in time.
  if (parsed.task.step === 'escalate') return runEscalation(parsed.task.messageId, parsed.task, deps);
  if (parsed.task.step !== 'fallback') return drop(`step ${parsed.task.step} sent to the fallback function`);
  return runFallback(parsed.task.messageId, parsed.task, deps);
}

function drop(reason: string): Outcome {
  fallbackLogs.taskDropped(log, reason);
  return { kind: 'dropped', reason };
}

/** 503 with Retry-After in whole seconds when the wait is known (Cloud Tasks honours it). */
function retryLater(res: ff.Response, retryAfterMs: number | undefined): ff.Response {
  res.status(503);
  if (retryAfterMs !== undefined) res.set('retry-after', formatRetryAfter(retryAfterMs));
  return res;
}

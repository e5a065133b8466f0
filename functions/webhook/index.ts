import * as ff from '@google-cloud/functions-framework';
import { runWithLogFields } from '../../shared/log/index.ts';
import { parseBody } from '../../shared/rbm/envelope.ts';
import { lazyRbmClient } from '../../shared/rbm/lazy-client.ts';
import { tokenMatches, verifySignature } from '../../shared/rbm/signature.ts';
import { compareWebhookType, type WebhookBody, webhookTypeHeader } from '../../shared/rbm/webhook-type.ts';
import { createRuntime, ingestionSettings, lazyScheduler } from '../../shared/runtime.ts';
import { withDeadline } from '../../shared/time/deadline.ts';
import { type IngestOutcome, ingestEnvelope } from '../../shared/webhook/ingest.ts';
import { IngestionTracker } from '../../shared/webhook/ingestion-tracker.ts';
import { webhookLogs } from '../../shared/webhook/logs.ts';

/**
 * The RBM webhook: public, so it trusts nothing it cannot verify. Parse,
 * verify, ingest, then map the outcome to HTTP in one place. The platform
 * retries anything but 200 for 7 days, so bad input gets a 4xx and only our
 * own transient faults get a 5xx.
 */
const runtime = createRuntime('webhook', ['rbm', 'webhook', 'tasks', 'ingestion']);
const { config, log } = runtime;
const clientTokens = [config.RBM_CLIENT_TOKEN, config.RBM_CLIENT_TOKEN_PREVIOUS].filter(
  (t) => t !== undefined,
);
const deps = {
  ...runtime,
  scheduler: lazyScheduler(config),
  ...(config.WEBHOOK_READ_RECEIPTS ? { rbm: lazyRbmClient(config) } : {}),
};
// How far this instance has stored the platform's events, for the revoke's confirm step.
const tracker = new IngestionTracker({
  ...runtime,
  lagToleranceMs: ingestionSettings(config).lagToleranceMs,
});

type Outcome =
  | IngestOutcome
  | { kind: 'handshake'; secret: string }
  | { kind: 'rejected'; status: 400 | 401 | 403 | 405 | 413 | 415; reason: string }
  | { kind: 'unavailable' };

ff.http(
  'webhook',
  runtime.traced(async (req, res) => {
    // The platform's label for the request, on every line logged for it (never acted on).
    const webhookType = webhookTypeHeader(req.get('x-goog-webhook-type'));
    const outcome = await runWithLogFields(webhookType ? { webhookType } : {}, () =>
      handle(req, webhookType),
    );
    switch (outcome.kind) {
      case 'handshake':
        res.status(200).type('text/plain').send(outcome.secret);
        return;
      case 'stored':
      case 'dead_lettered':
        res.status(200).json({ ok: true, outcome: outcome.kind });
        return;
      case 'rejected':
        // RFC 9110 §15.5.6: a 405 names the methods the resource accepts.
        if (outcome.status === 405) res.set('allow', 'POST');
        res.status(outcome.status).json({ error: outcome.reason });
        return;
      case 'unavailable':
        res.status(503).json({ error: 'temporarily unavailable, retry' });
        return;
    }
  }),
);

async function handle(req: ff.Request, webhookType: string | undefined): Promise<Outcome> {
  const startedAt = Date.now();
  if (req.method !== 'POST') return reject(405, 'only POST');
  // functions-framework has parsed the body already; refuse oversize bodies before any of our work.
  const declaredLength = Number(req.get('content-length') ?? 0);
  if (
    declaredLength > config.WEBHOOK_MAX_BODY_BYTES ||
    (req.rawBody?.length ?? 0) > config.WEBHOOK_MAX_BODY_BYTES
  ) {
    return reject(413, `body larger than ${config.WEBHOOK_MAX_BODY_BYTES} bytes`);
  }
  if (!req.is('application/json')) return reject(415, 'content type must be application/json');

  const body = parseBody(req.body);
  if (body.kind === 'invalid') return reject(400, body.reason);
  if (body.kind === 'handshake') {
    if (!tokenMatches(body.handshake.clientToken, clientTokens)) {
      webhookLogs.handshakeRefused(log);
      return { kind: 'rejected', status: 403, reason: 'unknown clientToken' };
    }
    noteWebhookType(webhookType, 'handshake');
    webhookLogs.handshakeAccepted(log);
    return { kind: 'handshake', secret: body.handshake.secret };
  }

  const signature = req.get('x-goog-signature');
  if (!verifySignature(body.envelope.data, signature, clientTokens)) {
    webhookLogs.signatureRejected(log, signature ? 'mismatch' : 'missing');
    return { kind: 'rejected', status: 401, reason: 'signature does not verify' };
  }
  noteWebhookType(webhookType, 'envelope');

  let outcome: IngestOutcome;
  try {
    outcome = await withDeadline(
      ingestEnvelope(body.envelope, deps),
      config.WEBHOOK_DEADLINE_MS,
      'storing the event',
    );
  } catch (error) {
    webhookLogs.storeFailed(log, error);
    void tracker.failed();
    return { kind: 'unavailable' };
  }
  // Within what is left of the request's deadline, so the answer still beats the push deadline;
  // an answer already past it (a starved instance) is likely one the platform will not take.
  const leftMs = config.WEBHOOK_DEADLINE_MS - (Date.now() - startedAt);
  await tracker.afterIngest(outcome, body.envelope.publishTime, Math.min(leftMs, 1_000), leftMs < 0);
  return outcome;
}

/**
 * Once the body is authenticated, a header that does not match it is logged and otherwise
 * ignored: the header is not signed, so a `verification` label never spares a delivery its
 * signature check, nor does a delivery label turn a handshake into one.
 */
function noteWebhookType(webhookType: string | undefined, body: WebhookBody): void {
  const verdict = compareWebhookType(webhookType, body);
  if (verdict === 'disagrees' || verdict === 'unrecognised') {
    webhookLogs.typeHeaderIgnored(log, webhookType!, body, verdict);
  }
}

function reject(status: 400 | 405 | 413 | 415, reason: string): Outcome {
  webhookLogs.requestRejected(log, status, reason);
  return { kind: 'rejected', status, reason };
}

import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';
import { useLoggingWebhook } from '../../helpers/logging-webhook.ts';
import { postSigned, userEvent } from '../../helpers/rbm-events.ts';
import { clientToken } from '../../helpers/webhook-fixture.ts';

/*
 * The webhook's log lines, as Cloud Logging reads them from stdout: one JSON
 * object each, with severity, and the request's trace when the request
 * carries one. The function runs in a child process so its stdout is its own.
 */
const fs = useFirestoreEmulator({ resetBeforeEach: false });
const webhook = useLoggingWebhook(fs);
const { lines } = webhook;

async function logsOf(headers: Record<string, string>) {
  const before = lines.length;
  const event = userEvent('IS_TYPING');
  const response = await postSigned(webhook.url, clientToken, event, {}, headers);
  expect(response.status).toBe(200);
  // The answer can overtake the child's stdout: wait (bounded) for the request's last line.
  for (let waited = 0; !lines.slice(before).some((l) => l.event === 'webhook.stored'); waited += 10) {
    if (waited > 5_000) throw new Error('the webhook logged no webhook.stored line');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return lines.slice(before);
}

it('every line is Cloud Logging JSON and carries the trace of a traceparent request', async () => {
  const traceId = randomUUID().replaceAll('-', '');
  const logged = await logsOf({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
  const stored = logged.find((l) => l.event === 'webhook.stored');
  expect(stored).toMatchObject({
    severity: 'INFO',
    'logging.googleapis.com/trace': `projects/${fs.projectId}/traces/${traceId}`,
    'logging.googleapis.com/spanId': '00f067aa0ba902b7',
    'logging.googleapis.com/trace_sampled': true,
  });
  expect(typeof stored?.message).toBe('string');
});

it('a request without a trace header logs no trace fields', async () => {
  const logged = await logsOf({});
  const stored = logged.find((l) => l.event === 'webhook.stored');
  expect(stored).toBeDefined();
  expect(stored).not.toHaveProperty('logging.googleapis.com/trace');
});

import { describe, expect, it } from 'vitest';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';
import { useLoggingWebhook } from '../../helpers/logging-webhook.ts';
import { envelope, postSigned, userEvent } from '../../helpers/rbm-events.ts';
import { clientToken } from '../../helpers/webhook-fixture.ts';

/*
 * X-Goog-Webhook-Type: the platform's label on each POST, outside the signature. The webhook
 * puts it on its log lines (`webhookType`) and logs a label that does not match the body
 * (`webhook.type_header_ignored`), but the body alone decides: a `verification` label never
 * spares a delivery its signature check, a delivery label never stops a handshake. The
 * function runs in a child process so its stdout, the log, is its own.
 */
const fs = useFirestoreEmulator({ resetBeforeEach: false });
const webhook = useLoggingWebhook(fs);
const { lines } = webhook;

/** The lines logged for one request, once its last line (`until`) is out: the answer can overtake stdout. */
async function logged(request: () => Promise<Response>, status: number, until: string) {
  const before = lines.length;
  const response = await request();
  expect(response.status).toBe(status);
  for (let waited = 0; !lines.slice(before).some((l) => l.event === until); waited += 10) {
    if (waited > 5_000) throw new Error(`the webhook logged no ${until} line`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { response, lines: lines.slice(before) };
}

const delivery = (headers: Record<string, string>) => {
  const event = userEvent('IS_TYPING');
  return { event, post: () => postSigned(webhook.url, clientToken, event, {}, headers) };
};

const handshake = (headers: Record<string, string>) => () =>
  fetch(webhook.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ clientToken, secret: 'handshake-secret' }),
  });

const stored = (eventId: string) => fs.db.collection('userEvents').doc(eventId).get();
const ignored = (l: Array<Record<string, unknown>>) =>
  l.filter((x) => x.event === 'webhook.type_header_ignored');

describe('present and agreeing with the body', () => {
  it('a delivery labelled message_callback: stored, and every line of the request carries webhookType', async () => {
    const { event, post } = delivery({ 'x-goog-webhook-type': 'message_callback' });
    const result = await logged(post, 200, 'webhook.stored');
    expect(result.lines.length).toBeGreaterThan(0);
    for (const line of result.lines) expect(line).toMatchObject({ webhookType: 'message_callback' });
    expect(ignored(result.lines)).toEqual([]);
    expect((await stored(event.eventId)).exists).toBe(true);
  });

  it('a handshake labelled verification: answered with the secret, the line carries webhookType', async () => {
    const result = await logged(
      handshake({ 'x-goog-webhook-type': 'verification' }),
      200,
      'webhook.handshake_accepted',
    );
    expect(await result.response.text()).toBe('handshake-secret');
    expect(result.lines.find((l) => l.event === 'webhook.handshake_accepted')).toMatchObject({
      webhookType: 'verification',
    });
    expect(ignored(result.lines)).toEqual([]);
  });
});

describe('absent (the platform before 2026, or a proxy that drops it)', () => {
  it('a delivery without the header is stored as ever, and its lines have no webhookType', async () => {
    const { event, post } = delivery({});
    const result = await logged(post, 200, 'webhook.stored');
    for (const line of result.lines) expect(line).not.toHaveProperty('webhookType');
    expect(ignored(result.lines)).toEqual([]);
    expect((await stored(event.eventId)).exists).toBe(true);
  });
});

describe('disagreeing with the body: logged, and the body wins', () => {
  it('a signed delivery labelled verification is still a delivery: stored, the mismatch logged', async () => {
    const { event, post } = delivery({ 'x-goog-webhook-type': 'verification' });
    const result = await logged(post, 200, 'webhook.stored');
    expect(ignored(result.lines)).toEqual([
      expect.objectContaining({
        severity: 'WARNING',
        webhookType: 'verification',
        body: 'envelope',
        verdict: 'disagrees',
      }),
    ]);
    expect((await stored(event.eventId)).exists).toBe(true);
  });

  it('an unsigned delivery labelled verification is refused (401) and writes nothing: the label spares no check', async () => {
    const event = userEvent('IS_TYPING');
    const { body } = envelope(event);
    const forged = () =>
      fetch(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-webhook-type': 'verification' },
        body: JSON.stringify(body),
      });
    const result = await logged(forged, 401, 'webhook.signature_rejected');
    expect(ignored(result.lines)).toEqual([]);
    expect((await stored(event.eventId)).exists).toBe(false);
  });

  it('a handshake labelled message_callback is still a handshake: answered, the mismatch logged', async () => {
    const result = await logged(
      handshake({ 'x-goog-webhook-type': 'message_callback' }),
      200,
      'webhook.handshake_accepted',
    );
    expect(await result.response.text()).toBe('handshake-secret');
    expect(ignored(result.lines)).toEqual([
      expect.objectContaining({ webhookType: 'message_callback', body: 'handshake', verdict: 'disagrees' }),
    ]);
  });

  it('a label nobody documents is logged as unrecognised; the delivery is stored', async () => {
    const { event, post } = delivery({ 'x-goog-webhook-type': 'something_new' });
    const result = await logged(post, 200, 'webhook.stored');
    expect(ignored(result.lines)).toEqual([
      expect.objectContaining({ webhookType: 'something_new', body: 'envelope', verdict: 'unrecognised' }),
    ]);
    expect((await stored(event.eventId)).exists).toBe(true);
  });
});

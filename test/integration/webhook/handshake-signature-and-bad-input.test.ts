import { describe, expect, it } from 'vitest';
import { envelope, postSigned, signature, userEvent } from '../../helpers/rbm-events.ts';
import { clientToken, countDocs, previousClientToken, useWebhook } from '../../helpers/webhook-fixture.ts';

const webhook = useWebhook();
const everyCollection = [
  'messages',
  'userMessages',
  'userEvents',
  'optOuts',
  'agentEvents',
  'unknownEvents',
  'deadLetters',
];

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(webhook.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('registration handshake', () => {
  it('answers our clientToken with the secret as plain text', async () => {
    const response = await post({ clientToken, secret: 's3cr3t-value' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('s3cr3t-value');
  });

  it('refuses another token with 403 and nothing else', async () => {
    const response = await post({ clientToken: 'someone-else', secret: 's3cr3t-value' });
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain('s3cr3t-value');
  });
});

describe('signature', () => {
  const payload = userEvent('IS_TYPING');

  it('stores an event signed with the current or the previous token (rotation)', async () => {
    expect((await postSigned(webhook.url, clientToken, userEvent('IS_TYPING'))).status).toBe(200);
    expect((await postSigned(webhook.url, previousClientToken, userEvent('IS_TYPING'))).status).toBe(200);
    expect(await countDocs(webhook.fs.db, 'userEvents')).toBe(2);
  });

  it('answers 401 and writes nothing when the signature is missing, wrong, or over other bytes', async () => {
    const { data, body } = envelope(payload);
    const cases: Array<Record<string, string>> = [
      {},
      { 'x-goog-signature': signature('wrong-token', data) },
      { 'x-goog-signature': signature(clientToken, Buffer.from(`${data}x`)) },
      { 'x-goog-signature': 'not-even-base64!!' },
    ];
    for (const headers of cases) {
      const response = await post(body, headers);
      expect(response.status).toBe(401);
    }
    expect(await countDocs(webhook.fs.db, ...everyCollection)).toBe(0);
  });
});

describe('bad input is 4xx, never 5xx', () => {
  it('refuses other methods, content types, shapes and oversize bodies', async () => {
    const answer = await fetch(webhook.url);
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect((await post('{}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post({ hello: 'world' })).status).toBe(400);
    expect((await post({ message: { data: '%%%' } })).status).toBe(400);
    const huge = { message: { data: Buffer.alloc(1_100_000).toString('base64') } };
    expect((await post(huge)).status).toBe(413);
    expect(await countDocs(webhook.fs.db, ...everyCollection)).toBe(0);
  });
});

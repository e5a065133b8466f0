import { describe, expect, it } from 'vitest';
import { useTasksEmulator } from '../../helpers/tasks.ts';

const h = useTasksEmulator({
  queues: [{ name: 'throttled', retryConfig: { minBackoff: 1, maxBackoff: 60, maxDoublings: 0 } }],
});

async function firstRetryDelay(reply: { status: number; headers?: Record<string, string> }): Promise<number> {
  h.target.respond((r) => (r.index === 0 ? reply : { status: 200 }));
  await h.client.createTask({
    parent: h.queuePath('throttled'),
    task: { httpRequest: { url: h.target.url() } },
  });
  await h.advance(3_600_000);
  const [first, second] = h.target.requests;
  expect(h.target.requests).toHaveLength(2);
  return (second!.receivedAt - first!.receivedAt) / 1000;
}

describe('Retry-After on 429 and 503 delays the retry', () => {
  it('503 with Retry-After in seconds', async () => {
    expect(await firstRetryDelay({ status: 503, headers: { 'Retry-After': '120' } })).toBe(120);
  });

  it('429 with Retry-After as an HTTP date', async () => {
    // HTTP dates have whole seconds.
    const at = Math.ceil((h.clock.now() + 45_000) / 1000) * 1000;
    const expected = (at - h.clock.now()) / 1000;
    expect(
      await firstRetryDelay({ status: 429, headers: { 'Retry-After': new Date(at).toUTCString() } }),
    ).toBe(expected);
  });

  it('a Retry-After shorter than the backoff does not bring the retry forward', async () => {
    expect(await firstRetryDelay({ status: 503, headers: { 'Retry-After': '0' } })).toBe(1);
  });

  it('is ignored on other statuses', async () => {
    expect(await firstRetryDelay({ status: 500, headers: { 'Retry-After': '120' } })).toBe(1);
  });

  it('is ignored when unreadable', async () => {
    expect(await firstRetryDelay({ status: 429, headers: { 'Retry-After': 'soon' } })).toBe(1);
  });
});

import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Timers } from '../core/timers.ts';

export type PostResult = { status: number; body: string } | { status: null; error: string };

/**
 * One POST to the webhook. The optional answer deadline runs on the shared clock
 * (Pub/Sub push waits for the subscription's ack deadline), so a slow webhook
 * times out in clock time. No keep-alive agent: stop() leaves no socket.
 */
export class WebhookPoster {
  readonly #timers: Timers;
  readonly #open = new Set<{ destroy(error?: Error): void }>();

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  post(
    url: string,
    body: Buffer | string,
    headers: Record<string, string>,
    deadlineMs: number | null,
  ): Promise<PostResult> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ status: null, error: `invalid webhook URL ${url}` });
        return;
      }
      const send = target.protocol === 'https:' ? httpsRequest : request;
      const payload = typeof body === 'string' ? Buffer.from(body) : body;
      let settled = false;
      const finish = (result: PostResult) => {
        if (settled) return;
        settled = true;
        cancelDeadline();
        this.#open.delete(req);
        resolve(result);
      };
      const req = send(
        target,
        {
          method: 'POST',
          agent: false,
          headers: { ...headers, 'content-length': String(payload.length), connection: 'close' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', (error) => finish({ status: null, error: error.message }));
        },
      );
      this.#open.add(req);
      const cancelDeadline =
        deadlineMs === null
          ? () => {}
          : this.#timers.after(deadlineMs, () => {
              req.destroy(new Error(`no answer within the ${deadlineMs} ms ack deadline`));
            });
      req.on('error', (error) => finish({ status: null, error: error.message }));
      req.end(payload);
    });
  }

  /** Aborts every request still waiting for an answer. */
  abortAll(): void {
    for (const req of this.#open) req.destroy(new Error('sandbox stopped'));
    this.#open.clear();
  }
}

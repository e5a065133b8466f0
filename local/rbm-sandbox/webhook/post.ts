import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Timers } from '../core/timers.ts';

export type PostResult =
  | { status: number; body: string }
  | {
      status: null;
      error: string;
      /** True when the request was given up because its deadline passed (as opposed to a network error). */
      timedOut: boolean;
    };

/**
 * When a POST that got no answer is given up.
 *
 * - `clockMs`: time on the shared (possibly scaled or manual) clock, the
 *   platform's notion of the deadline.
 * - `realMs`: real (wall) milliseconds: an HTTP answer needs real time, so a
 *   clock deadline alone would fail a healthy webhook at a high time scale.
 *
 * With both set the request is given up once BOTH have passed: the clock
 * deadline keeps the platform's semantics (a ManualClock that is not advanced
 * never times anything out), the real floor keeps a fast webhook from losing
 * at any time scale. With only one set, that one decides; with neither, the
 * request waits for its answer.
 */
export interface PostDeadline {
  clockMs: number | null;
  realMs: number | null;
  /** Names the deadline in the error, e.g. "ack deadline". */
  name: string;
}

/**
 * One POST to the webhook. No keep-alive agent: stop() leaves no socket.
 * The real-time timer is unref'd: it never keeps the process alive.
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
    deadline: PostDeadline,
  ): Promise<PostResult> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ status: null, error: `invalid webhook URL ${url}`, timedOut: false });
        return;
      }
      const send = target.protocol === 'https:' ? httpsRequest : request;
      const payload = typeof body === 'string' ? Buffer.from(body) : body;
      let settled = false;
      let timedOut = false;
      const cancels: Array<() => void> = [];
      const finish = (result: PostResult) => {
        if (settled) return;
        settled = true;
        for (const cancel of cancels) cancel();
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
          res.on('error', (error) => finish({ status: null, error: error.message, timedOut }));
        },
      );
      this.#open.add(req);

      // Each deadline that is set must have passed before the request is given up.
      let waitingFor = 0;
      const passed = () => {
        waitingFor -= 1;
        if (waitingFor > 0 || settled) return;
        timedOut = true;
        req.destroy(new Error(deadlineMessage(deadline)));
      };
      if (deadline.clockMs !== null) {
        waitingFor += 1;
        cancels.push(this.#timers.after(deadline.clockMs, passed));
      }
      if (deadline.realMs !== null && deadline.realMs > 0) {
        waitingFor += 1;
        const handle = setTimeout(passed, deadline.realMs);
        handle.unref();
        cancels.push(() => clearTimeout(handle));
      }
      req.on('error', (error) => finish({ status: null, error: error.message, timedOut }));
      req.end(payload);
    });
  }

  /** Aborts every request still waiting for an answer. */
  abortAll(): void {
    for (const req of this.#open) req.destroy(new Error('sandbox stopped'));
    this.#open.clear();
  }
}

function deadlineMessage(deadline: PostDeadline): string {
  const parts: string[] = [];
  if (deadline.clockMs !== null) parts.push(`${deadline.clockMs} ms of clock time`);
  if (deadline.realMs !== null && deadline.realMs > 0) parts.push(`${deadline.realMs} ms of real time`);
  return `timeout: no answer within the ${deadline.name} (${parts.join(' and ')})`;
}

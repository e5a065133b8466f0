import http from 'node:http';
import https from 'node:https';

/** What came back from one HTTP attempt. */
export type HttpOutcome =
  | { kind: 'response'; status: number; retryAfter?: string }
  | { kind: 'error'; message: string };

export interface HttpAttempt {
  /** Settles once the full response arrived or the connection failed; never rejects. */
  result: Promise<HttpOutcome>;
  /** Cancels the request (dispatch deadline, task deleted, emulator stopped). */
  abort(): void;
}

/**
 * Sends one task attempt. A fresh connection per attempt (`agent: false`) so
 * nothing stays pooled after `stop()`, and so targets see attempts as separate
 * requests, like Cloud Tasks' independent dispatches.
 */
export function sendHttp(request: {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
}): HttpAttempt {
  let req: http.ClientRequest | undefined;
  const result = new Promise<HttpOutcome>((resolve) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      resolve({ kind: 'error', message: `invalid URL ${request.url}` });
      return;
    }
    const transport = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { ...request.headers };
    if (request.body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(request.method)) {
      headers['Content-Length'] = String(request.body.length);
    }
    req = transport.request(url, { method: request.method, headers, agent: false });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const retryAfter = res.headers['retry-after'];
      res.resume();
      const done = () =>
        resolve(
          retryAfter === undefined ? { kind: 'response', status } : { kind: 'response', status, retryAfter },
        );
      res.on('end', done);
      // A target that answered a status then dropped the body still answered.
      res.on('error', done);
      res.on('aborted', done);
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ kind: 'error', message: err.code ?? err.message }),
    );
    req.end(request.body.length > 0 ? request.body : undefined);
  });
  return {
    result,
    abort: () => {
      req?.destroy();
    },
  };
}

import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/*
 * The HTTP/1.1 side of the emulator port, compatible with Google's emulator:
 *   DELETE /emulator/v1/projects/{project}/databases/{database}/documents  clears that database
 *   GET /                                                                   "Ok" (health check)
 * The REST (JSON) Firestore API is not served: the Node client's default
 * transport is gRPC; `preferRest` gets a clear 404 here.
 */

const RESET_PATH = /^\/emulator\/v1\/projects\/([^/]+)\/databases\/([^/]+)\/documents\/?$/;

export function httpEndpoints(
  resetDatabase: (projectId: string, databaseId: string) => void,
): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const reset = RESET_PATH.exec(url.pathname);
    if (reset && req.method === 'DELETE') {
      resetDatabase(decodeURIComponent(reset[1]!), decodeURIComponent(reset[2]!));
      return reply(res, 200, {});
    }
    if (url.pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('Ok\n');
      return;
    }
    const message = reset
      ? `Method ${req.method} not allowed; use DELETE to clear the database.`
      : `Not found: ${req.method} ${url.pathname}. This emulator serves Firestore over gRPC only (no REST API); ` +
        'HTTP/1.1 serves DELETE /emulator/v1/projects/{project}/databases/{database}/documents.';
    reply(res, reset ? 405 : 404, { error: { code: reset ? 405 : 404, message } });
  };
}

function reply(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

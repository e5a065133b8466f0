import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A plain node:http server on 127.0.0.1 only (a free port unless one is
 * given), plus the small helpers both sandboxes answer with. close() ends
 * every open connection, so stop() leaves no socket behind.
 */

export interface Listening {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port = 0,
): Promise<Listening> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: 500, message: String(error), status: 'INTERNAL' } });
      else res.destroy();
    });
  });
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ListenError(`port must be an integer from 0 to 65535, got ${port}`, 'ERR_SOCKET_BAD_PORT');
  }
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => reject(listenError(error, port));
    server.once('error', failed);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Listening failed (port in use, not allowed, out of range): a one-line reason and the system code. */
export class ListenError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = 'ListenError';
    this.code = code;
  }
}

function listenError(error: NodeJS.ErrnoException, port: number): ListenError {
  if (error.code === 'EADDRINUSE')
    return new ListenError(`port ${port} on 127.0.0.1 is already in use`, error.code);
  if (error.code === 'EACCES')
    return new ListenError(`not allowed to listen on port ${port} on 127.0.0.1`, error.code);
  return new ListenError(`cannot listen on 127.0.0.1:${port}: ${error.message}`, error.code);
}

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`request body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The raw request body; signatures and size limits need the exact bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(limit));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Splits a request URL into decoded path segments and the query. */
export function parseUrl(req: IncomingMessage): { segments: string[]; query: URLSearchParams; path: string } {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  // decodeURIComponent keeps a literal "+" (E.164 in the path) as "+".
  const segments = url.pathname
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
  return { segments, query: url.searchParams, path: url.pathname };
}

/**
 * A phone number from the query string. An unencoded "+" in a query means a
 * space (application/x-www-form-urlencoded), so `?phoneNumber=+1555...` arrives
 * as " 1555...": a leading space is read back as the "+" it was meant to be.
 */
export function phoneQuery(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  return value.replace(/^ (?=\d)/, '+');
}

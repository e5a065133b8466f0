import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * One HTTP POST that reports how far it got, because for a send that must
 * happen at most once the difference matters:
 * - `not_sent`: it failed before the request was fully handed to the network
 *   (DNS, connect refused or timed out, TLS), so the provider cannot have
 *   acted on it;
 * - `no_answer`: the whole request went out and no complete answer came back
 *   (timeout, connection dropped mid-response): the provider may have acted;
 * - `answered`: status, headers and body.
 *
 * Built on node:http rather than fetch because fetch cannot tell the first
 * two apart. ClientRequest's 'finish' fires once the last byte was handed to
 * the socket; an error before it means the provider never had the request.
 * Each call opens its own connection (`agent: false`): a reused keep-alive
 * socket that the server closed while idle fails only after the request was
 * written, which would look like "may have sent" and, for a provider without
 * idempotency keys, end the fallback for nothing. Fallback SMS are few; one
 * TLS handshake each is cheap.
 */
export type Exchange =
  | { kind: 'answered'; status: number; headers: IncomingHttpHeaders; body: string; latencyMs: number }
  | { kind: 'not_sent'; error: string; latencyMs: number }
  /** `status` is set when the status line arrived but the body did not. */
  | { kind: 'no_answer'; error: string; status?: number; latencyMs: number };

export interface PostOptions {
  headers: Record<string, string>;
  body: string;
  /** Bounds the whole exchange: connect, write, answer and body. */
  timeoutMs: number;
  /** Monotonic milliseconds, for latency. */
  clock?: () => number;
}

const maxAnswerBytes = 256 * 1024;

export function post(url: string, options: PostOptions): Promise<Exchange> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const latency = () => Math.round(clock() - started);
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const signal = AbortSignal.timeout(options.timeoutMs);
  const body = Buffer.from(options.body, 'utf8');

  return new Promise<Exchange>((resolve) => {
    let written = false;
    let status: number | undefined;
    let settled = false;
    const settle = (exchange: Exchange) => {
      if (settled) return;
      settled = true;
      resolve(exchange);
    };
    const failed = (error: unknown) => {
      const reason = signal.aborted ? `timed out after ${options.timeoutMs} ms` : describe(error);
      if (!written) return settle({ kind: 'not_sent', error: reason, latencyMs: latency() });
      settle({
        kind: 'no_answer',
        error: reason,
        ...(status === undefined ? {} : { status }),
        latencyMs: latency(),
      });
    };

    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...options.headers, 'content-length': String(body.length) },
        signal,
        agent: false,
      },
      (res) => {
        status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // An answer is a small JSON document; keep the head of anything larger.
          if (size <= maxAnswerBytes) chunks.push(chunk);
        });
        res.on('error', failed);
        res.on('end', () => {
          // A response cut short emits 'error' (ECONNRESET) rather than a short 'end' on Node 24,
          // but guard against a truncated body the server declared the length of.
          const declared = Number(res.headers['content-length']);
          if (res.complete === false || (Number.isFinite(declared) && size < declared)) {
            return failed(new Error('connection closed before the whole answer arrived'));
          }
          settle({
            kind: 'answered',
            status: status ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            latencyMs: latency(),
          });
        });
      },
    );
    req.on('finish', () => {
      written = true;
    });
    req.on('error', failed);
    req.end(body);
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code}: ${error.message}`
    : error.message;
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function firstHeader(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

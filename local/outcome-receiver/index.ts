import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Verification, verifyOutcomePush } from './verify.ts';

/*
 * A business's outcome endpoint, for the local stack and tests: it verifies every push's
 * signature (local/outcome-receiver/verify.ts, from the spec), records what it got, and answers
 * as told: 200 by default, or a scripted status per push (500 then 200, to show a retry).
 * What it records is the ground truth of what the business heard, to check against.
 */

export interface ReceivedPush {
  /** webhook-id: the idempotency key, the outbox id. */
  id: string;
  path: string;
  verification: Verification;
  payload: { type?: string; version?: number; data?: { messageId?: string; outcomeId?: string } } & Record<
    string,
    unknown
  >;
  /** What the receiver answered. */
  status: number;
  receivedAt: Date;
}

export interface OutcomeReceiver {
  url: string;
  port: number;
  secret: string;
  /** Every request, repeats included, in order of arrival. */
  readonly received: readonly ReceivedPush[];
  /** The accepted (2xx) pushes, one per webhook-id: what a receiver that de-duplicates acts on. */
  accepted(): ReceivedPush[];
  /** The next answers, in order (then 200 again), e.g. [500] to refuse one push. */
  answerNext(...statuses: number[]): void;
  /** Answers for pushes about one message: its outcomes are refused while this lasts. */
  refuseMessage(messageId: string, status: number, times: number): void;
  clear(): void;
  stop(): Promise<void>;
}

export interface OutcomeReceiverOptions {
  port?: number;
  secret: string;
  /** The clock the stack runs on, in ms (its timestamps are checked against it). */
  now?: () => number;
}

export async function startOutcomeReceiver(options: OutcomeReceiverOptions): Promise<OutcomeReceiver> {
  const received: ReceivedPush[] = [];
  const script: number[] = [];
  const refusals = new Map<string, { status: number; times: number }>();
  const now = options.now ?? Date.now;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { get: (name: string) => (req.headers[name] as string | undefined) ?? null };
      const verification = verifyOutcomePush(options.secret, headers, body, Math.floor(now() / 1000));
      let payload: ReceivedPush['payload'] = {};
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        // recorded with an empty payload; the verification says what was wrong
      }
      const messageId = payload.data?.messageId;
      const refusal = messageId ? refusals.get(messageId) : undefined;
      let status = verification.ok ? 200 : 401;
      if (verification.ok && refusal && refusal.times > 0) {
        refusal.times -= 1;
        status = refusal.status;
      } else if (verification.ok && script.length > 0) status = script.shift()!;
      received.push({
        id: headers.get('webhook-id') ?? '',
        path: req.url ?? '/',
        verification,
        payload,
        status,
        receivedAt: new Date(now()),
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/rbm/outcomes`,
    port,
    secret: options.secret,
    received,
    accepted: () => {
      const seen = new Map<string, ReceivedPush>();
      for (const push of received) if (push.status < 300 && !seen.has(push.id)) seen.set(push.id, push);
      return [...seen.values()];
    },
    answerNext: (...statuses) => {
      script.push(...statuses);
    },
    refuseMessage: (messageId, status, times) => {
      refusals.set(messageId, { status, times });
    },
    clear: () => {
      received.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

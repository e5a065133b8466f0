import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook for tests: records every request exactly as received (raw bytes
 * and headers) and answers as told. It knows the RBM registration handshake
 * (echoes the secret when the clientToken matches) unless told otherwise.
 * Waiting helpers wait for real I/O with a real-time cap; they never stand in
 * for clock time.
 */

export interface ReceivedRequest {
  seq: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** Decides the answer to one request; return a promise to answer late. */
export type Responder = (request: ReceivedRequest) => Answer | Promise<Answer>;

/**
 * Deliveries held unanswered until the test answers them, oldest first: the
 * held ones are exactly the POSTs the sandbox has in flight, so a test can
 * count them without sleeping.
 */
export interface Gate {
  /** Deliveries received and not yet answered, oldest first. */
  readonly held: readonly ReceivedRequest[];
  /** Resolves once at least `count` deliveries are held at once (a real-time cap, for I/O only). */
  waitForHeld(count: number, timeoutMs?: number): Promise<readonly ReceivedRequest[]>;
  /** Answers the oldest `count` held deliveries (default: all of them) with `answer` (default 200). */
  release(count?: number, answer?: number | Answer): void;
  /** Stops holding: the held deliveries and every later one get the previous responder's answer. */
  open(): void;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Non-handshake requests (the Pub/Sub-push deliveries). */
  deliveries(): ReceivedRequest[];
  /** Answers deliveries with these, in order, then with the default (200). */
  answerNext(...answers: Array<number | Answer>): void;
  /** Replaces the answer logic for deliveries. */
  respondWith(responder: Responder): void;
  /** Holds every delivery until release() is called: a slow webhook. */
  hold(): { release(): void };
  /** Holds every delivery until the test answers it, one by one if it likes (see Gate). */
  gate(): Gate;
  /** The handshake answer: 'echo' (default), 'wrong-secret', or a status code. */
  handshake: 'echo' | 'wrong-secret' | number;
  waitForDeliveries(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { clientToken: string }): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const scripted: Answer[] = [];
  let responder: Responder = () => ({ status: 200 });
  const waiters = new Set<() => void>();
  let seq = 0;

  const isHandshake = (json: unknown): json is { clientToken: string; secret: string } =>
    typeof json === 'object' &&
    json !== null &&
    'clientToken' in json &&
    'secret' in json &&
    !('message' in json);

  const receiver: WebhookReceiver = {
    url: '',
    requests,
    handshake: 'echo',
    deliveries: () => requests.filter((r) => !isHandshake(r.json)),
    answerNext: (...answers) => {
      scripted.push(...answers.map((a) => (typeof a === 'number' ? { status: a } : a)));
    },
    respondWith: (next) => {
      responder = next;
    },
    hold: () => {
      const previous = responder;
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      responder = async (request) => {
        await released;
        return previous(request);
      };
      return {
        release: () => {
          responder = previous;
          release();
        },
      };
    },
    gate: () => {
      const previous = responder;
      const held: Array<{ request: ReceivedRequest; answer: (a: Answer | Promise<Answer>) => void }> = [];
      const heldWaiters = new Set<() => void>();
      responder = (request) =>
        new Promise<Answer>((resolve) => {
          held.push({ request, answer: resolve });
          for (const waiter of [...heldWaiters]) waiter();
        });
      const gate: Gate = {
        get held() {
          return held.map((h) => h.request);
        },
        waitForHeld: (count, timeoutMs = 5_000) =>
          new Promise((resolve, reject) => {
            const check = () => {
              if (held.length < count) return false;
              clearTimeout(timer);
              heldWaiters.delete(check);
              resolve(gate.held);
              return true;
            };
            const timer = setTimeout(() => {
              heldWaiters.delete(check);
              reject(new Error(`expected ${count} held webhook deliveries, got ${held.length}`));
            }, timeoutMs);
            if (!check()) heldWaiters.add(check);
          }),
        release: (count = held.length, answer = 200) => {
          const a = typeof answer === 'number' ? { status: answer } : answer;
          for (const h of held.splice(0, count)) h.answer(a);
        },
        open: () => {
          responder = previous;
          for (const h of held.splice(0)) h.answer(previous(h.request));
        },
      };
      return gate;
    },
    waitForDeliveries: (count, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const got = receiver.deliveries();
          if (got.length < count) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(got);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} webhook deliveries, got ${receiver.deliveries().length}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const answer = (res: ServerResponse, a: Answer) => {
    res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
    res.end(a.body ?? '');
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        json = undefined;
      }
      seq += 1;
      const request: ReceivedRequest = {
        seq,
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        raw,
        json,
      };
      requests.push(request);
      for (const waiter of [...waiters]) waiter();
      if (isHandshake(json)) {
        const mode = receiver.handshake;
        if (mode === 'echo' && json.clientToken === options.clientToken)
          return answer(res, { status: 200, body: json.secret });
        if (mode === 'wrong-secret') return answer(res, { status: 200, body: 'not-the-secret' });
        return answer(res, { status: typeof mode === 'number' ? mode : 403 });
      }
      const next = scripted.shift();
      answer(res, next ?? (await responder(request)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return receiver;
}

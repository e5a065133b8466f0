import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A minimal Pub/Sub for the local stack and tests: the REST calls the product and a test need,
 * on 127.0.0.1, as Google's emulator serves them (PUBSUB_EMULATOR_HOST, no credentials):
 *
 *   POST /v1/projects/{p}/topics/{t}:publish              { messages: [{ data, attributes }] } -> { messageIds }
 *   POST /v1/projects/{p}/subscriptions/{s}:pull          { maxMessages } -> { receivedMessages: [{ ackId, message }] }
 *   POST /v1/projects/{p}/subscriptions/{s}:acknowledge   { ackIds }
 *
 * Topics and their subscriptions are declared at start. A message is delivered to every
 * subscription of its topic and pulled again until it is acknowledged (at least once). No
 * ordering keys, filters, leases or retention: what it does not implement it refuses with 404/400.
 */

export interface PubsubMessage {
  data: string;
  attributes: Record<string, string>;
  messageId: string;
  publishTime: string;
}

export interface PubsubEmulator {
  /** host:port, for PUBSUB_EMULATOR_HOST. */
  host: string;
  /** Every message published to a topic, in order. */
  published(topic: string): readonly PubsubMessage[];
  stop(): Promise<void>;
}

export async function startPubsubEmulator(options: {
  port?: number;
  /** Full names: projects/{p}/topics/{t} -> projects/{p}/subscriptions/{s}[]. */
  topics: Record<string, string[]>;
  now?: () => number;
}): Promise<PubsubEmulator> {
  const now = options.now ?? Date.now;
  const published = new Map<string, PubsubMessage[]>();
  const unacked = new Map<string, Map<string, PubsubMessage>>();
  for (const [topic, subscriptions] of Object.entries(options.topics)) {
    published.set(topic, []);
    for (const subscription of subscriptions) unacked.set(subscription, new Map());
  }
  const answer = (res: http.ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return answer(res, 400, { error: { code: 400, message: 'invalid JSON' } });
      }
      const match =
        /^\/v1\/(projects\/[^/]+\/(topics|subscriptions)\/[^/:]+):(publish|pull|acknowledge)$/.exec(
          req.url ?? '',
        );
      if (req.method !== 'POST' || !match)
        return answer(res, 404, { error: { code: 404, message: 'not found' } });
      const [, name, kind, verb] = match as unknown as [string, string, string, string];
      if (kind === 'topics' && verb === 'publish') {
        const log = published.get(name);
        if (!log) return answer(res, 404, { error: { code: 404, message: `Topic not found: ${name}` } });
        const messages = Array.isArray(body.messages)
          ? (body.messages as Array<Record<string, unknown>>)
          : [];
        if (messages.length === 0) return answer(res, 400, { error: { code: 400, message: 'no messages' } });
        const ids = messages.map((m) => {
          const message: PubsubMessage = {
            data: typeof m.data === 'string' ? m.data : '',
            attributes: (m.attributes as Record<string, string>) ?? {},
            messageId: String(log.length + 1),
            publishTime: new Date(now()).toISOString(),
          };
          log.push(message);
          for (const subscription of options.topics[name] ?? [])
            unacked.get(subscription)!.set(randomUUID(), message);
          return message.messageId;
        });
        return answer(res, 200, { messageIds: ids });
      }
      const queue = kind === 'subscriptions' ? unacked.get(name) : undefined;
      if (!queue)
        return answer(res, 404, { error: { code: 404, message: `Subscription not found: ${name}` } });
      if (verb === 'pull') {
        const max = Math.max(1, Number(body.maxMessages ?? 100));
        const receivedMessages = [...queue].slice(0, max).map(([ackId, message]) => ({ ackId, message }));
        return answer(res, 200, { receivedMessages });
      }
      if (verb === 'acknowledge') {
        for (const ackId of Array.isArray(body.ackIds) ? (body.ackIds as string[]) : []) queue.delete(ackId);
        return answer(res, 200, {});
      }
      return answer(res, 404, { error: { code: 404, message: 'not found' } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    published: (topic) => published.get(topic) ?? [],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

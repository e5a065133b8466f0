import { GoogleAuth } from 'google-auth-library';

/**
 * Publishing an outcome to the deployment's Pub/Sub topic (OUTCOME_PUBSUB_TOPIC), for consumers
 * inside Google Cloud (docs/outcomes.md#pubsub). Pub/Sub's REST API, `topics/{t}:publish`,
 * through google-auth-library's credentials (the function's own service account): no client
 * library of its own. Locally PUBSUB_EMULATOR_HOST names an emulator, reached without
 * credentials, as Google's clients do.
 */

export interface PublishedPayload {
  type: string;
  version: number;
  data: { messageId: string; outcomeId: string };
}

export type PublishResult = { ok: true; messageId: string } | { ok: false; error: string };

export interface OutcomePublisher {
  /** The topic's name, for logs. */
  topic: string;
  publish(payload: PublishedPayload): Promise<PublishResult>;
}

export const pubsubScope = 'https://www.googleapis.com/auth/pubsub';

export function createPubsubPublisher(settings: {
  /** projects/{project}/topics/{topic} */
  topic: string;
  timeoutMs: number;
  /** host:port of a local emulator; unset in production. */
  emulatorHost?: string;
}): OutcomePublisher {
  const base = settings.emulatorHost ? `http://${settings.emulatorHost}` : 'https://pubsub.googleapis.com';
  const url = `${base}/v1/${settings.topic}:publish`;
  let auth: GoogleAuth | undefined;
  const headers = async (): Promise<Headers> => {
    const plain = new Headers({ 'content-type': 'application/json' });
    if (settings.emulatorHost) return plain;
    auth ??= new GoogleAuth({ scopes: [pubsubScope] });
    const client = await auth.getClient();
    const authorized = await client.getRequestHeaders(url);
    authorized.set('content-type', 'application/json');
    return authorized;
  };
  return {
    topic: settings.topic,
    async publish(payload) {
      // Attributes let a subscription filter by kind and a consumer de-duplicate without parsing.
      const message = {
        data: Buffer.from(JSON.stringify(payload)).toString('base64'),
        attributes: {
          type: payload.type,
          version: String(payload.version),
          outcomeId: payload.data.outcomeId,
          messageId: payload.data.messageId,
        },
      };
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: await headers(),
          body: JSON.stringify({ messages: [message] }),
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
        const text = await response.text();
        if (!response.ok) return { ok: false, error: `Pub/Sub answered ${response.status}` };
        const ids = (JSON.parse(text) as { messageIds?: string[] }).messageIds;
        return ids?.[0]
          ? { ok: true, messageId: ids[0] }
          : { ok: false, error: 'Pub/Sub answered no message id' };
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        return {
          ok: false,
          error:
            name === 'TimeoutError'
              ? `Pub/Sub: no answer within ${settings.timeoutMs} ms`
              : `Pub/Sub: ${name}`,
        };
      }
    },
  };
}

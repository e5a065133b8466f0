import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { Clock } from '../common/clock.ts';

/*
 * Eventarc's part locally: the trigger of the outcomes function. It listens to the `outcomes`
 * collection through the Firestore client (Listen, which the emulator serves) and, for each
 * document created, POSTs a binary-mode CloudEvent of type
 * google.cloud.firestore.document.v1.created to the function, as Eventarc delivers one: the
 * ce-* attributes name the document (ce-subject documents/outcomes/{id}, ce-document
 * outcomes/{id}), the body stands for the protobuf DocumentEventData (the function does not
 * read it). A non-2xx answer or no answer is retried with Eventarc's default backoff (10 s
 * doubling to 600 s) on the stack's clock, until the event is 24 hours old. Documents that
 * exist when the bridge starts get no event (they predate the trigger), as in the cloud.
 */

export interface OutboxBridgeOptions {
  db: Firestore;
  projectId: string;
  databaseId?: string;
  /** The outcomes function's URL. */
  target: string;
  clock: Clock;
  /** Lose the event for this outbox id (a test of the sweep's re-drive): nothing is posted. */
  lose?: (outcomeId: string) => boolean;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  retentionMs?: number;
}

export interface OutboxBridge {
  /** Events not yet acknowledged (a retry waiting for its time included). */
  readonly inFlight: number;
  /** CloudEvents posted and not answered yet (what a stack waits for to be quiet). */
  readonly posting: number;
  /** CloudEvents posted, retries included. */
  readonly posted: number;
  /** Events dropped by `lose`. */
  readonly lost: readonly string[];
  /** Whether the listener has seen this outbox document (created, lost, or there before it started). */
  knows(outcomeId: string): boolean;
  stop(): Promise<void>;
}

export async function startOutboxBridge(options: OutboxBridgeOptions): Promise<OutboxBridge> {
  const database = options.databaseId ?? '(default)';
  const minBackoffMs = options.minBackoffMs ?? 10_000;
  const maxBackoffMs = options.maxBackoffMs ?? 600_000;
  const retentionMs = options.retentionMs ?? 24 * 3_600_000;
  const { clock } = options;
  const pending = new Set<string>();
  const cancels = new Set<() => void>();
  const lost: string[] = [];
  const known = new Set<string>();
  let posted = 0;
  let posting = 0;
  let stopped = false;

  const deliver = (outcomeId: string, eventId: string, createdAt: number, attempt: number) => {
    if (stopped) return;
    posted += 1;
    posting += 1;
    fetch(options.target, {
      method: 'POST',
      headers: outboxCreatedEvent(options.projectId, database, outcomeId, eventId, new Date(createdAt)),
      body: new Uint8Array(0),
    })
      .then(async (response) => {
        await response.arrayBuffer().catch(() => undefined);
        return response.ok;
      })
      .catch(() => false)
      .then((ok) => {
        posting -= 1;
        if (ok || stopped || clock.now() - createdAt >= retentionMs) {
          pending.delete(eventId);
          return;
        }
        const delay = Math.min(maxBackoffMs, minBackoffMs * 2 ** (attempt - 1));
        const cancel = clock.schedule(clock.now() + delay, () => {
          cancels.delete(cancel);
          deliver(outcomeId, eventId, createdAt, attempt + 1);
        });
        cancels.add(cancel);
      });
  };

  let first = true;
  let unsubscribe: () => void = () => {};
  await new Promise<void>((resolve, reject) => {
    unsubscribe = options.db.collection('outcomes').onSnapshot(
      (snapshot) => {
        if (first) {
          first = false;
          for (const doc of snapshot.docs) known.add(doc.id);
          resolve();
          return;
        }
        for (const change of snapshot.docChanges()) {
          if (change.type !== 'added') continue;
          const outcomeId = change.doc.id;
          if (known.has(outcomeId)) continue;
          known.add(outcomeId);
          if (options.lose?.(outcomeId)) {
            lost.push(outcomeId);
            continue;
          }
          const eventId = randomUUID();
          pending.add(eventId);
          deliver(outcomeId, eventId, clock.now(), 1);
        }
      },
      (error) => {
        if (first) reject(error);
      },
    );
  });

  return {
    get inFlight() {
      return pending.size;
    },
    get posted() {
      return posted;
    },
    get posting() {
      return posting;
    },
    lost,
    knows: (outcomeId) => known.has(outcomeId),
    stop: async () => {
      stopped = true;
      unsubscribe();
      for (const cancel of cancels) cancel();
      cancels.clear();
    },
  };
}

/**
 * The headers of a binary-mode CloudEvent as Eventarc posts one for a Firestore document
 * created under `outcomes` (its data, protobuf, left empty: the function reads the document).
 */
export function outboxCreatedEvent(
  projectId: string,
  database: string,
  outcomeId: string,
  eventId: string,
  createdAt: Date,
): Record<string, string> {
  return {
    'content-type': 'application/protobuf',
    'ce-specversion': '1.0',
    'ce-id': eventId,
    'ce-source': `//firestore.googleapis.com/projects/${projectId}/databases/${database}`,
    'ce-type': 'google.cloud.firestore.document.v1.created',
    'ce-time': createdAt.toISOString(),
    'ce-subject': `documents/outcomes/${outcomeId}`,
    'ce-document': `outcomes/${outcomeId}`,
    'ce-database': database,
    'ce-namespace': '(default)',
    'ce-project': projectId,
    'ce-location': 'local',
  };
}

import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll } from 'vitest';
import { policies } from '../../shared/lifecycle/policy.ts';
import { deriveStatus } from '../../shared/lifecycle/status.ts';
import type { Message } from '../../shared/lifecycle/types.ts';
import { messageToDoc } from '../../shared/store/message-doc.ts';
import { type FirestoreTestContext, useFirestoreEmulator } from './firestore.ts';
import { type ServedFunction, serveFunction } from './functions.ts';
import { phone } from './rbm-events.ts';

export const clientToken = 'client-token-current';
export const previousClientToken = 'client-token-previous';

export interface WebhookFixture {
  readonly fs: FirestoreTestContext;
  readonly url: string;
}

/** The webhook's environment in tests, for a project on the Firestore emulator at `firestoreHost`. */
export function webhookEnvironment(projectId: string, firestoreHost: string): Record<string, string> {
  return {
    GOOGLE_CLOUD_PROJECT: projectId,
    FIRESTORE_EMULATOR_HOST: firestoreHost,
    // Tests provoke failures on purpose; their error lines would bury real output.
    LOG_LEVEL: 'silent',
    RBM_AGENT_ID: 'test-agent',
    RBM_CLIENT_TOKEN: clientToken,
    RBM_CLIENT_TOKEN_PREVIOUS: previousClientToken,
    TASKS_LOCATION: 'us-central1',
    REVOKE_URL: 'http://127.0.0.1:9/revoke',
    FALLBACK_URL: 'http://127.0.0.1:9/fallback',
    TASKS_SERVICE_ACCOUNT: 'tasks@test-project.iam.gserviceaccount.com',
    // No task emulator unless the test gives one: calls fail fast on a closed port.
    TASKS_EMULATOR_HOST: '127.0.0.1:9',
  };
}

/**
 * The real webhook function served over HTTP on 127.0.0.1, storing into a
 * Firestore emulator. `env` adds or overrides variables (e.g. a Cloud Tasks
 * emulator host); `projectId` fixes the project, to match another emulator's.
 */
export function useWebhook(
  options: { projectId?: string; env?: () => Record<string, string> } = {},
): WebhookFixture {
  const fs = useFirestoreEmulator(options.projectId ? { projectId: options.projectId } : {});
  let served: ServedFunction | undefined;
  beforeAll(async () => {
    served = await serveFunction('webhook', {
      ...webhookEnvironment(fs.projectId, fs.host),
      ...options.env?.(),
    });
  });
  afterAll(async () => {
    await served?.close();
  });
  return {
    fs,
    get url() {
      if (!served) throw new Error('webhook not served yet');
      return served.url;
    },
  };
}

/** A message as the `messages` function registers it: tracked, pending, with a deadline. */
export function registeredMessage(messageId: string, overrides: Partial<Message> = {}): Message {
  const createdAt = new Date(Date.now() - 60_000);
  const message: Message = {
    messageId,
    agentId: 'test-agent',
    phoneNumber: phone,
    tracked: true,
    status: 'pending',
    policy: policies.promo,
    labels: { campaign: 'test' },
    createdAt,
    deadline: new Date(createdAt.getTime() + 600_000),
    revocation: { state: 'none', attempts: 0, round: 0, answeredRound: 0, taskSequence: 0 },
    fallback: { state: 'none', enabled: true },
    duplicateDelivery: false,
    lateDelivery: false,
    updatedAt: createdAt,
    ...overrides,
  };
  message.status = deriveStatus(message);
  return message;
}

export async function saveMessage(db: Firestore, message: Message): Promise<void> {
  await db
    .collection('messages')
    .doc(message.messageId)
    .set(messageToDoc(message, 90 * 86_400_000));
}

export async function countDocs(db: Firestore, ...collections: string[]): Promise<number> {
  let total = 0;
  for (const name of collections) total += (await db.collection(name).count().get()).data().count;
  return total;
}

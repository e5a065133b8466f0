import { Firestore } from '@google-cloud/firestore';

let client: Firestore | undefined;

/**
 * One Firestore client per instance, created on first use. Locally the client
 * finds the emulator through FIRESTORE_EMULATOR_HOST, as Google's client does.
 */
export function getFirestore(settings: { projectId: string; databaseId: string }): Firestore {
  client ??= new Firestore({
    projectId: settings.projectId,
    databaseId: settings.databaseId,
    // Optional facts (deliveredAt, readAt, ...) are simply absent until known.
    ignoreUndefinedProperties: true,
  });
  return client;
}

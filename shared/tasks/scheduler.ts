import type { CloudTasksClient } from '@google-cloud/tasks';
import { grpcCode, hasGrpcCode } from '../store/errors.ts';
import { queuePath, type TaskPurpose, taskId, taskPath } from './names.ts';

/** Cloud Tasks refuses a scheduleTime more than 30 days ahead (INVALID_ARGUMENT). */
export const scheduleHorizonMs = 30 * 24 * 3600 * 1000;
// Keep clear of the limit: the request travels, and clocks differ.
const horizonMarginMs = 60 * 60 * 1000;

export interface TaskRequest {
  purpose: TaskPurpose;
  messageId: string;
  sequence?: number;
  at: Date;
}

export interface TaskScheduler {
  /** Creates the task; a task of the same name already there counts as done. */
  schedule(request: TaskRequest, now: Date): Promise<{ name: string; created: boolean; at: Date }>;
  /** Best-effort cancel; false when the task is already gone. */
  cancel(name: string): Promise<boolean>;
}

export interface CloudTasksSettings {
  projectId: string;
  location: string;
  queues: Record<'revoke' | 'fallback', string>;
  urls: Record<'revoke' | 'fallback', string>;
  serviceAccountEmail: string;
  emulatorHost?: string;
}

/** Where each purpose goes: the confirm step is handled by the revoke function. */
const route: Record<TaskPurpose, 'revoke' | 'fallback'> = {
  revoke: 'revoke',
  expired: 'revoke',
  confirm: 'revoke',
  fallback: 'fallback',
};

export function createCloudTasksScheduler(settings: CloudTasksSettings): TaskScheduler {
  let client: Promise<CloudTasksClient> | undefined;
  // Loaded on first use: a webhook instance that never cancels a task never pays for the client.
  const getClient = () => {
    client ??= connect(settings.emulatorHost);
    return client;
  };

  return {
    async schedule(request, now) {
      const target = route[request.purpose];
      const parent = queuePath(settings.projectId, settings.location, settings.queues[target]);
      const name = taskPath(parent, taskId(request.messageId, request.purpose, request.sequence));
      const latest = now.getTime() + scheduleHorizonMs - horizonMarginMs;
      const at = new Date(Math.min(request.at.getTime(), latest));
      const url = settings.urls[target];
      const body = { messageId: request.messageId, purpose: request.purpose, sequence: request.sequence ?? 0 };
      try {
        await (await getClient()).createTask({
          parent,
          task: {
            name,
            scheduleTime: { seconds: Math.floor(at.getTime() / 1000), nanos: (at.getTime() % 1000) * 1e6 },
            httpRequest: {
              httpMethod: 'POST',
              url,
              headers: { 'Content-Type': 'application/json' },
              body: Buffer.from(JSON.stringify(body)),
              oidcToken: { serviceAccountEmail: settings.serviceAccountEmail, audience: url },
            },
          },
        });
        return { name, created: true, at };
      } catch (error) {
        if (hasGrpcCode(error, grpcCode.ALREADY_EXISTS)) return { name, created: false, at };
        throw error;
      }
    },

    async cancel(name) {
      try {
        await (await getClient()).deleteTask({ name });
        return true;
      } catch (error) {
        if (hasGrpcCode(error, grpcCode.NOT_FOUND)) return false;
        throw error;
      }
    },
  };
}

async function connect(emulatorHost: string | undefined): Promise<CloudTasksClient> {
  const { CloudTasksClient } = await import('@google-cloud/tasks');
  if (!emulatorHost) return new CloudTasksClient();
  const { credentials } = await import('@grpc/grpc-js');
  const [host, port] = emulatorHost.split(':');
  // apiEndpoint must be a bare host: the library appends :443 to anything else.
  return new CloudTasksClient({ apiEndpoint: host, port: Number(port), sslCreds: credentials.createInsecure() });
}

import type { CloudTasksClient } from '@google-cloud/tasks';
import { grpcCode, hasGrpcCode } from '../grpc/codes.ts';
import type { Step } from '../lifecycle/types.ts';
import { queuePath, queueShard, shardQueueName, taskId, taskPath } from './names.ts';

/**
 * Every Cloud Tasks call is bounded: the webhook awaits them before it
 * acknowledges, and a slow webhook delays every agent of the partner
 * (docs/rbm-platform.md#retries-and-the-delivery-queue). Creating is retried
 * by the client within the bound (a repeat collapses into ALREADY_EXISTS);
 * cancelling is best effort, tried once.
 */
const createTimeoutMs = 5_000;
const cancelCallOptions = { timeout: 2_000, retry: null };

/** Cloud Tasks refuses a scheduleTime more than 30 days ahead (INVALID_ARGUMENT). */
export const scheduleHorizonMs = 30 * 24 * 3600 * 1000;
// Keep clear of the limit: the request travels, and clocks differ.
const horizonMarginMs = 60 * 60 * 1000;

export interface TaskRef {
  step: Step;
  messageId: string;
  sequence: number;
}

/** The body every task carries to its target. */
export type TaskBody = TaskRef;

export interface TaskScheduler {
  /** Creates the task; a task of the same name already there counts as done. */
  schedule(
    task: TaskRef & { at: Date; redrive?: number; deferral?: number },
    now: Date,
  ): Promise<{ name: string; created: boolean; at: Date }>;
  /** Best-effort cancel; false when the task is already gone. */
  cancel(task: TaskRef): Promise<boolean>;
}

export interface CloudTasksSettings {
  projectId: string;
  location: string;
  queues: Record<'revoke' | 'fallback', string>;
  /** Queues per kind (queue, queue-1, ... queue-(n-1)); a message's tasks all go to one (names.ts). Default 1. */
  queueShards?: number;
  urls: Record<'revoke' | 'fallback', string>;
  serviceAccountEmail: string;
  emulatorHost?: string;
}

/** Which function handles each step: revoke handles the revoke and confirm steps, fallback the SMS ones. */
const route: Record<Step, 'revoke' | 'fallback'> = {
  revoke: 'revoke',
  expired: 'revoke',
  again: 'revoke',
  manual: 'revoke',
  confirm: 'revoke',
  fallback: 'fallback',
  // The nudge is an SMS: the fallback function sends it, on the fallback queue.
  escalate: 'fallback',
};

export function createCloudTasksScheduler(settings: CloudTasksSettings): TaskScheduler {
  let client: Promise<CloudTasksClient> | undefined;
  // Loaded on first use: a webhook instance that never cancels a task never pays for the client.
  const getClient = () => {
    client ??= connect(settings.emulatorHost);
    return client;
  };

  const nameOf = (task: TaskRef & { redrive?: number; deferral?: number }) => {
    const queue = shardQueueName(
      settings.queues[route[task.step]],
      queueShard(task.messageId, settings.queueShards ?? 1),
    );
    const parent = queuePath(settings.projectId, settings.location, queue);
    const id = taskId(task.messageId, task.step, task.sequence, task.redrive, task.deferral);
    return { parent, name: taskPath(parent, id) };
  };

  return {
    async schedule(task, now) {
      const { parent, name } = nameOf(task);
      const latest = now.getTime() + scheduleHorizonMs - horizonMarginMs;
      const at = new Date(Math.min(task.at.getTime(), latest));
      const url = settings.urls[route[task.step]];
      const body: TaskBody = { step: task.step, messageId: task.messageId, sequence: task.sequence };
      try {
        await (await getClient()).createTask(
          {
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
          },
          { timeout: createTimeoutMs },
        );
        return { name, created: true, at };
      } catch (error) {
        if (hasGrpcCode(error, grpcCode.ALREADY_EXISTS)) return { name, created: false, at };
        throw error;
      }
    },

    async cancel(task) {
      const { name } = nameOf(task);
      try {
        await (await getClient()).deleteTask({ name }, cancelCallOptions);
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
  return new CloudTasksClient({
    apiEndpoint: host,
    port: Number(port),
    sslCreds: credentials.createInsecure(),
  });
}

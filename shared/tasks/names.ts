import { createHash } from 'node:crypto';
import type { Step } from '../lifecycle/types.ts';

/**
 * Deterministic task ids: the same message and step always give the same
 * name, so a duplicate create collapses into ALREADY_EXISTS. The hash comes
 * first because Cloud Tasks serves sequential or shared-prefix names more
 * slowly (https://cloud.google.com/tasks/docs/reference/rpc/google.cloud.tasks.v2#createtaskrequest).
 * A deleted or finished name stays taken for a while, so every step that can
 * recur (re-arm, re-revoke, confirm per round) carries its own sequence number,
 * and a confirm put off while ingestion is behind its deferral number (`-dN`).
 */
export function taskId(messageId: string, step: Step, sequence = 0, redrive = 0, deferral = 0): string {
  const hash = createHash('sha256').update(messageId).digest('hex').slice(0, 32);
  return `${hash}-${step}-${sequence}${deferral ? `-d${deferral}` : ''}${redrive ? `-r${redrive}` : ''}`;
}

export function queuePath(projectId: string, location: string, queue: string): string {
  return `projects/${projectId}/locations/${location}/queues/${queue}`;
}

export function taskPath(queue: string, id: string): string {
  return `${queue}/tasks/${id}`;
}

import { randomInt } from 'node:crypto';
import { invalidArgument } from '../common/grpc-errors.ts';

/*
 * Resource names, validated as the Task and Queue resources document them
 * (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#Task.FIELDS.name):
 * PROJECT_ID letters, digits, hyphens, colons, periods; QUEUE_ID letters, digits,
 * hyphens, at most 100; TASK_ID letters, digits, hyphens, underscores, at most 500.
 */
const PROJECT_ID = '[A-Za-z0-9\\-:.]+';
const LOCATION_ID = '[A-Za-z0-9\\-]+';
const QUEUE_ID = '[A-Za-z0-9\\-]{1,100}';
const TASK_ID = '[A-Za-z0-9_\\-]{1,500}';

const LOCATION_RE = new RegExp(`^projects/(${PROJECT_ID})/locations/(${LOCATION_ID})$`);
const QUEUE_RE = new RegExp(`^projects/(${PROJECT_ID})/locations/(${LOCATION_ID})/queues/(${QUEUE_ID})$`);
const TASK_RE = new RegExp(
  `^(projects/${PROJECT_ID}/locations/${LOCATION_ID}/queues/(${QUEUE_ID}))/tasks/(${TASK_ID})$`,
);
const QUEUE_ID_RE = new RegExp(`^${QUEUE_ID}$`);

export interface QueueName {
  /** `projects/P/locations/L/queues/Q` */
  name: string;
  projectId: string;
  location: string;
  queueId: string;
}

export interface TaskName {
  name: string;
  /** Full name of the queue the task belongs to. */
  queue: string;
  queueId: string;
  taskId: string;
}

export function parseLocationName(name: string): { projectId: string; location: string } {
  const m = LOCATION_RE.exec(name);
  if (!m)
    throw invalidArgument(
      `Invalid location name "${name}": expected projects/PROJECT_ID/locations/LOCATION_ID`,
    );
  return { projectId: m[1]!, location: m[2]! };
}

export function parseQueueName(name: string): QueueName {
  const m = QUEUE_RE.exec(name);
  if (!m) {
    throw invalidArgument(
      `Invalid queue name "${name}": expected projects/PROJECT_ID/locations/LOCATION_ID/queues/QUEUE_ID (QUEUE_ID: [A-Za-z0-9-], at most 100 characters)`,
    );
  }
  return { name, projectId: m[1]!, location: m[2]!, queueId: m[3]! };
}

export function parseTaskName(name: string): TaskName {
  const m = TASK_RE.exec(name);
  if (!m) {
    throw invalidArgument(
      `Invalid task name "${name}": expected projects/PROJECT_ID/locations/LOCATION_ID/queues/QUEUE_ID/tasks/TASK_ID (TASK_ID: [A-Za-z0-9_-], at most 500 characters)`,
    );
  }
  return { name, queue: m[1]!, queueId: m[2]!, taskId: m[3]! };
}

export function isQueueId(id: string): boolean {
  return QUEUE_ID_RE.test(id);
}

export function queueName(projectId: string, location: string, queueId: string): string {
  return `projects/${projectId}/locations/${location}/queues/${queueId}`;
}

/**
 * Ids for unnamed tasks. Cloud Tasks generates long decimal ids; we do the
 * same (19 random digits) so code that logs or parses them sees the usual shape.
 */
export function generateTaskId(): string {
  let id = String(randomInt(1, 10));
  while (id.length < 19) id += String(randomInt(0, 10));
  return id;
}

import {
  type ServerUnaryCall,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Clock } from '../common/clock.ts';
import { invalidArgument, RpcError } from '../common/grpc-errors.ts';
import type { Dispatcher } from './dispatcher.ts';
import { generateTaskId, parseLocationName, parseQueueName, parseTaskName } from './names.ts';
import {
  type Duration,
  fromDuration,
  fromTimestamp,
  queueToProto,
  type Timestamp,
  taskToProto,
  viewOf,
} from './proto.ts';
import { type QueueConfig, resolveQueue } from './queue-config.ts';
import type { HttpMethod, HttpTarget, TaskRecord, TaskStore } from './store.ts';

/*
 * google.cloud.tasks.v2.CloudTasks over the store and dispatcher. Limits and
 * rules come from the API reference
 * (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks)
 * and the quotas page (https://cloud.google.com/tasks/docs/quotas).
 */

const DAY_MS = 86_400_000;
/** "Maximum schedule time for a task: 30 days from current date and time" (quotas page). */
const MAX_SCHEDULE_AHEAD_MS = 30 * DAY_MS;
/** HTTP tasks: "the default is 10 minutes. The deadline must be in the interval [15 seconds, 30 minutes]." */
const DEFAULT_DEADLINE_MS = 10 * 60_000;
const MIN_DEADLINE_MS = 15_000;
const MAX_DEADLINE_MS = 30 * 60_000;
/** "The maximum allowed URL length is 2083 characters after encoding." */
const MAX_URL_LENGTH = 2083;
/** "The size of the headers must be less than 80KB." */
const MAX_HEADERS_BYTES = 80 * 1024;
/** ListTasks: "The maximum page size is 1000"; ListQueues: 9800. */
const MAX_TASK_PAGE = 1000;
const MAX_QUEUE_PAGE = 9800;

const METHODS: readonly HttpMethod[] = ['POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

// Request shapes as proto-loader decodes them (camelCase, string enums, absent fields undefined).
interface HttpRequestIn {
  url?: string;
  httpMethod?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  oidcToken?: { serviceAccountEmail?: string; audience?: string };
  oauthToken?: { serviceAccountEmail?: string; scope?: string };
}
interface TaskIn {
  name?: string;
  httpRequest?: HttpRequestIn;
  appEngineHttpRequest?: unknown;
  scheduleTime?: Timestamp;
  dispatchDeadline?: Duration;
}
interface QueueIn {
  name?: string;
  retryConfig?: {
    maxAttempts?: number;
    maxRetryDuration?: Duration;
    minBackoff?: Duration;
    maxBackoff?: Duration;
    maxDoublings?: number;
  };
  rateLimits?: { maxDispatchesPerSecond?: number; maxConcurrentDispatches?: number };
}

interface Deps {
  store: TaskStore;
  dispatcher: Dispatcher;
  clock: Clock;
}

type Handler<Req> = (request: Req) => unknown;

function unary<Req>(handler: Handler<Req>) {
  return (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>) => {
    try {
      callback(null, handler(call.request));
    } catch (err) {
      if (err instanceof RpcError) callback({ code: err.code, details: err.message });
      else callback({ code: status.INTERNAL, details: err instanceof Error ? err.message : String(err) });
    }
  };
}

function unimplemented(method: string) {
  return (_call: unknown, callback: sendUnaryData<unknown>) =>
    callback({
      code: status.UNIMPLEMENTED,
      details: `CloudTasks.${method} is not implemented by the local Cloud Tasks emulator (see docs/tasks-emulator.md)`,
    });
}

function encodePageToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

function decodePageToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed?.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw invalidArgument('Invalid page_token');
}

function pageSizeOf(requested: number | undefined, max: number): number {
  if (requested !== undefined && requested < 0) throw invalidArgument('page_size must not be negative');
  return !requested ? max : Math.min(requested, max);
}

function paginate<T>(items: T[], key: (t: T) => string, pageSize: number, token: string | undefined) {
  const after = decodePageToken(token);
  const rest = after === undefined ? items : items.filter((t) => key(t) > after);
  const page = rest.slice(0, pageSize);
  const more = rest.length > pageSize && page.length > 0;
  return { page, nextPageToken: more ? encodePageToken(key(page[page.length - 1]!)) : '' };
}

function readHttpRequest(http: HttpRequestIn): HttpTarget {
  const url = http.url ?? '';
  if (!url) throw invalidArgument('task.http_request.url is required');
  if (!/^https?:\/\//.test(url))
    throw invalidArgument('task.http_request.url must begin with "http://" or "https://"');
  if (url.length > MAX_URL_LENGTH)
    throw invalidArgument(`task.http_request.url is longer than ${MAX_URL_LENGTH}`);
  try {
    new URL(url);
  } catch {
    throw invalidArgument(`task.http_request.url is not a valid URL: ${url}`);
  }
  const method = (
    !http.httpMethod || http.httpMethod === 'HTTP_METHOD_UNSPECIFIED' ? 'POST' : http.httpMethod
  ) as HttpMethod;
  if (!METHODS.includes(method)) throw invalidArgument(`Unknown HTTP method ${http.httpMethod}`);
  const body = http.body ?? Buffer.alloc(0);
  // "A request body is allowed only if the HTTP method is POST, PUT, or PATCH."
  if (body.length > 0 && !['POST', 'PUT', 'PATCH'].includes(method)) {
    throw invalidArgument(`A request body is allowed only with POST, PUT or PATCH, not ${method}`);
  }
  const headers = { ...(http.headers ?? {}) };
  const headerBytes = Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  if (headerBytes >= MAX_HEADERS_BYTES)
    throw invalidArgument('task.http_request.headers must be less than 80KB');
  const target: HttpTarget = { url, httpMethod: method, headers, body };
  if (http.oidcToken) {
    const email = http.oidcToken.serviceAccountEmail ?? '';
    if (!email) throw invalidArgument('oidc_token.service_account_email is required');
    target.oidcToken = { serviceAccountEmail: email, audience: http.oidcToken.audience ?? '' };
  }
  if (http.oauthToken) {
    const email = http.oauthToken.serviceAccountEmail ?? '';
    if (!email) throw invalidArgument('oauth_token.service_account_email is required');
    target.oauthToken = {
      serviceAccountEmail: email,
      scope: http.oauthToken.scope || 'https://www.googleapis.com/auth/cloud-platform',
    };
  }
  return target;
}

function seconds(d: Duration | undefined): number | undefined {
  return d === undefined ? undefined : fromDuration(d) / 1000;
}

export function cloudTasksImplementation({ store, dispatcher, clock }: Deps): UntypedServiceImplementation {
  const createTask = (req: { parent?: string; task?: TaskIn; responseView?: string }) => {
    const parent = parseQueueName(req.parent ?? '');
    const queue = store.getQueue(parent.name);
    const t = req.task;
    if (!t) throw invalidArgument('task is required');
    if (t.appEngineHttpRequest) {
      throw new RpcError(
        status.UNIMPLEMENTED,
        'App Engine tasks are not supported by the local emulator; use http_request',
      );
    }
    if (!t.httpRequest) throw invalidArgument('task.http_request is required');
    let taskId: string;
    if (t.name) {
      const parsed = parseTaskName(t.name);
      if (parsed.queue !== parent.name) {
        throw invalidArgument(`Task name ${t.name} does not belong to queue ${parent.name}`);
      }
      taskId = parsed.taskId;
    } else {
      // "If a name is not specified then the system will generate a random unique task id."
      taskId = generateTaskId();
    }
    const http = readHttpRequest(t.httpRequest);
    const now = clock.now();
    // "If schedule_time is not set or is in the past then Cloud Tasks will set it to the current time."
    let scheduleTime = now;
    if (t.scheduleTime) {
      const requested = fromTimestamp(t.scheduleTime);
      if (requested - now > MAX_SCHEDULE_AHEAD_MS) {
        throw invalidArgument(
          `The task's schedule_time ${new Date(requested).toISOString()} is more than 30 days after the current time ${new Date(now).toISOString()}`,
        );
      }
      scheduleTime = Math.max(now, requested);
    }
    let dispatchDeadlineMs = DEFAULT_DEADLINE_MS;
    if (t.dispatchDeadline) {
      dispatchDeadlineMs = Math.floor(fromDuration(t.dispatchDeadline));
      if (dispatchDeadlineMs < MIN_DEADLINE_MS || dispatchDeadlineMs > MAX_DEADLINE_MS) {
        throw invalidArgument('dispatch_deadline for HTTP tasks must be between 15 seconds and 30 minutes');
      }
    }
    const record: TaskRecord = {
      name: `${parent.name}/tasks/${taskId}`,
      queue: queue.name,
      queueId: queue.queueId,
      taskId,
      http,
      scheduleTime,
      createTime: now,
      dispatchDeadlineMs,
      dispatchCount: 0,
      responseCount: 0,
      executionCount: 0,
      dispatching: false,
      version: 0,
      seq: store.nextSeq(),
    };
    store.insertTask(record, now);
    // The answer describes the task as created, before any dispatch starts.
    const response = taskToProto(record, viewOf(req.responseView));
    dispatcher.enqueue(record);
    return response;
  };

  const getTask = (req: { name?: string; responseView?: string }) => {
    const { name } = parseTaskName(req.name ?? '');
    return taskToProto(store.getTask(name), viewOf(req.responseView));
  };

  const deleteTask = (req: { name?: string }) => {
    const { name } = parseTaskName(req.name ?? '');
    // "A task cannot be deleted if it has executed successfully or permanently
    // failed" (DeleteTask docs): those are gone from the store, hence NOT_FOUND.
    store.finish(store.getTask(name), 'deleted', clock.now());
    return {};
  };

  const listTasks = (req: {
    parent?: string;
    responseView?: string;
    pageSize?: number;
    pageToken?: string;
  }) => {
    const parent = parseQueueName(req.parent ?? '');
    store.getQueue(parent.name);
    const view = viewOf(req.responseView);
    const tasks = store.tasks(parent.name).sort((a, b) => (a.name < b.name ? -1 : 1));
    const { page, nextPageToken } = paginate(
      tasks,
      (t) => t.name,
      pageSizeOf(req.pageSize, MAX_TASK_PAGE),
      req.pageToken,
    );
    return { tasks: page.map((t) => taskToProto(t, view)), nextPageToken };
  };

  const getQueue = (req: { name?: string }) =>
    queueToProto(store.getQueue(parseQueueName(req.name ?? '').name));

  const listQueues = (req: { parent?: string; filter?: string; pageSize?: number; pageToken?: string }) => {
    const { projectId, location } = parseLocationName(req.parent ?? '');
    if (req.filter) {
      throw new RpcError(status.UNIMPLEMENTED, 'ListQueues filter is not supported by the local emulator');
    }
    const prefix = `projects/${projectId}/locations/${location}/queues/`;
    const queues = store.queues().filter((q) => q.name.startsWith(prefix));
    const { page, nextPageToken } = paginate(
      queues,
      (q) => q.name,
      pageSizeOf(req.pageSize, MAX_QUEUE_PAGE),
      req.pageToken,
    );
    return { queues: page.map(queueToProto), nextPageToken };
  };

  const createQueue = (req: { parent?: string; queue?: QueueIn }) => {
    const { projectId, location } = parseLocationName(req.parent ?? '');
    const q = req.queue;
    if (!q?.name) throw invalidArgument('queue.name is required');
    const parsed = parseQueueName(q.name);
    if (parsed.projectId !== projectId || parsed.location !== location) {
      throw invalidArgument(`Queue ${q.name} is not in ${req.parent}`);
    }
    const r = q.retryConfig ?? {};
    const l = q.rateLimits ?? {};
    const config: QueueConfig = {
      name: q.name,
      retryConfig: {
        maxAttempts: r.maxAttempts,
        minBackoff: seconds(r.minBackoff),
        maxBackoff: seconds(r.maxBackoff),
        maxDoublings: r.maxDoublings,
        maxRetryDuration: seconds(r.maxRetryDuration),
      },
      rateLimits: {
        maxDispatchesPerSecond: l.maxDispatchesPerSecond,
        maxConcurrentDispatches: l.maxConcurrentDispatches,
      },
    };
    const resolved = resolveQueue(config, projectId, location);
    store.addQueue(resolved);
    return queueToProto(resolved);
  };

  return {
    CreateTask: unary(createTask),
    GetTask: unary(getTask),
    DeleteTask: unary(deleteTask),
    ListTasks: unary(listTasks),
    GetQueue: unary(getQueue),
    ListQueues: unary(listQueues),
    CreateQueue: unary(createQueue),
    UpdateQueue: unimplemented('UpdateQueue'),
    DeleteQueue: unimplemented('DeleteQueue'),
    PurgeQueue: unimplemented('PurgeQueue'),
    PauseQueue: unimplemented('PauseQueue'),
    ResumeQueue: unimplemented('ResumeQueue'),
    GetIamPolicy: unimplemented('GetIamPolicy'),
    SetIamPolicy: unimplemented('SetIamPolicy'),
    TestIamPermissions: unimplemented('TestIamPermissions'),
    RunTask: unimplemented('RunTask'),
  };
}

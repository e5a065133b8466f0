import { readFileSync } from 'node:fs';
import { loadPackageDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import type { ResolvedQueue } from './queue-config.ts';
import type { AttemptInfo, TaskRecord } from './store.ts';

/*
 * The wire contract is the one @google-cloud/tasks itself ships (build/protos/protos.json),
 * so the emulator serves exactly what the real client speaks.
 */

export interface Timestamp {
  seconds?: number | string;
  nanos?: number;
}
export interface Duration {
  seconds?: number | string;
  nanos?: number;
}

let cached: ServiceDefinition | undefined;

/** google.cloud.tasks.v2.CloudTasks, decoded with camelCase fields, string enums and `oneofs`. */
export function cloudTasksService(): ServiceDefinition {
  if (cached) return cached;
  const protosUrl = new URL('../../protos/protos.json', import.meta.resolve('@google-cloud/tasks'));
  const json = JSON.parse(readFileSync(protosUrl, 'utf8'));
  const definition = fromJSON(json, {
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  // biome-ignore lint/suspicious/noExplicitAny: grpc's loaded package is untyped by nature.
  const pkg = loadPackageDefinition(definition) as any;
  cached = pkg.google.cloud.tasks.v2.CloudTasks.service as ServiceDefinition;
  return cached;
}

/** ms (possibly fractional) -> Timestamp, to the microsecond, the precision the API keeps. */
export function toTimestamp(ms: number): { seconds: number; nanos: number } {
  const us = Math.round(ms * 1000);
  const seconds = Math.floor(us / 1_000_000);
  return { seconds, nanos: (us - seconds * 1_000_000) * 1000 };
}

export function fromTimestamp(t: Timestamp): number {
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1000) / 1000;
}

export function toDuration(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}

export function fromDuration(d: Duration): number {
  return Number(d.seconds ?? 0) * 1000 + (d.nanos ?? 0) / 1_000_000;
}

export type View = 'BASIC' | 'FULL';

/** Task.View: "Unspecified. Defaults to BASIC"; BASIC omits the body. */
export function viewOf(requested: string | undefined): View {
  return requested === 'FULL' ? 'FULL' : 'BASIC';
}

function attemptToProto(a: AttemptInfo) {
  return {
    scheduleTime: toTimestamp(a.scheduleTime),
    dispatchTime: toTimestamp(a.dispatchTime),
    ...(a.responseTime === undefined ? {} : { responseTime: toTimestamp(a.responseTime) }),
    ...(a.responseStatus === undefined ? {} : { responseStatus: a.responseStatus }),
  };
}

export function taskToProto(task: TaskRecord, view: View) {
  const { http } = task;
  return {
    name: task.name,
    httpRequest: {
      url: http.url,
      httpMethod: http.httpMethod,
      headers: http.headers,
      ...(view === 'FULL' && http.body.length > 0 ? { body: http.body } : {}),
      ...(http.oidcToken ? { oidcToken: http.oidcToken } : {}),
      ...(http.oauthToken ? { oauthToken: http.oauthToken } : {}),
    },
    scheduleTime: toTimestamp(task.scheduleTime),
    // "create_time will be truncated to the nearest second."
    createTime: toTimestamp(Math.floor(task.createTime / 1000) * 1000),
    dispatchDeadline: toDuration(task.dispatchDeadlineMs),
    dispatchCount: task.dispatchCount,
    responseCount: task.responseCount,
    // "first_attempt: Only dispatch_time will be set."
    ...(task.firstAttempt
      ? { firstAttempt: { dispatchTime: toTimestamp(task.firstAttempt.dispatchTime) } }
      : {}),
    ...(task.lastAttempt ? { lastAttempt: attemptToProto(task.lastAttempt) } : {}),
    view,
  };
}

export function queueToProto(queue: ResolvedQueue) {
  return {
    name: queue.name,
    rateLimits: queue.rate,
    retryConfig: {
      maxAttempts: queue.retry.maxAttempts,
      maxRetryDuration: toDuration(queue.retry.maxRetryDurationMs),
      minBackoff: toDuration(queue.retry.minBackoffMs),
      maxBackoff: toDuration(queue.retry.maxBackoffMs),
      maxDoublings: queue.retry.maxDoublings,
    },
    state: 'RUNNING',
  };
}

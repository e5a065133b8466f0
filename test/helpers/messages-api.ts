import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { expect } from 'vitest';
import { taskId } from '../../shared/tasks/names.ts';
import type { StackHarness } from './stack.ts';

/*
 * Request builders and probes for the `messages` API tests
 * (test/integration/messages/): raw HTTP calls that keep status, headers and
 * body whatever the content type, and checks of what a request left behind in
 * Firestore, the RBM sandbox's ground truth and the Cloud Tasks emulator.
 */

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON answer, read loosely by tests.
export type Json = any;

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The raw body. */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: Json;
}

/** Any method and path on the functions server (the path starts with `/messages...`). */
export async function call(
  h: StackHarness,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<ApiAnswer> {
  const response = await fetch(`${h.stack.functions.url}${path}`, {
    method,
    headers: { 'content-type': contentType },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** POST /messages:batch, then waits until the stack is quiet. */
export async function postBatch(h: StackHarness, messages: unknown[]): Promise<ApiAnswer> {
  const answer = await call(h, 'POST', '/messages:batch', { messages });
  await h.stack.settle();
  return answer;
}

/** POST /messages/{id}/revoke, then waits until the stack is quiet. */
export async function revokeNow(h: StackHarness, messageId: string): Promise<ApiAnswer> {
  const answer = await call(h, 'POST', `/messages/${encodeURIComponent(messageId)}/revoke`);
  await h.stack.settle();
  return answer;
}

/** Distinct E.164 numbers: `+1 415 55X NNNN`, one block per test file so files never share a number. */
export function phoneNumbers(block: number) {
  let next = 0;
  return () => `+141555${block}${String(next++).padStart(4, '0')}`;
}

/** A text message request with every optional part given; `extra` overrides (undefined removes). */
export function messageRequest(phoneNumber: string, extra: Record<string, unknown> = {}) {
  const request: Record<string, unknown> = {
    messageId: randomUUID(),
    phoneNumber,
    content: { contentMessage: { text: 'Your code is 482913' } },
    revokeAfter: '10m',
    policy: 'otp',
    sms: { text: 'SMS code 482913' },
    labels: { kind: 'otp', campaign: 'login' },
    ...extra,
  };
  for (const [key, value] of Object.entries(request)) if (value === undefined) delete request[key];
  return request as Record<string, unknown> & { messageId: string; phoneNumber: string };
}

/** A phone that stays offline for a day: a message to it stays queued, so its revoke task stays pending. */
export const offlineForADay = { rcs: true, offline: [{ forMs: 24 * 3_600_000 }] };

/** The revoke-queue tasks of one message (deadline task, re-arms, manual, confirm). */
export function revokeTasksOf(h: StackHarness, messageId: string) {
  const prefix = taskId(messageId, 'revoke').split('-')[0]!;
  return h.stack.tasks.tasks('rbm-revoke').filter((t) => t.taskId.startsWith(prefix));
}

/** Every pending task of one message, both queues. */
export function tasksOf(h: StackHarness, messageId: string) {
  const prefix = taskId(messageId, 'revoke').split('-')[0]!;
  return h.stack.tasks.tasks().filter((t) => t.taskId.startsWith(prefix));
}

/** The full name the product must give a message's deadline task: derived from the id, nothing random. */
export function deadlineTaskName(h: StackHarness, messageId: string, sequence = 0) {
  return `${h.stack.tasks.queuePath('rbm-revoke')}/tasks/${taskId(messageId, 'revoke', sequence)}`;
}

/** The stored message document as Firestore holds it (undefined when absent). */
export async function storedDoc(h: StackHarness, messageId: string) {
  const snapshot = await h.stack.db.collection('messages').doc(messageId).get();
  return snapshot.exists ? snapshot.data() : undefined;
}

/**
 * A refused request left nothing anywhere: no message document, no timeline,
 * nothing sent to the platform for the id or the number, no task.
 */
export async function expectNothingWritten(
  h: StackHarness,
  messageId: string | undefined,
  phoneNumber: string,
  tasksBefore: number,
) {
  if (messageId !== undefined) {
    expect(await storedDoc(h, messageId), 'no message document').toBeUndefined();
    const timeline = await h.stack.db.collection('messages').doc(messageId).collection('events').get();
    expect(timeline.size, 'no timeline entry').toBe(0);
    expect(h.stack.rbm.truth.message(messageId), 'nothing sent to the platform').toBeUndefined();
  }
  expect(h.stack.rbm.truth.messagesTo(phoneNumber), 'nothing sent to the number').toEqual([]);
  expect(h.stack.tasks.tasks().length, 'no task created').toBe(tasksBefore);
}

/** Timeline entries' times (`at` for the system's steps, `receivedAt` for platform events), in ms. */
export function timelineTimes(timeline: Array<Record<string, unknown>>): number[] {
  return timeline.map((e) => Date.parse(String(e.at ?? e.receivedAt)));
}

export interface FirestoreCall {
  method: string;
  /** Documents named by a BatchGetDocuments call. */
  documents: number;
  /** A read inside a transaction (or starting one). */
  transactional: boolean;
}

type RequestFn = (
  this: Firestore,
  method: string,
  request: Record<string, unknown>,
  ...rest: unknown[]
) => unknown;
type StreamFn = (
  this: Firestore,
  method: string,
  bidirectional: boolean,
  request: Record<string, unknown>,
  ...rest: unknown[]
) => unknown;

/**
 * Records every Firestore RPC the product's clients make (the functions run
 * in this process and share the client library), leaving out the test's own
 * client `exclude`. Reads are BatchGetDocuments: `getAll` and `doc.get()`
 * outside a transaction are non-transactional; `tx.get()` is transactional.
 */
export function recordFirestoreCalls(exclude: Firestore) {
  const proto = Firestore.prototype as unknown as { request: RequestFn; requestStream: StreamFn };
  const originalRequest = proto.request;
  const originalStream = proto.requestStream;
  const calls: FirestoreCall[] = [];
  const record = (method: string, request: Record<string, unknown> | undefined) => {
    calls.push({
      method,
      documents: Array.isArray(request?.documents) ? request.documents.length : 0,
      transactional: request?.transaction !== undefined || request?.newTransaction !== undefined,
    });
  };
  proto.request = function (this: Firestore, method, request, ...rest) {
    if (this !== exclude) record(method, request);
    return originalRequest.call(this, method, request, ...rest);
  };
  proto.requestStream = function (this: Firestore, method, bidirectional, request, ...rest) {
    if (this !== exclude) record(method, request);
    return originalStream.call(this, method, bidirectional, request, ...rest);
  };
  return {
    calls,
    /** BatchGetDocuments calls made outside transactions. */
    plainReads: () => calls.filter((c) => c.method === 'batchGetDocuments' && !c.transactional),
    transactionalReads: () => calls.filter((c) => c.method === 'batchGetDocuments' && c.transactional),
    count: (method: string) => calls.filter((c) => c.method === method).length,
    restore() {
      proto.request = originalRequest;
      proto.requestStream = originalStream;
    },
  };
}

import type { Firestore } from '@google-cloud/firestore';
import { type RegistrationOutcome, registerMessage } from '../lifecycle/registration.ts';
import type { Message, Send } from '../lifecycle/types.ts';
import type { Logger } from '../log/index.ts';
import type { RbmClient } from '../rbm/client.ts';
import { collections } from '../store/documents.ts';
import { messageFromDoc } from '../store/message-doc.ts';
import { type Decision, updateMessage } from '../store/message-store.ts';
import { runEffects } from '../tasks/run-effects.ts';
import type { TaskScheduler } from '../tasks/scheduler.ts';
import { mapLimit } from './map-limit.ts';
import type { FieldError, PreparedMessage } from './request.ts';

export interface CreateDeps {
  db(): Firestore;
  rbm(): RbmClient;
  scheduler(): TaskScheduler;
  log: Logger;
  now(): Date;
  retentionMs: number;
}

/** What happened to one message of a request, as the API answers it. */
export type CreateResult =
  | { status: 201 | 200; messageId: string; message: Message }
  | { status: 409; messageId: string; error: string }
  | { status: 422; messageId: string; error: string }
  | { status: 400; messageId: string; errors: FieldError[] }
  | { status: 503; messageId: string; error: string; retryAfterMs?: number };

/** Outbound calls in flight at once for a batch: enough to hide latency, few enough to respect quotas. */
const concurrency = 16;

/**
 * Sends (or registers) messages and schedules their revocation. A batch costs
 * one read round trip for all the ids and opt-outs, then parallel sends and
 * parallel per-message transactions, never one sequential round trip per message.
 * Order matters: send first, then record. A crash in between leaves a sent
 * message unrecorded; the caller's retry re-sends with the same id, which the
 * platform ignores, and then records it.
 */
export async function createMessages(items: PreparedMessage[], deps: CreateDeps): Promise<CreateResult[]> {
  const db = deps.db();
  const messageRefs = items.map((m) => db.collection(collections.messages).doc(m.messageId));
  const optOutRefs = items.map((m) => db.collection(collections.optOuts).doc(m.phoneNumber));
  const snapshots = await db.getAll(...messageRefs, ...optOutRefs);

  return mapLimit(items, concurrency, async (item, i) => {
    const existingData = snapshots[i]!.data();
    const existing = existingData ? messageFromDoc(existingData) : undefined;
    if (existing?.tracked) return answerExisting(existing, item);
    if (snapshots[items.length + i]!.get('optedOut') === true) {
      return {
        status: 422,
        messageId: item.messageId,
        error: 'the number has opted out (UNSUBSCRIBE); send refused',
      };
    }
    const send = await sendOrRegister(item, deps);
    if ('status' in send) return send;
    return record(item, send, deps);
  });
}

function answerExisting(existing: Message, item: PreparedMessage): CreateResult {
  return existing.requestHash === item.requestHash
    ? { status: 200, messageId: item.messageId, message: existing }
    : { status: 409, messageId: item.messageId, error: 'messageId already used by a different request' };
}

async function sendOrRegister(item: PreparedMessage, deps: CreateDeps): Promise<Send | CreateResult> {
  if (!item.sendBody) return { state: 'external', at: deps.now() };
  const result = await deps.rbm().sendMessage(item.phoneNumber, item.messageId, item.sendBody, item.agentId);
  const at = deps.now();
  if (result.ok) return { state: 'sent', at, httpStatus: result.status, latencyMs: result.latencyMs };
  if (result.status === 404) return { state: 'not_rcs', at, httpStatus: 404, latencyMs: result.latencyMs };
  if (result.status === 400) {
    return {
      status: 400,
      messageId: item.messageId,
      errors: [{ field: 'content', reason: `RBM refused it: ${result.error}` }],
    };
  }
  return {
    status: 503,
    messageId: item.messageId,
    error: `RBM send failed (${result.status || 'no answer'}): ${result.error}`,
    ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
  };
}

async function record(item: PreparedMessage, send: Send, deps: CreateDeps): Promise<CreateResult> {
  const now = deps.now();
  const outcome = await updateMessage(
    deps.db(),
    item.messageId,
    deps.retentionMs,
    (existing): Decision<RegistrationOutcome> => {
      const outcome = registerMessage(existing, item, send, now);
      if (outcome.kind !== 'created') return { result: outcome };
      const registered = {
        id: 'registered',
        type: 'REGISTERED',
        at: now,
        send: send.state,
        ...(send.httpStatus ? { httpStatus: send.httpStatus } : {}),
        ...(send.latencyMs !== undefined ? { latencyMs: send.latencyMs } : {}),
        deadline: item.deadline,
        policy: item.policy.name,
      };
      return { message: outcome.message, timeline: [registered], result: outcome };
    },
  );
  if (outcome.kind === 'exists') return { status: 200, messageId: item.messageId, message: outcome.message };
  if (outcome.kind === 'conflict') return answerExisting(outcome.message, item);
  for (const failure of await runEffects(item.messageId, outcome.effects, deps.scheduler(), now)) {
    // The message is stored with its dueAt: the sweep schedules what failed here.
    deps.log.error(
      {
        event: 'messages.effect_failed',
        messageId: item.messageId,
        effect: failure.effect,
        error: failure.error,
      },
      `could not ${failure.effect} for message ${item.messageId}; the sweep will re-drive it`,
    );
  }
  return { status: 201, messageId: item.messageId, message: outcome.message };
}

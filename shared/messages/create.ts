import type { Firestore } from '@google-cloud/firestore';
import { mapLimit } from '../concurrency/map-limit.ts';
import {
  capabilityRecord,
  claimExpired,
  type RegistrationOutcome,
  registerMessage,
  wantsCapabilityCheck,
} from '../lifecycle/registration.ts';
import type { CapabilityCheck, Effect, Message, Send } from '../lifecycle/types.ts';
import type { Logger } from '../log/index.ts';
import type { RbmClient } from '../rbm/client.ts';
import type { CapabilityChecker } from '../rbm/lazy-client.ts';
import { claimMessageId, readMessagesAndOptOuts } from '../store/message-queries.ts';
import { type Decision, readMessage, type TimelineEntry, updateMessage } from '../store/message-store.ts';
import { runEffects } from '../tasks/run-effects.ts';
import type { TaskScheduler } from '../tasks/scheduler.ts';
import type { FieldError, PreparedMessage } from './request.ts';

export interface CreateDeps {
  db(): Firestore;
  rbm(): RbmClient;
  /** The capability check before a send, on the number's regional host. */
  capabilities(): CapabilityChecker;
  /** CAPABILITY_CHECK: whether a message that does not say checks first. */
  capabilityDefault: 'on' | 'off';
  scheduler(): TaskScheduler;
  log: Logger;
  now(): Date;
  retentionMs: number;
  /** Retention and OUTCOME_PUSH for the step's transaction (shared/store/outbox.ts). */
  storeConfig: { retentionMs: number; outcomePush?: boolean };
}

/** What happened to one message of a request, as the API answers it. */
export type CreateResult =
  | { status: 201 | 200; messageId: string; message: Message }
  | { status: 409; messageId: string; error: string }
  | { status: 422; messageId: string; error: string }
  | { status: 400; messageId: string; errors: FieldError[] }
  | { status: 502 | 503; messageId: string; error: string; retryAfterMs?: number };

/** Outbound calls in flight at once for a batch: enough to hide latency, few enough to respect quotas. */
const concurrency = 16;

/**
 * Sends (or registers) messages and schedules their revocation. Per message:
 * claim the id (a create-if-absent, so a different request for the same id
 * is refused before anything is sent), send, then record the outcome and
 * schedule the revoke. A batch costs one read round trip for every id and
 * opt-out, then runs the messages in parallel, never one sequential round
 * trip per message. A crash after the claim leaves it in `send.state`
 * 'sending': the caller's retry (same request) completes it before the
 * deadline (the platform ignores a second send of the same id); after the
 * deadline nothing is sent and the revoke decides (claimExpired).
 */
export async function createMessages(items: PreparedMessage[], deps: CreateDeps): Promise<CreateResult[]> {
  if (items.length === 0) return [];
  const lookup = await readMessagesAndOptOuts(deps.db(), items);

  return mapLimit(items, concurrency, async (item, i) => {
    const existing = lookup.existing[i];
    if (existing?.tracked && existing.send?.state !== 'sending') return answerExisting(existing, item);
    if (existing?.tracked && claimExpired(existing, deps.now())) return lateRetry(existing, item, deps);
    if (lookup.optedOut[i]) {
      return {
        status: 422,
        messageId: item.messageId,
        error: 'the number has opted out (UNSUBSCRIBE); send refused',
      };
    }
    // Registering a message sent elsewhere sends nothing: its transaction alone settles a race.
    const claim = item.sendBody ? await claimId(existing, item, deps) : noClaim;
    if ('status' in claim) return claim;
    const outcome = await sendOrRegister(item, deps);
    if ('status' in outcome) {
      await claim.release();
      return outcome;
    }
    return record(item, outcome.send, deps, outcome.capabilityCheck);
  });
}

interface Claim {
  /** Undoes the claim when the send failed, so nothing is left behind for a refused request. */
  release(): Promise<void>;
}

const noClaim: Claim = { release: async () => {} };

async function claimId(
  existing: Message | undefined,
  item: PreparedMessage,
  deps: CreateDeps,
): Promise<Claim | CreateResult> {
  if (existing) {
    // The webhook heard of it first (untracked), or an earlier try of this request crashed mid-send.
    if (existing.tracked && existing.requestHash !== item.requestHash) return conflict(item);
    return noClaim;
  }
  const now = deps.now();
  const claimed = registerMessage(undefined, item, { state: 'sending', at: now }, now);
  // Its release removes only our own untouched claim: a DELIVERED recorded meanwhile keeps the document.
  const claim = await claimMessageId(deps.db(), claimed.message, deps.retentionMs);
  if (claim) return claim;
  const raced = await readMessage(deps.db(), item.messageId);
  if (!raced?.tracked) return noClaim;
  if (raced.requestHash !== item.requestHash) return conflict(item);
  // The same request, racing itself: the platform ignores the second send of the id.
  return raced.send?.state === 'sending'
    ? noClaim
    : { status: 200, messageId: item.messageId, message: raced };
}

/**
 * The same request again, for a claim whose first try died mid-send and whose
 * deadline has passed (or whose lifecycle began): nothing is sent; unless the
 * sweep got to it first, its revoke runs now, so what the first try may have
 * put on the platform is revoked without waiting for the sweep.
 */
async function lateRetry(existing: Message, item: PreparedMessage, deps: CreateDeps): Promise<CreateResult> {
  if (existing.requestHash !== item.requestHash) return conflict(item);
  if (existing.revocation.state === 'none' && (existing.redrives ?? 0) === 0) {
    const now = deps.now();
    await runEffectsOrLeaveToSweep(
      item.messageId,
      [{ kind: 'schedule', step: 'revoke', sequence: 0, at: now }],
      deps,
      now,
    );
  }
  return { status: 200, messageId: item.messageId, message: existing };
}

function answerExisting(existing: Message, item: PreparedMessage): CreateResult {
  return existing.requestHash === item.requestHash
    ? { status: 200, messageId: item.messageId, message: existing }
    : conflict(item);
}

function conflict(item: PreparedMessage): CreateResult {
  return { status: 409, messageId: item.messageId, error: 'messageId already used by a different request' };
}

interface Sent {
  send: Send;
  capabilityCheck?: CapabilityCheck;
}

async function sendOrRegister(item: PreparedMessage, deps: CreateDeps): Promise<Sent | CreateResult> {
  if (!item.sendBody) return { send: { state: 'external', at: deps.now() } };
  const capabilityCheck = wantsCapabilityCheck(item, deps.capabilityDefault)
    ? await checkFirst(item, deps)
    : undefined;
  // Not reachable over RBM: straight to the SMS, as a 404 on send, and nothing is sent.
  if (capabilityCheck?.outcome === 'unreachable') {
    const send: Send = {
      state: 'not_rcs',
      from: 'capability_check',
      at: capabilityCheck.at,
      httpStatus: 404,
      latencyMs: capabilityCheck.latencyMs,
    };
    return { send, capabilityCheck };
  }
  const withCheck = capabilityCheck ? { capabilityCheck } : {};
  // The send's time is when it was handed to the platform: time-to-deliver counts from there.
  const at = deps.now();
  const result = await deps.rbm().sendMessage(item.phoneNumber, item.messageId, item.sendBody, item.agentId);
  if (result.ok) {
    return {
      send: { state: 'sent', at, httpStatus: result.status, latencyMs: result.latencyMs },
      ...withCheck,
    };
  }
  if (result.status === 404) {
    return { send: { state: 'not_rcs', at, httpStatus: 404, latencyMs: result.latencyMs }, ...withCheck };
  }
  if (result.status === 400) {
    return {
      status: 400,
      messageId: item.messageId,
      errors: [{ field: 'content', reason: `RBM refused it: ${result.error}` }],
    };
  }
  if (result.status === 401 || result.status === 403) {
    // A configuration fault: retrying will not help until the credentials are fixed.
    return {
      status: 502,
      messageId: item.messageId,
      error: `RBM refused our credentials (${result.status}): check RBM_SERVICE_ACCOUNT_KEY and agent ${item.agentId}`,
    };
  }
  return {
    status: 503,
    messageId: item.messageId,
    error: `RBM send failed (${result.status || 'no answer'}): ${result.error}`,
    ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
  };
}

/**
 * The capability check before a send. A check that fails (5xx, 429, timeout, anything but
 * 200 or 404) must not lose the message: it is logged and the send goes ahead as without
 * one, where the send's own 404 still catches a number without RCS.
 */
async function checkFirst(item: PreparedMessage, deps: CreateDeps): Promise<CapabilityCheck> {
  const at = deps.now();
  const answer = await deps.capabilities()(item.phoneNumber, item.agentId);
  const check = capabilityRecord(answer, at);
  const fields = {
    messageId: item.messageId,
    phoneNumber: item.phoneNumber,
    region: answer.region,
    httpStatus: answer.httpStatus,
    latencyMs: answer.latencyMs,
  };
  if (answer.outcome === 'failed') {
    deps.log.warn(
      { event: 'messages.capability_check_failed', ...fields, error: answer.error },
      `capability check for message ${item.messageId} failed (${answer.httpStatus || 'no answer'}); sending without it`,
    );
  } else {
    deps.log.info(
      { event: 'messages.capability_checked', ...fields, reachable: check.reachable },
      `capability check for message ${item.messageId}: ${answer.outcome}`,
    );
  }
  return check;
}

async function record(
  item: PreparedMessage,
  send: Send,
  deps: CreateDeps,
  capabilityCheck?: CapabilityCheck,
): Promise<CreateResult> {
  const now = deps.now();
  const outcome = await updateMessage(
    deps.db(),
    item.messageId,
    deps.storeConfig,
    (existing): Decision<RegistrationOutcome> => {
      const outcome = registerMessage(existing, item, send, now, capabilityCheck);
      if (outcome.kind !== 'created') return { result: outcome };
      const checked = capabilityCheck
        ? [
            {
              id: 'capability-checked',
              type: 'CAPABILITY_CHECKED',
              at: capabilityCheck.at,
              outcome: capabilityCheck.outcome,
              reachable: capabilityCheck.reachable,
              region: capabilityCheck.region,
              httpStatus: capabilityCheck.httpStatus,
              latencyMs: capabilityCheck.latencyMs,
            },
          ]
        : [];
      const registered = {
        id: 'registered',
        type: 'REGISTERED',
        at: now,
        send: send.state,
        ...(send.httpStatus ? { httpStatus: send.httpStatus } : {}),
        ...(send.latencyMs !== undefined ? { latencyMs: send.latencyMs } : {}),
        deadline: item.deadline,
        policy: item.policy.name,
        messageTrafficType: item.trafficType,
      };
      const timeline: TimelineEntry[] = [...checked, registered];
      const escalation = outcome.message.escalation;
      if (escalation?.state === 'pending') {
        // The webhook heard of the DELIVERED first: the nudge counts from it.
        timeline.push({
          id: 'escalation-scheduled',
          type: 'ESCALATION_SCHEDULED',
          at: now,
          nudgeAt: escalation.at,
          unreadAfterMs: escalation.unreadAfterMs,
        });
      }
      return { message: outcome.message, timeline, result: outcome };
    },
  );
  if (outcome.kind === 'exists') return { status: 200, messageId: item.messageId, message: outcome.message };
  if (outcome.kind === 'conflict') return answerExisting(outcome.message, item);
  await runEffectsOrLeaveToSweep(item.messageId, outcome.effects, deps, now);
  return { status: 201, messageId: item.messageId, message: outcome.message };
}

/** Schedules a message's tasks; one that fails is logged and left to the sweep (the message holds its dueAt). */
async function runEffectsOrLeaveToSweep(
  messageId: string,
  effects: Effect[],
  deps: CreateDeps,
  now: Date,
): Promise<void> {
  for (const failure of await runEffects(messageId, effects, deps.scheduler(), now)) {
    deps.log.error(
      { event: 'messages.effect_failed', messageId, effect: failure.effect, error: failure.error },
      `could not ${failure.effect} for message ${messageId}; the sweep will re-drive it`,
    );
  }
}

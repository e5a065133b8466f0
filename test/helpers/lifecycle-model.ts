import { applyDeliveryEvents } from '../../shared/lifecycle/delivery-batch.ts';
import { applyEscalationResult, planEscalation } from '../../shared/lifecycle/escalation.ts';
import { applySendResult, fallbackLeaseMs, planFallback } from '../../shared/lifecycle/fallback.ts';
import type { DeliveryFact } from '../../shared/lifecycle/receipts.ts';
import { registerMessage } from '../../shared/lifecycle/registration.ts';
import { applyRevokeResult, confirmRevocation, planRevoke } from '../../shared/lifecycle/revocation.ts';
import { isSettled } from '../../shared/lifecycle/status.ts';
import { redrive } from '../../shared/lifecycle/sweep.ts';
import { defaultTrafficType } from '../../shared/lifecycle/traffic-type.ts';
import type { Effect, Message, Policy, RevokeStep, Step } from '../../shared/lifecycle/types.ts';
import type { SmsProviderName, SmsResult } from '../../shared/sms/types.ts';
import { taskId } from '../../shared/tasks/names.ts';

/*
 * A model of one message's life around the product's pure lifecycle rules:
 * the platform (a phone that receives the message at some time, the revoke
 * race, the platform's own expiry), the webhook (events delayed, reordered,
 * repeated), Cloud Tasks (named tasks with tombstones, retries with backoff
 * and a retry budget, duplicate and lost deliveries), function processes that
 * die between a call and storing its answer, the RBM and SMS providers'
 * answers, and the sweep. The handlers are the same two-transaction shapes
 * as shared/revoke/handle-task.ts and shared/fallback/run.ts. With `escalateAfterMs`, the
 * message also has the SMS nudge for a delivered message not READ in time (docs/escalation.md),
 * through the same SMS provider as the fallback, under its own idempotency key.
 *
 * `choices` (drawn by fast-check) decide every interleaving and fault; once
 * they run out, everything proceeds without faults, so a run always ends.
 * The result holds the ground truth to check the lifecycle laws against.
 */

export interface Scenario {
  policy: Policy;
  smsEnabled: boolean;
  provider: SmsProviderName;
  /** Deadline after registration, ms. */
  deadlineMs: number;
  /** When the phone would receive the message, ms after registration; null: never (offline). */
  deliverAfterMs: number | null;
  /** A revoke this close before delivery is answered 200 and loses the race. */
  raceMs: number;
  /** Whether the user reads it, ms after delivery. */
  readAfterMs: number | null;
  /** The platform's own expiry at the deadline (the API's platformExpiry). */
  platformExpiry: boolean;
  /** The escalation's delay after DELIVERED, ms; null or absent: no escalation. */
  escalateAfterMs?: number | null;
  /** The decisions, consumed one per step. */
  choices: number[];
}

export const maxAttempts = 5;
export const sweepEveryMs = 60_000;
export const sweepBoundMs = 300_000;
const smsTimeoutMs = 10_000;

interface Task {
  name: string;
  step: Step;
  sequence: number;
  at: number;
  retryCount: number;
}

type Call = (
  | { kind: 'revoke'; task: Task; attempt: number; status: number }
  | { kind: 'sms'; task: Task; attempt: number; result: SmsResult; nudge: boolean }
) & {
  /** When its answer is back: a slow call lets webhook events and other tasks in between. */
  readyAt: number;
};

export interface Violation {
  law: string;
  detail: string;
}

export interface RunResult {
  message: Message;
  /** Ground truth. */
  phoneGotRcs: boolean;
  smsReceived: number;
  /** Escalation nudges that reached the phone. */
  nudgesReceived: number;
  /** When the nudge was due (deliveredAt + delay), if it was scheduled. */
  escalationDueAt: number | undefined;
  settledAt: number | undefined;
  deadline: number;
  faults: number;
  steps: number;
  violations: Violation[];
  trace: string[];
  /** How often each hard interleaving happened, so a test can show they are reached. */
  seen: Record<Interleaving, number>;
}

export type Interleaving =
  | 'sms answered after DELIVERED'
  | 'revoke answered after DELIVERED'
  | 'process died mid-call'
  | 'task lost'
  | 'task delivered twice'
  | 'webhook repeated'
  | 'sweep re-drove'
  | 'revoke lost the race'
  | 'nudge answered after READ';

const start = Date.UTC(2026, 11, 2, 9, 0, 0);
const messageId = '0f8c2e9a-1111-4c4c-9d9d-000000000001';
const phone = '+14155550123';

/** `observe` sees the stored message after registration and after every step (rules copy, never mutate). */
export function runScenario(scenario: Scenario, observe?: (message: Message) => void): RunResult {
  let now = start;
  let choiceIndex = 0;
  const choose = (count: number): number => {
    if (count <= 1) return 0;
    const next = scenario.choices[choiceIndex];
    choiceIndex += 1;
    return next === undefined ? 0 : next % count;
  };
  /** A fault happens only while choices last, so every run ends fault-free. */
  const fault = (weightOutOf10: number): boolean =>
    choiceIndex < scenario.choices.length && choose(10) < weightOutOf10;
  let faults = 0;

  const violations: Violation[] = [];
  const seen: Record<Interleaving, number> = {
    'sms answered after DELIVERED': 0,
    'revoke answered after DELIVERED': 0,
    'process died mid-call': 0,
    'task lost': 0,
    'task delivered twice': 0,
    'webhook repeated': 0,
    'sweep re-drove': 0,
    'revoke lost the race': 0,
    'nudge answered after READ': 0,
  };
  const trace: string[] = [];
  const violate = (law: string, detail: string) =>
    violations.push({ law, detail: `${detail} @${now - start}ms` });

  const deadline = start + scenario.deadlineMs;
  const registered = registerMessage(
    undefined,
    {
      messageId,
      agentId: 'agent',
      phoneNumber: phone,
      policy: scenario.policy,
      trafficType: defaultTrafficType(scenario.policy),
      labels: {},
      deadline: new Date(deadline),
      ...(scenario.smsEnabled ? { smsText: 'code 123' } : {}),
      ...(scenario.escalateAfterMs != null
        ? { escalation: { unreadAfterMs: scenario.escalateAfterMs, text: 'unread: code 123' } }
        : {}),
      requestHash: 'h',
    },
    { state: 'sent', at: new Date(start) },
    new Date(start),
  );
  if (registered.kind !== 'created') throw new Error('registration failed');
  let stored = registered.message;
  observe?.(stored);

  // Platform truth.
  let platform = 'queued' as 'queued' | 'delivered' | 'revoked';
  let racing = false;
  const deliverAt = scenario.deliverAfterMs === null ? null : start + scenario.deliverAfterMs;
  let readEmitted = false;
  let expiryDone = !scenario.platformExpiry;
  let smsReceived = 0;
  let nudgesReceived = 0;
  const smsKeysSent = new Set<string>();

  const webhook: Array<{ eventId: string; fact: DeliveryFact }> = [];
  const storedEvents = new Set<string>();
  const tasks: Task[] = [];
  const usedNames = new Set<string>();
  const calls: Call[] = [];
  let nextSweep = start + sweepEveryMs;
  let settledAt: number | undefined;
  let knownDeliveredAt: Date | undefined;
  let knownReadAt: Date | undefined;

  const emit = (type: DeliveryFact['type'], eventId: string) => {
    webhook.push({
      eventId,
      fact: { type, messageId, agentId: 'agent', phoneNumber: phone, at: new Date(now) },
    });
  };

  const carryOut = (effects: Effect[]) => {
    for (const effect of effects) {
      if (effect.kind === 'cancel_revoke_task') {
        // Best effort, as the scheduler's cancel is: it may fail.
        if (fault(1)) {
          faults += 1;
          continue;
        }
        const name = taskId(messageId, 'revoke', effect.sequence);
        const index = tasks.findIndex((t) => t.name === name);
        if (index >= 0) tasks.splice(index, 1);
        continue;
      }
      if (effect.kind === 'cancel_escalation_task') {
        if (fault(1)) {
          faults += 1;
          continue;
        }
        const name = taskId(messageId, 'escalate', 0);
        const index = tasks.findIndex((t) => t.name === name);
        if (index >= 0) tasks.splice(index, 1);
        continue;
      }
      const name = taskId(messageId, effect.step, effect.sequence, effect.redrive ?? 0);
      // Cloud Tasks: a name is taken while the task lives and for a while after (ALREADY_EXISTS).
      if (usedNames.has(name)) continue;
      usedNames.add(name);
      tasks.push({
        name,
        step: effect.step,
        sequence: effect.sequence,
        at: effect.at.getTime(),
        retryCount: 0,
      });
    }
  };

  carryOut(registered.effects);

  const finalTry = (task: Task) => task.retryCount + 1 >= maxAttempts;
  /** Cloud Tasks tries again after a backoff (1 s doubling to 60 s), until the budget is spent. */
  const retryLater = (task: Task, afterMs?: number) => {
    if (finalTry(task)) {
      trace.push(`task ${task.step}/${task.sequence} budget spent`);
      return;
    }
    const backoff = Math.min(60_000, 1_000 * 2 ** task.retryCount);
    tasks.push({ ...task, retryCount: task.retryCount + 1, at: now + Math.max(backoff, afterMs ?? 0) });
  };

  /** Most calls answer at once; some take up to 30 s. */
  const latency = (): number => (fault(4) ? 1_000 * (1 + choose(30)) : 0);

  const revokeAnswer = (): number => {
    if (fault(2)) {
      faults += 1;
      const kind = choose(4);
      if (kind === 0) return 429;
      if (kind === 1) return 503;
      if (kind === 2) {
        // Time-out after the platform acted: the revoke took effect, the answer was lost.
        deleteOnPlatform();
        return 0;
      }
      return 0;
    }
    return deleteOnPlatform();
  };

  const deleteOnPlatform = (): number => {
    if (platform !== 'queued') return 404;
    if (deliverAt !== null && now >= deliverAt - scenario.raceMs && now < deliverAt) {
      racing = true; // answered 200, delivered all the same
      seen['revoke lost the race'] += 1;
      return 200;
    }
    platform = 'revoked';
    return 200;
  };

  const smsAnswer = (nudge: boolean): SmsResult => {
    const base = { provider: scenario.provider, latencyMs: 5 };
    const key = nudge ? `${messageId}:escalation` : messageId;
    const deliver = () => {
      if (scenario.provider === 'http' && smsKeysSent.has(key)) return; // deduplicated by key
      smsKeysSent.add(key);
      if (nudge) nudgesReceived += 1;
      else smsReceived += 1;
    };
    // A provider that deduplicates by key replays the first result for a key it has sent:
    // only failures on the way to it remain possible.
    const replay = scenario.provider === 'http' && smsKeysSent.has(key);
    if (fault(2)) {
      faults += 1;
      if (replay) {
        return choose(2) === 0
          ? { ...base, kind: 'transient', status: 429, error: 'rate limited' }
          : { ...base, kind: 'ambiguous', status: 0, error: 'timed out before reaching the provider' };
      }
      switch (choose(4)) {
        case 0:
          return { ...base, kind: 'transient', status: 429, error: 'rate limited' };
        case 1:
          return { ...base, kind: 'permanent', status: 400, error: 'bad number' };
        case 2:
          deliver();
          return { ...base, kind: 'ambiguous', status: 0, error: 'timed out after sending' };
        default:
          return { ...base, kind: 'ambiguous', status: 0, error: 'timed out before sending' };
      }
    }
    deliver();
    return { ...base, kind: 'sent', status: 200, providerId: 'SM1' };
  };

  const runTask = (task: Task) => {
    const at = new Date(now);
    if (task.step === 'confirm') {
      const outcome = confirmRevocation(stored, task.sequence, at);
      if (outcome.kind === 'skip') return;
      stored = outcome.message;
      if (outcome.kind === 'recorded') carryOut(outcome.effects);
      return;
    }
    if (task.step === 'fallback') {
      const plan = planFallback(stored, at, {
        provider: scenario.provider,
        leaseMs: fallbackLeaseMs(smsTimeoutMs),
      });
      if (plan.action === 'skip') return;
      if (plan.action === 'settle') {
        stored = plan.message;
        return;
      }
      if (plan.action === 'busy') return retryLater(task, plan.until.getTime() - now);
      if (stored.deliveredAt) violate('4', 'SMS claimed after a DELIVERED was recorded');
      stored = plan.message;
      calls.push({
        kind: 'sms',
        task,
        attempt: plan.attempt,
        result: smsAnswer(false),
        nudge: false,
        readyAt: now + latency(),
      });
      return;
    }
    if (task.step === 'escalate') {
      const plan = planEscalation(stored, at, {
        provider: scenario.provider,
        leaseMs: fallbackLeaseMs(smsTimeoutMs),
      });
      if (plan.action === 'skip') return;
      if (plan.action === 'settle') {
        stored = plan.message;
        return;
      }
      if (plan.action === 'busy') return retryLater(task, plan.until.getTime() - now);
      // Escalation laws: a nudge only for a message known delivered, never once its READ is stored.
      if (!stored.deliveredAt) violate('E', 'nudge claimed without a stored DELIVERED');
      if (stored.readAt) violate('E', 'nudge claimed after a READ was stored');
      stored = plan.message;
      calls.push({
        kind: 'sms',
        task,
        attempt: plan.attempt,
        result: smsAnswer(true),
        nudge: true,
        readyAt: now + latency(),
      });
      return;
    }
    const plan = planRevoke(stored, task.step as RevokeStep, task.sequence, at);
    if (plan.action === 'skip') return;
    if (plan.action === 'busy') return retryLater(task, plan.until.getTime() - now);
    if (plan.action === 'rearm') {
      stored = plan.message;
      carryOut(plan.effects);
      return;
    }
    if (stored.deliveredAt) violate('2', 'DELETE called for a message known to be delivered');
    stored = plan.message;
    calls.push({
      kind: 'revoke',
      task,
      attempt: plan.attempt,
      status: revokeAnswer(),
      readyAt: now + latency(),
    });
  };

  const completeCall = (call: Call) => {
    const at = new Date(now);
    if (stored.deliveredAt)
      seen[call.kind === 'sms' ? 'sms answered after DELIVERED' : 'revoke answered after DELIVERED'] += 1;
    if (call.kind === 'revoke') {
      const outcome = applyRevokeResult(
        stored,
        call.attempt,
        { status: call.status, finalTry: finalTry(call.task) },
        at,
      );
      stored = outcome.message;
      if (outcome.kind === 'retry') retryLater(call.task);
      else carryOut(outcome.effects);
      return;
    }
    if (call.nudge && stored.readAt) seen['nudge answered after READ'] += 1;
    const apply = call.nudge ? applyEscalationResult : applySendResult;
    const outcome = apply(stored, call.attempt, call.result, finalTry(call.task), at);
    stored = outcome.message;
    if (outcome.kind === 'retry') retryLater(call.task, outcome.retryAfterMs);
  };

  const deliverWebhook = (index: number, keepCopy: boolean) => {
    const event = webhook[index]!;
    if (!keepCopy) webhook.splice(index, 1);
    const outcome = applyDeliveryEvents(
      new Map([[messageId, stored]]),
      [event],
      [storedEvents.has(event.eventId)],
      new Date(now),
    );
    const [result] = outcome.results;
    if (outcome.newEvents.length === 0) {
      if (!result?.duplicate) violate('7', 'a new event was not stored');
      return;
    }
    if (storedEvents.has(event.eventId)) violate('7', `event ${event.eventId} stored twice`);
    storedEvents.add(event.eventId);
    stored = outcome.changed.get(messageId)!;
    carryOut(result!.effects);
  };

  /** Platform timers at `now`: delivery to the phone, the read, the platform's expiry. */
  const platformActs = () => {
    if (!expiryDone && now >= deadline) {
      expiryDone = true;
      if (platform === 'queued') {
        if (deliverAt !== null && now >= deliverAt - scenario.raceMs && now < deliverAt) {
          emit('TTL_EXPIRATION_REVOKE_FAILED', 'ttl');
        } else {
          platform = 'revoked';
          emit('TTL_EXPIRATION_REVOKED', 'ttl');
        }
      }
    }
    if (deliverAt !== null && now >= deliverAt && (platform === 'queued' || racing)) {
      platform = 'delivered';
      racing = false;
      emit('DELIVERED', 'delivered');
    }
    if (platform === 'delivered' && !readEmitted && scenario.readAfterMs !== null && deliverAt !== null) {
      if (now >= deliverAt + scenario.readAfterMs) {
        readEmitted = true;
        emit('READ', 'read');
      }
    }
    if (now >= nextSweep) {
      nextSweep = now + sweepEveryMs;
      const planned = redrive(stored, new Date(now), sweepBoundMs);
      if (planned) {
        trace.push(`sweep re-drives ${JSON.stringify(planned.effects)}`);
        seen['sweep re-drove'] += 1;
        stored = planned.message;
        carryOut(planned.effects);
      }
    }
  };

  const checkEveryStep = () => {
    observe?.(stored);
    if (knownDeliveredAt && stored.deliveredAt?.getTime() !== knownDeliveredAt.getTime()) {
      if (!stored.deliveredAt || stored.deliveredAt > knownDeliveredAt)
        violate('1', 'deliveredAt undone or moved later');
    }
    if (knownReadAt && (!stored.readAt || stored.readAt > knownReadAt))
      violate('1', 'readAt undone or moved later');
    knownDeliveredAt = stored.deliveredAt;
    knownReadAt = stored.readAt;
    if (smsReceived > 1) violate('4', `${smsReceived} SMS reached the phone`);
    if (nudgesReceived > 1) violate('E', `${nudgesReceived} nudges reached the phone`);
    if (settledAt === undefined && isSettled(stored)) settledAt = now;
  };

  let steps = 0;
  for (; steps < 4_000; steps++) {
    platformActs();
    checkEveryStep();
    const due = tasks.filter((t) => t.at <= now);
    type Action = { name: string; run: () => void };
    const actions: Action[] = [];
    for (const [i] of webhook.entries()) {
      actions.push({ name: `webhook ${webhook[i]!.fact.type}`, run: () => deliverWebhook(i, false) });
    }
    const ready = calls.filter((c) => c.readyAt <= now);
    for (const call of ready) {
      actions.push({
        name: `answer ${call.kind} ${call.kind === 'revoke' ? call.status : call.result.kind}`,
        run: () => {
          calls.splice(calls.indexOf(call), 1);
          completeCall(call);
        },
      });
    }
    for (const task of due) {
      actions.push({
        name: `task ${task.step}/${task.sequence}#${task.retryCount}`,
        run: () => {
          tasks.splice(tasks.indexOf(task), 1);
          runTask(task);
        },
      });
    }
    const timers = [
      ...tasks.map((t) => t.at),
      ...calls.map((c) => c.readyAt),
      ...(deliverAt !== null ? [deliverAt] : []),
      ...(deliverAt !== null && scenario.readAfterMs !== null ? [deliverAt + scenario.readAfterMs] : []),
      ...(!expiryDone ? [deadline] : []),
      nextSweep,
    ].filter((at) => at > now);
    const nextTimer = Math.min(...timers);
    const idle = webhook.length === 0 && calls.length === 0 && tasks.length === 0;
    if (idle && settledAt !== undefined && platformSettled()) break;
    actions.push({
      name: 'advance',
      run: () => {
        // Moving on while a task is due or a call unanswered is a late dispatch or a slow call: a fault.
        if (due.length > 0 || ready.length > 0) faults += 1;
        now = Math.max(now + 1, nextTimer);
      },
    });
    // Faults, while choices last: repeat or lose a webhook delivery or a task, a process dying mid-call.
    if (webhook.length > 0 && fault(1)) {
      faults += 1;
      const i = choose(webhook.length);
      trace.push(`duplicate webhook ${webhook[i]!.fact.type}`);
      seen['webhook repeated'] += 1;
      deliverWebhook(i, true);
      continue;
    }
    if (due.length > 0 && fault(1)) {
      faults += 1;
      const task = due[choose(due.length)]!;
      if (choose(2) === 0) {
        trace.push(`task ${task.step}/${task.sequence} delivered twice`);
        seen['task delivered twice'] += 1;
        runTask({ ...task });
      } else {
        trace.push(`task ${task.step}/${task.sequence} lost`);
        seen['task lost'] += 1;
        tasks.splice(tasks.indexOf(task), 1);
      }
      continue;
    }
    if (ready.length > 0 && fault(1)) {
      faults += 1;
      const call = ready[choose(ready.length)]!;
      calls.splice(calls.indexOf(call), 1);
      trace.push(`process died after the ${call.kind} call`);
      seen['process died mid-call'] += 1;
      retryLater(call.task);
      continue;
    }
    const action = actions[choose(actions.length)]!;
    trace.push(action.name);
    action.run();
  }

  function platformSettled(): boolean {
    // Nothing left to happen on the platform side that the webhook would report.
    const deliveryPending =
      deliverAt !== null && platform !== 'delivered' && (platform === 'queued' || racing);
    const readPending = platform === 'delivered' && scenario.readAfterMs !== null && !readEmitted;
    return !deliveryPending && !readPending && expiryDone;
  }

  const phoneGotRcs = platform === 'delivered';
  return {
    message: stored,
    phoneGotRcs,
    smsReceived,
    nudgesReceived,
    escalationDueAt: stored.escalation?.at?.getTime(),
    settledAt,
    deadline,
    faults,
    steps,
    violations,
    trace,
    seen,
  };
}

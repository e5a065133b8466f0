import { escalationOnReceipt, initialEscalation } from './escalation.ts';
import { refreshDerived } from './status.ts';
import type { TrafficType } from './traffic-type.ts';
import type { CapabilityCheck, Effect, Message, Policy, Revocation, Send } from './types.ts';

/** A validated request to track a message (see shared/messages/request.ts). */
export interface Registration {
  messageId: string;
  agentId: string;
  phoneNumber: string;
  policy: Policy;
  trafficType: TrafficType;
  labels: Record<string, string>;
  deadline: Date;
  smsText?: string;
  /** The SMS nudge when delivered and not READ in time (its text already resolved); absent when off. */
  escalation?: { unreadAfterMs: number; text: string };
  /** Where the message's outcomes are pushed (shared/lifecycle/outcomes.ts). */
  callback?: { url: string };
  requestHash: string;
  /** The request's own `capabilityCheck`; absent: the deployment's default (CAPABILITY_CHECK). */
  capabilityCheck?: boolean;
}

/** Whether to check capability before sending: the message's choice, else the deployment's. */
export function wantsCapabilityCheck(registration: Registration, deploymentDefault: 'on' | 'off'): boolean {
  return registration.capabilityCheck ?? deploymentDefault === 'on';
}

/** What a capability check found, as the message records it. */
export function capabilityRecord(
  answer: {
    outcome: CapabilityCheck['outcome'];
    region: CapabilityCheck['region'];
    httpStatus: number;
    latencyMs: number;
  },
  at: Date,
): CapabilityCheck {
  return {
    outcome: answer.outcome,
    reachable: answer.outcome === 'failed' ? null : answer.outcome === 'reachable',
    region: answer.region,
    at,
    httpStatus: answer.httpStatus,
    latencyMs: answer.latencyMs,
  };
}

/** A message's revocation before any revoke: nothing asked, nothing scheduled beyond the first task. */
export function noRevocationYet(): Revocation {
  return { state: 'none', attempts: 0, round: 0, answeredRound: 0, taskSequence: 0 };
}

/**
 * A claim (send under way) that a retry may no longer complete: its deadline
 * has passed, or the lifecycle already acted on it (the sweep re-drove it).
 * Sending then would put a message on the phone after its deadline, and
 * completing it would start its lifecycle over; the revoke at the deadline
 * decides instead what the platform holds. (A chaos run found a retry that
 * came 40 minutes late send the OTP after its SMS.)
 */
export function claimExpired(message: Message, now: Date): boolean {
  if (message.send?.state !== 'sending') return false;
  return (
    (message.deadline !== undefined && message.deadline.getTime() <= now.getTime()) ||
    message.revocation.state !== 'none' ||
    message.fallback.state !== 'none' ||
    (message.redrives ?? 0) > 0
  );
}

export type RegistrationOutcome =
  | { kind: 'created'; message: Message; effects: Effect[] }
  /** The same request was made before: answer with the message as it is. */
  | { kind: 'exists'; message: Message }
  /** The id is taken by a different request. */
  | { kind: 'conflict'; message: Message };

/**
 * Registers a message: first as a claim (`send.state` 'sending', before the
 * platform call, so a different request for the same id is refused before
 * anything is sent), then with the send's outcome. The webhook may have heard
 * of it in between, or first (an untracked message holding DELIVERED or
 * READ): its facts are kept and only the registration is added.
 */
export function registerMessage(
  existing: Message | undefined,
  registration: Registration,
  send: Send,
  now: Date,
  capabilityCheck?: CapabilityCheck,
): RegistrationOutcome {
  if (existing?.tracked) {
    if (existing.requestHash !== registration.requestHash) return { kind: 'conflict', message: existing };
    // A claim (send under way) is completed by its own request, in time; anything else is a repeat.
    if (existing.send?.state !== 'sending' || claimExpired(existing, now))
      return { kind: 'exists', message: existing };
  }
  // A retry completing a claim keeps the claim's deadline: a relative one (revokeAfter) counts
  // from the first try, not from the retry.
  const deadline =
    existing?.send?.state === 'sending' && existing.deadline ? existing.deadline : registration.deadline;
  const escalation = initialEscalation(registration.escalation);
  const message: Message = {
    ...(existing ?? {
      revocation: noRevocationYet(),
      duplicateDelivery: false,
      lateDelivery: false,
    }),
    messageId: registration.messageId,
    agentId: registration.agentId,
    phoneNumber: registration.phoneNumber,
    tracked: true,
    send,
    ...(capabilityCheck ? { capabilityCheck } : {}),
    requestHash: registration.requestHash,
    status: 'pending',
    policy: registration.policy,
    messageTrafficType: registration.trafficType,
    labels: registration.labels,
    ...(registration.callback ? { callback: registration.callback } : {}),
    createdAt: existing?.createdAt ?? now,
    deadline,
    fallback: {
      state: 'none',
      enabled: registration.smsText !== undefined,
      ...(registration.smsText === undefined ? {} : { text: registration.smsText }),
    },
    updatedAt: now,
  };
  if (escalation) message.escalation = escalation;
  else delete message.escalation;
  const effects: Effect[] = [];
  if (message.deliveredAt) {
    message.fallback = {
      state: message.fallback.enabled ? 'skipped' : 'none',
      enabled: message.fallback.enabled,
    };
    if (message.fallback.enabled) message.fallback.reason = 'RCS delivery confirmed';
    // The webhook heard of the delivery first: the nudge counts from that DELIVERED.
    escalationOnReceipt(message, 'DELIVERED', effects);
  } else if (send.state === 'not_rcs') {
    if (message.escalation) {
      message.escalation = {
        state: 'skipped',
        unreadAfterMs: message.escalation.unreadAfterMs,
        reason: 'number is not RCS-capable: no RCS message to read',
      };
    }
    // Not RCS-capable: nothing to revoke; go straight to the SMS (docs/rbm-platform.md#send, 404).
    if (message.fallback.enabled) {
      message.fallback.state = 'pending';
      message.fallback.reason =
        send.from === 'capability_check'
          ? 'number is not reachable over RBM (capability check): nothing sent'
          : 'number is not RCS-capable';
      effects.push({ kind: 'schedule', step: 'fallback', sequence: 0, at: now });
    }
  } else {
    effects.push({ kind: 'schedule', step: 'revoke', sequence: 0, at: deadline });
  }
  return { kind: 'created', message: refreshDerived(message), effects };
}

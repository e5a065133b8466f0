import { z } from 'zod';
import type { RbmRegion } from '../../../shared/rbm/regions.ts';
import { e164Pattern } from '../../common/e164.ts';
import { hashSeed } from '../../common/random.ts';
import type { PhoneNetwork } from '../phones/network.ts';
import { ApiError } from './google-errors.ts';
import {
  describeIssues,
  optionalUuid,
  parseJsonBody,
  requireAgentId,
  requirePhone,
  requireUuid,
  validateAgentEvent,
  validateAgentMessage,
} from './validation.ts';

/** Which host a call was addressed to: the global one, or a region's (`/r/{region}/v1/...` locally). */
export type ApiHost = 'global' | RbmRegion;

/**
 * The platform methods, each: validate as the platform does, then act on
 * the phone network. Paths and parameters as in the REST reference,
 * https://developers.google.com/business-communications/rcs-business-messaging/reference/rest
 */

export interface ApiCall {
  phone: string;
  query: URLSearchParams;
  body: Buffer;
  /** DELETE only: the message id from the path. */
  messageId?: string;
  now: number;
  host: ApiHost;
}

export type ApiReply = { status: number; body: unknown };

/** POST /v1/phones/{E.164}/agentMessages?messageId=&agentId= */
export function createAgentMessage(network: PhoneNetwork, call: ApiCall): ApiReply {
  const phone = requirePhone(call.phone);
  const messageId = requireUuid('messageId', call.query.get('messageId'));
  const agentId = requireAgentId(call.query.get('agentId'));
  const valid = validateAgentMessage(call.body, call.now);
  return { status: 200, body: network.send(agentId, phone, messageId, valid) };
}

/** DELETE /v1/phones/{E.164}/agentMessages/{messageId}?agentId=  — success body `{}`. */
export function deleteAgentMessage(network: PhoneNetwork, call: ApiCall): ApiReply {
  const phone = requirePhone(call.phone);
  const agentId = requireAgentId(call.query.get('agentId'));
  const messageId = requireUuid('messageId', call.messageId ?? null);
  const status = network.revoke(agentId, phone, messageId);
  if (status === 404) {
    throw new ApiError(404, `Requested entity was not found: message ${messageId} cannot be revoked.`);
  }
  return { status: 200, body: {} };
}

/** POST /v1/phones/{E.164}/agentEvents?eventId=&agentId= */
export function createAgentEvent(network: PhoneNetwork, call: ApiCall): ApiReply {
  const phone = requirePhone(call.phone);
  const eventId = requireUuid('eventId', call.query.get('eventId'));
  const agentId = requireAgentId(call.query.get('agentId'));
  const event = validateAgentEvent(call.body);
  const fields =
    event.eventType === 'READ'
      ? { eventType: 'READ' as const, messageId: event.messageId }
      : { eventType: 'IS_TYPING' as const };
  return { status: 200, body: network.agentEvent(agentId, phone, eventId, fields) };
}

/**
 * GET /v1/phones/{E.164}/capabilities?requestId=&agentId=  -> { features: [...] }, 404 when
 * unreachable over RBM (reference/rest/v1/phones/getCapabilities). requestId, when given,
 * must be a UUID.
 */
export function getCapabilities(network: PhoneNetwork, call: ApiCall): ApiReply {
  const phone = requirePhone(call.phone);
  optionalUuid('requestId', call.query.get('requestId'));
  requireAgentId(call.query.get('agentId'));
  return { status: 200, body: network.capabilities(phone) };
}

/**
 * users.batchGet's bounds: "500 to 10,000 unique phone numbers" per request; fewer, more,
 * or duplicates are refused (release notes, 2024-12-18; docs/rbm-platform.md#capability-checks).
 */
export const batchGetLimits = { min: 500, max: 10_000 } as const;

const batchGetBody = z.object({
  users: z.array(z.string().regex(e164Pattern, 'must be an E.164 phone number')),
  agentId: z.string().min(1, 'agentId is required'),
});

/**
 * POST /v1/users:batchGet {users, agentId} -> {reachableUsers, totalRandomSampleUserCount,
 * reachableRandomSampleUserCount}. Regional endpoints only, one region per batch, sent to
 * that region's host; anything else is 400 INVALID_ARGUMENT ("Coming soon", Q2 2026).
 * The random sample is ~75% of the numbers (the reference's "typically"), drawn by a hash of
 * each number so the same batch gives the same counts (sandbox's choice). reachableUsersMap
 * (carrier -> users, US numbers only) is left out: the sandbox has no carriers.
 */
export function batchGetUsers(network: PhoneNetwork, call: ApiCall): ApiReply {
  const parsed = batchGetBody.safeParse(parseJsonBody(call.body));
  if (!parsed.success) throw new ApiError(400, describeIssues(parsed.error));
  const { users } = parsed.data;
  if (call.host === 'global') {
    throw new ApiError(
      400,
      "users.batchGet requires a regional endpoint: send each batch to the host of its numbers' region (us-, europe- or asia-rcsbusinessmessaging.googleapis.com).",
    );
  }
  if (new Set(users).size !== users.length) {
    throw new ApiError(400, 'users must not contain duplicate phone numbers.');
  }
  if (users.length < batchGetLimits.min || users.length > batchGetLimits.max) {
    throw new ApiError(
      400,
      `users must hold ${batchGetLimits.min} to ${batchGetLimits.max} unique phone numbers, got ${users.length}.`,
    );
  }
  const found = users.map((user) => ({ user, ...network.reachability(user) }));
  const regions = [...new Set(found.map((f) => f.region))].sort();
  if (regions.length > 1) {
    throw new ApiError(
      400,
      `users holds phone numbers of more than one region (${regions.join(', ')}): send one batch per region to its regional endpoint.`,
    );
  }
  if (regions[0] !== call.host) {
    throw new ApiError(
      400,
      `users are phone numbers of region ${regions[0]}, but this is the ${call.host} endpoint: send the batch to ${regions[0]}-rcsbusinessmessaging.googleapis.com.`,
    );
  }
  const sample = found.filter((f) => hashSeed('batchGet-sample', f.user) / 2 ** 32 < 0.75);
  return {
    status: 200,
    body: {
      reachableUsers: found.filter((f) => f.reachable).map((f) => f.user),
      totalRandomSampleUserCount: sample.length,
      reachableRandomSampleUserCount: sample.filter((f) => f.reachable).length,
    },
  };
}

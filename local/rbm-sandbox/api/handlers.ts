import type { PhoneNetwork } from '../phones/network.ts';
import { ApiError } from './google-errors.ts';
import {
  optionalUuid,
  requireAgentId,
  requirePhone,
  requireUuid,
  validateAgentEvent,
  validateAgentMessage,
} from './validation.ts';

/**
 * The four platform methods, each: validate as the platform does, then act on
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

/**
 * The JSON that goes inside `message.data`, field names exactly as documented
 * (docs/rbm-platform.md#payloads): user events
 * and user messages name the phone `senderPhoneNumber`, server events name it
 * `phoneNumber`.
 */

export type UserEventType = 'DELIVERED' | 'READ' | 'IS_TYPING' | 'SUBSCRIBE' | 'UNSUBSCRIBE';
export type ServerEventType = 'TTL_EXPIRATION_REVOKED' | 'TTL_EXPIRATION_REVOKE_FAILED';

export interface UserEvent {
  senderPhoneNumber: string;
  eventType: UserEventType;
  eventId: string;
  /** Only on DELIVERED and READ. */
  messageId?: string;
  sendTime: string;
  agentId: string;
}

export interface ServerEvent {
  phoneNumber: string;
  eventType: ServerEventType;
  eventId: string;
  messageId: string;
  sendTime: string;
  agentId: string;
}

export type UserMessageContent =
  | { text: string }
  | { suggestionResponse: { postbackData: string; text: string; type: 'REPLY' | 'ACTION' } };

export type UserMessage = {
  senderPhoneNumber: string;
  messageId: string;
  sendTime: string;
  agentId: string;
} & UserMessageContent;

/** https://developers.google.com/business-communications/rcs-business-messaging/reference/rest/v1/AgentLaunchEvent */
export interface AgentLaunchEvent {
  eventId: string;
  agentId: string;
  botDisplayName?: string;
  brandId?: string;
  regionId?: string;
  oldLaunchState: string;
  newLaunchState: string;
  actingParty?: string;
  comment?: string;
  sendTime: string;
}

/**
 * The retired Business Messages receipts shape: several receipts for several messages
 * (docs/rbm-platform.md#multi-receipt-payloads).
 */
export interface ReceiptBatch {
  agent: string;
  conversationId: string;
  customAgentId: string;
  sendTime: string;
  receipts: {
    receipts: Array<{ message: string; receiptType: 'DELIVERED' | 'READ' }>;
    createTime: string;
  };
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

export function userEvent(fields: {
  phoneNumber: string;
  eventType: UserEventType;
  eventId: string;
  messageId?: string;
  at: number;
  agentId: string;
}): UserEvent {
  const event: UserEvent = {
    senderPhoneNumber: fields.phoneNumber,
    eventType: fields.eventType,
    eventId: fields.eventId,
    sendTime: rfc3339(fields.at),
    agentId: fields.agentId,
  };
  // messageId only on DELIVERED and READ (docs/rbm-platform.md#payloads).
  if (fields.eventType === 'DELIVERED' || fields.eventType === 'READ') event.messageId = fields.messageId!;
  return event;
}

export function serverEvent(fields: {
  phoneNumber: string;
  eventType: ServerEventType;
  eventId: string;
  messageId: string;
  at: number;
  agentId: string;
}): ServerEvent {
  return {
    phoneNumber: fields.phoneNumber,
    eventType: fields.eventType,
    eventId: fields.eventId,
    messageId: fields.messageId,
    sendTime: rfc3339(fields.at),
    agentId: fields.agentId,
  };
}

export function userMessage(fields: {
  phoneNumber: string;
  messageId: string;
  at: number;
  agentId: string;
  content: UserMessageContent;
}): UserMessage {
  return {
    senderPhoneNumber: fields.phoneNumber,
    messageId: fields.messageId,
    sendTime: rfc3339(fields.at),
    agentId: fields.agentId,
    ...fields.content,
  };
}

export function receiptBatch(fields: {
  agentId: string;
  conversationId: string;
  at: number;
  receipts: Array<{ messageId: string; receiptType: 'DELIVERED' | 'READ' }>;
}): ReceiptBatch {
  const time = rfc3339(fields.at);
  return {
    // Business Messages named agents brands/{brandId}/agents/{agentId}; the sandbox has one brand.
    agent: `brands/sandbox/agents/${fields.agentId}`,
    conversationId: fields.conversationId,
    customAgentId: fields.agentId,
    sendTime: time,
    receipts: {
      receipts: fields.receipts.map((r) => ({
        message: `conversations/${fields.conversationId}/messages/${r.messageId}`,
        receiptType: r.receiptType,
      })),
      createTime: time,
    },
  };
}

import { createHash } from 'node:crypto';

/**
 * The agent's READ receipt for a user message gets an event id derived from
 * that message's id, in UUID form: a retried webhook sends the same id, and
 * the platform ignores an id the agent already used (docs/rbm-platform.md#agent-events).
 */
export function readReceiptEventId(userMessageId: string): string {
  const hex = createHash('sha256').update(`read-receipt:${userMessageId}`).digest('hex');
  // Shape it as a version-5-style UUID (version and variant bits set).
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

import type { Message, MessageStatus } from './types.ts';

type Facts = Pick<Message, 'tracked' | 'deliveredAt' | 'readAt' | 'revocation' | 'fallback'>;

/**
 * The status an operator sees, computed from the facts so it can never
 * disagree with them. Order matters: what reached the phone outranks what
 * the system tried.
 */
export function deriveStatus(facts: Facts): MessageStatus {
  const delivered = facts.deliveredAt !== undefined;
  const smsSent = facts.fallback.state === 'sent';
  if (!facts.tracked) return 'untracked';
  if (smsSent) return delivered ? 'duplicate' : 'sms_sent';
  if (facts.readAt) return 'read';
  if (delivered) return 'delivered';
  if (facts.fallback.state === 'failed') return 'failed';
  switch (facts.revocation.state) {
    case 'confirmed':
      return 'revoked';
    case 'failed':
      return facts.fallback.state === 'pending' ? 'revoking' : 'failed';
    case 'requested':
    case 'not_found':
      return 'revoking';
    default:
      return 'pending';
  }
}

/** Nothing more will be done for the message (READ or a late DELIVERED may still be recorded). */
export function isSettled(message: Message): boolean {
  if (!message.tracked) return true;
  if (message.fallback.state === 'pending') return false;
  switch (message.status) {
    case 'delivered':
    case 'read':
    case 'revoked':
    case 'sms_sent':
    case 'duplicate':
    case 'failed':
      return true;
    default:
      return false;
  }
}

/**
 * The `X-Goog-Webhook-Type` request header (docs/rbm-platform.md#webhook-type): a label the
 * platform puts on each webhook POST. It is not covered by the signature, so it only
 * describes the request; what the body is (a handshake or a signed envelope) is decided by
 * the body alone. The values are those public integrations see: `verification` on the
 * handshake, `message_callback` and `agent_callback` on signed deliveries.
 */
export type WebhookBody = 'handshake' | 'envelope';

const bodyByType: Record<string, WebhookBody> = {
  verification: 'handshake',
  message_callback: 'envelope',
  agent_callback: 'envelope',
};

/** Longest header value repeated in a log line: it is caller-controlled text. */
const maxLoggedLength = 64;

/** The header as it may be logged: trimmed, bounded, absent when empty. */
export function webhookTypeHeader(value: string | undefined): string | undefined {
  const trimmed = value?.trim().slice(0, maxLoggedLength);
  return trimmed ? trimmed : undefined;
}

export type WebhookTypeVerdict = 'absent' | 'agrees' | 'disagrees' | 'unrecognised';

/** How the header compares with the body the request really carried. */
export function compareWebhookType(header: string | undefined, body: WebhookBody): WebhookTypeVerdict {
  if (header === undefined) return 'absent';
  const expected = bodyByType[header];
  if (expected === undefined) return 'unrecognised';
  return expected === body ? 'agrees' : 'disagrees';
}

import { randomUUID } from 'node:crypto';
import { mapLimit } from '../../shared/concurrency/map-limit.ts';
import { postWithRetries } from '../common/post-with-retries.ts';
import type { PhoneRules } from '../rbm-sandbox/index.ts';
import type { Stack } from './start.ts';

/** One lifecycle path the demo shows, with the phone behaviour that leads to it. */
interface Path {
  name: string;
  share: number;
  rules: PhoneRules;
  /** Opt the number out before sending (the send is refused). */
  optOut?: boolean;
  /**
   * The phone is online and gets the RCS message within seconds: an SMS as well (a duplicate
   * delivery) is the product's fault, the failure a burst must not cause (issue 11's bar).
   */
  online?: true;
}

/**
 * The mix of phones the demo draws from: every lifecycle path of the product
 * appears in a run of 40 messages or more. Times are clock time.
 */
const paths: Path[] = [
  { name: 'online', share: 0.25, online: true, rules: { rcs: true, offline: [], neverReads: true } },
  {
    name: 'online, reads',
    share: 0.15,
    online: true,
    rules: { rcs: true, offline: [], read: { probability: 1, delay: { median: 20_000, spread: 0.5 } } },
  },
  {
    // Reads it, but has turned read receipts off: the platform never says READ.
    name: 'reads, read receipts off',
    share: 0.05,
    online: true,
    rules: {
      rcs: true,
      offline: [],
      readReceipts: false,
      read: { probability: 1, delay: { median: 20_000, spread: 0.5 } },
    },
  },
  { name: 'offline for an hour', share: 0.15, rules: { rcs: true, offline: [{ forMs: 3_600_000 }] } },
  {
    name: 'slow network',
    share: 0.1,
    rules: { rcs: true, offline: [], neverReads: true, latency: { median: 4 * 60_000, spread: 0.3 } },
  },
  {
    name: 'races the revoke (200, then DELIVERED)',
    share: 0.08,
    rules: {
      rcs: true,
      offline: [{ forMs: 3_600_000 }],
      racesRevoke: { answer: 200, deliveredAfterMs: 2_000 },
    },
  },
  {
    name: 'revoke answers 404, no DELIVERED',
    share: 0.07,
    rules: {
      rcs: true,
      offline: [{ forMs: 3_600_000 }],
      racesRevoke: { answer: 404, deliveredAfterMs: null, times: 1 },
    },
  },
  { name: 'not RCS-capable', share: 0.1, rules: { rcs: false } },
  { name: 'opted out', share: 0.05, rules: { rcs: true, offline: [] }, optOut: true },
];

/** The demo's paths whose phone is online: no duplicate delivery is acceptable there. */
export const onlinePaths: ReadonlySet<string> = new Set(paths.filter((p) => p.online).map((p) => p.name));

export interface DemoMessage {
  messageId: string;
  phoneNumber: string;
  path: string;
  kind: 'otp' | 'promo';
  /** The number was opted out before the send: the API must refuse it (422). */
  optedOut: boolean;
  /** HTTP status of the POST /messages. */
  accepted?: number;
}

/** The messages function took the send: 201 created, or 200 for a repeat of one it already has. */
export function isAccepted(message: DemoMessage): boolean {
  return message.accepted === 201 || message.accepted === 200;
}

/** Deadlines short enough for a demo of about a minute at the default time scale. */
const deadlines = { otp: '2m', promo: '10m' };

/**
 * Promotions ask for an escalation (docs/escalation.md): delivered and not READ 5 minutes
 * later, one SMS nudge with this text. OTPs do not: a nudge would come after their 2-minute deadline.
 */
export const demoNudge = { unreadAfter: '5m', text: 'Did you see our offer? 20% off until midnight' };

/**
 * Sets up one phone per message, opts out the ones that should be, and sends
 * every message through the `messages` function, as a business backend would.
 */
export async function runDemoWorkload(
  stack: Stack,
  count: number,
  seed: number,
  options: {
    sendAttempts?: number;
    /**
     * Sends in flight at once (default 64), as a business backend's worker pool would: thousands
     * of connections opened at once overflow the server's listen backlog, and the sends are lost
     * before the product sees them.
     */
    concurrency?: number;
    /** Called once the opt-outs are stored, just before the first send. */
    beforeSends?: () => void;
    onAnswered?: (message: DemoMessage) => void;
  } = {},
): Promise<DemoMessage[]> {
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: the demo's mix is the same for the same seed.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const messages: DemoMessage[] = [];
  for (let i = 0; i < count; i++) {
    const path = pickPath(i, count, random);
    const phoneNumber = `+1555${String(100_000 + i).padStart(7, '0')}`;
    stack.rbm.setPhone(phoneNumber, path.rules);
    if (path.optOut) stack.rbm.userAction(phoneNumber, { type: 'unsubscribe' });
    messages.push({
      messageId: randomUUID(),
      phoneNumber,
      path: path.name,
      optedOut: path.optOut === true,
      kind: random() < 0.6 ? 'otp' : 'promo',
    });
  }
  await stack.settle(); // opt-outs reach the webhook before the sends
  options.beforeSends?.();
  await mapLimit(messages, options.concurrency ?? 64, async (message) => {
    const text = message.kind === 'otp' ? 'Your code is 482913' : 'Spring sale: 20% off until midnight';
    const body = JSON.stringify({
      messageId: message.messageId,
      phoneNumber: message.phoneNumber,
      content: { contentMessage: { text } },
      revokeAfter: deadlines[message.kind],
      policy: message.kind,
      sms: { text },
      ...(message.kind === 'promo' ? { escalation: demoNudge } : {}),
      labels: { kind: message.kind, campaign: 'demo', path: message.path },
    });
    message.accepted = await postWithRetries(
      stack.functions.urls.messages,
      body,
      options.sendAttempts ?? 3,
      (attempt) => Math.min(1_000, 100 * attempt),
    );
    options.onAnswered?.(message);
  });
  return messages;
}

/** Every path at least once when there are enough messages, then by share. */
function pickPath(index: number, count: number, random: () => number): Path {
  if (count >= paths.length && index < paths.length) return paths[index]!;
  let roll = random();
  for (const path of paths) {
    roll -= path.share;
    if (roll < 0) return path;
  }
  return paths[0]!;
}

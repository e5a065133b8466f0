import type { MessageStatus } from '../lifecycle/types.ts';

/**
 * The report's data, as `npm run report -- --json` prints it. The shape is
 * stable (docs/local-stack.md, "Report"): fields are only ever added, and
 * every key listed here is always present (null when there is nothing to
 * compute from). Times are ISO-8601 strings, durations milliseconds.
 */
export interface Report {
  /** Bumped only if a field changes meaning or goes away. */
  version: 1;
  projectId: string;
  databaseId: string;
  /** The snapshot every figure was read at (one read-only transaction at this read time). */
  asOf: string;
  /** Messages whose `createdAt` is in [since, until); null: unbounded on that side. */
  window: { field: 'createdAt'; since: string | null; until: string | null };
  overall: ScopeReport;
  groups: GroupReport[];
  /** Outcomes per createdAt bucket (`--html`, `--timeline`); null when not asked for. */
  timeline: Timeline | null;
  /**
   * The outcomes pushed to the business (docs/outcomes.md): outbox documents created in the
   * window, by state. All zero where outcome push is off.
   */
  outcomePushes: { pending: number; delivered: number; failed: number };
}

export interface ScopeReport {
  /** Every message document in the scope, tracked or not. */
  messages: number;
  /** One key per status value of shared/lifecycle/types.ts, always present. */
  byStatus: Record<MessageStatus, number>;
  /** Registered through `messages` (status is not `untracked`). */
  tracked: number;
  /** Known only from webhook events for an id this system never registered. */
  untracked: number;
  /** Tracked messages that went to the platform as RCS: `send.state` `sent` or `external`. The rates' base. */
  rcsSent: number;
  /** Tracked messages whose send answered 404 (no RCS): straight to SMS, excluded from the delivery rate. */
  notRcs: number;
  /** Tracked messages with `deliveredAt` (status delivered, read or duplicate). */
  delivered: number;
  /** Delivered messages with `readAt`. */
  read: number;
  /** delivered / rcsSent; null when rcsSent is 0. */
  deliveryRate: number | null;
  /** read / delivered; null when delivered is 0. */
  readRate: number | null;
  /** deliveredAt − send.at, over delivered messages. */
  timeToDeliverMs: Distribution;
  /** readAt − send.at, over read messages. */
  timeToReadMs: Distribution;
  /**
   * The webhook lag: how long after the platform's time the system stored the first report of
   * delivery (deliveredLearnedAt − deliveredAt) and of the READ (readLearnedAt − readAt), over
   * the delivered and read messages that have them (stored since these fields exist).
   */
  webhookLagMs: { delivered: Distribution; read: Distribution };
  revocation: {
    /** `revocation.state == "confirmed"`: the message was revoked and never reached the phone. */
    confirmed: number;
    /** `revocation.state == "lost_race"`: a revoke was requested, yet DELIVERED came. */
    lostRace: number;
    /** `revocation.state == "failed"`: the retry budget ran out or RBM refused our credentials. */
    failed: number;
    /** Sum of `revocation.attempts`: DELETE calls made, retries included. */
    deleteCalls: number;
  };
  fallback: {
    /** `fallback.state == "sent"`: SMS handed to the provider. */
    sent: number;
    /** `fallback.state == "failed"`: the SMS could not be sent. */
    failed: number;
    /** `fallback.state == "skipped"`: SMS text was given but RCS delivery made it unnecessary. */
    skipped: number;
    /** Sum of `fallback.attempts`: provider calls made. */
    providerCalls: number;
  };
  escalation: {
    /** `escalation.state == "sent"`: delivered, not READ in time, nudged by SMS (docs/escalation.md). */
    sent: number;
    /** `escalation.state == "failed"`: the nudge could not be sent. */
    failed: number;
    /** `escalation.readAfterNudge == true`: a READ came, stamped at or after the nudge. */
    readAfterNudge: number;
    /** readAfterNudge / sent; null when sent is 0. Users who turned read receipts off never count here. */
    readAfterNudgeRate: number | null;
  };
  /**
   * The capability check before the send (docs/messages-api.md#capability-check), by
   * `capabilityCheck.outcome`: `unreachable` went straight to SMS without a send; `failed`
   * (no answer, 5xx) was sent as without a check.
   */
  capabilityChecks: { reachable: number; unreachable: number; failed: number };
  /** `duplicateDelivery == true`: RCS and the SMS both reached the phone (an incident). */
  duplicateDeliveries: number;
  /** `lateDelivery == true`: a DELIVERED after a revoke was requested or the SMS sent. */
  lateDeliveries: number;
  /** Average `send.latencyMs` (the RBM send call), null when none recorded. */
  sendLatencyMsAvg: number | null;
  /** Sum of `redrives`: times the sweep had to re-drive a message (a lost task or a crash). */
  sweepRedrives: number;
}

export interface Distribution {
  count: number;
  /** Nearest-rank percentiles: each is one of the observed values. Null when count is 0. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Fixed bins [fromMs, toMs), the last one open (toMs null); every bin present. */
  histogram: Array<{ fromMs: number; toMs: number | null; count: number }>;
}

export interface GroupReport {
  /** As given to `--by`: `agent` or `label:KEY`. */
  by: string;
  /** The document field grouped on: `agentId` or `labels.KEY`. */
  field: string;
  /** Values found, in ascending order, at most `--max-groups` of them, each with its figures. */
  values: Array<{ value: string } & ScopeReport>;
  /** More values exist than were reported. */
  truncated: boolean;
}

/** Timeline categories: each status lands in exactly one. */
export const outcomeCategories = {
  delivered: ['delivered', 'read'],
  duplicate: ['duplicate'],
  sms_sent: ['sms_sent'],
  revoked: ['revoked'],
  failed: ['failed'],
  in_progress: ['pending', 'revoking', 'sms_pending'],
} as const satisfies Record<string, readonly MessageStatus[]>;

export type OutcomeCategory = keyof typeof outcomeCategories;

export interface Timeline {
  bucketMs: number;
  buckets: Array<{ from: string; to: string; counts: Record<OutcomeCategory, number> }>;
}

/** Every status value, in lifecycle order (the order the report prints them). */
export const statuses: readonly MessageStatus[] = [
  'pending',
  'delivered',
  'read',
  'revoking',
  'revoked',
  'sms_pending',
  'sms_sent',
  'duplicate',
  'failed',
  'untracked',
];

/** A grouping asked for with `--by`. */
export type GroupSpec = { by: 'agent' } | { by: 'trafficType' } | { by: 'label'; key: string };

/** What the reader gets out of Firestore for one scope: aggregation results only. */
export interface ScopeCounts {
  messages: number;
  byStatus: Record<MessageStatus, number>;
  notRcs: number;
  revocation: { confirmed: number; lostRace: number; failed: number; deleteCalls: number };
  fallback: { sent: number; failed: number; skipped: number; providerCalls: number };
  escalation: { sent: number; failed: number; readAfterNudge: number };
  capabilityChecks: { reachable: number; unreachable: number; failed: number };
  duplicateDeliveries: number;
  lateDeliveries: number;
  sendLatencyMsAvg: number | null;
  sweepRedrives: number;
}

/** One delivered message, read with `select()` for the distributions. Times in ms since the epoch. */
export interface DeliverySample {
  createdAt: number;
  /** `send.at`; null only if the document lacks it. */
  sendAt: number | null;
  deliveredAt: number;
  readAt: number | null;
  deliveredLearnedAt: number | null;
  readLearnedAt: number | null;
  /** Group field values, keyed by `GroupReport.field`. */
  groups: Record<string, string | undefined>;
}

import type { Clock } from '../../common/clock.ts';
import type { FaultRule } from '../faults.ts';
import type { WebhookSettings } from '../options.ts';
import type { PhoneProfile, PhoneRules } from '../phones/profiles.ts';
import type { Truth, UserAction } from '../truth.ts';
import type { DeliveryStats } from '../webhook/delivery-queue.ts';
import type { HandshakeResult } from '../webhook/handshake.ts';

/** An agent launch event to post (attributes.type "agent_launch_event"). */
export interface AgentLaunchFields {
  agentId?: string;
  oldLaunchState: string;
  newLaunchState: string;
  regionId?: string;
  comment?: string;
}

/** One receipt of a Business-Messages-shaped batch. */
export interface BatchReceipt {
  messageId: string;
  receiptType: 'DELIVERED' | 'READ';
}

/**
 * What the control API drives. The routes depend on this, not on the sandbox
 * class, so `sandbox.ts` (which mounts the routes) and the routes do not
 * import each other; RbmSandbox satisfies it structurally.
 */
export interface SandboxControls {
  readonly clock: Clock;
  readonly truth: Truth;
  profile(phoneNumber: string): PhoneProfile;
  setPhone(phoneNumber: string, rules: PhoneRules): PhoneProfile;
  readMessage(messageId: string): boolean;
  userAction(phoneNumber: string, action: UserAction, agentId?: string): void;
  faults(): FaultRule[];
  setFaults(rules: FaultRule[]): void;
  webhookSettings(): WebhookSettings;
  configureWebhook(changes: Partial<WebhookSettings>): WebhookSettings;
  readonly webhookDelivery: DeliveryStats;
  registerWebhook(url?: string): Promise<HandshakeResult>;
  emitAgentLaunchEvent(fields: AgentLaunchFields): string;
  emitReceiptBatch(phoneNumber: string, receipts: BatchReceipt[], agentId?: string): void;
}

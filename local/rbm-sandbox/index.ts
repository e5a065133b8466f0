/**
 * RBM sandbox: a local RCS Business Messaging platform with simulated phones.
 * See docs/rbm-sandbox.md.
 */
export type { Clock } from '../common/clock.ts';
export { ManualClock, SystemClock } from '../common/clock.ts';
export { ListenError } from '../common/http-server.ts';
export type { Distribution } from '../common/random.ts';
export type { Endpoint, FaultRule } from './faults.ts';
export type { EffectHook, TakenEffect } from './http/api-routes.ts';
export type { RbmSandboxOptions, WebhookSettings } from './options.ts';
export type { PhoneProfile, PhoneRules, Population, RaceRule } from './phones/profiles.ts';
export { defaultPopulation } from './phones/profiles.ts';
export { RbmSandbox, startRbmSandbox } from './sandbox.ts';
export type {
  ApiCallTruth,
  MessageStatus,
  MessageTruth,
  PhoneTruth,
  RevokeOutcome,
  Truth,
  TruthSnapshot,
  UserAction,
  WebhookDeliveryTruth,
} from './truth.ts';
export type { DeliveryStats } from './webhook/delivery-queue.ts';
export { sandboxSubscription } from './webhook/envelope.ts';
export { type HandshakeResult, WebhookHandshakeError } from './webhook/handshake.ts';
export type {
  AgentLaunchEvent,
  ReceiptBatch,
  ServerEvent,
  UserEvent,
  UserMessage,
} from './webhook/payloads.ts';
export {
  adaptiveWindow,
  isPushConcurrency,
  type PushConcurrency,
  pushConcurrencies,
} from './webhook/push-window.ts';

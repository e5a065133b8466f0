import type { Policy } from './types.ts';

/**
 * The AgentMessage's `messageTrafficType` (docs/rbm-platform.md#traffic-type): what kind of
 * content a message is. Optional on the platform today, to become required for multi-use
 * agents, which have no default; MESSAGE_TRAFFIC_TYPE_UNSPECIFIED is what such an agent is
 * refused for, so it is not a value a business may choose here.
 */
export const trafficTypes = [
  'AUTHENTICATION',
  'TRANSACTION',
  'PROMOTION',
  'SERVICEREQUEST',
  'ACKNOWLEDGEMENT',
] as const;

export type TrafficType = (typeof trafficTypes)[number];

/**
 * The type a message gets when the business did not say, from its policy: the same
 * mapping Google uses for an agent's default (OTP agent: AUTHENTICATION, promotional:
 * PROMOTION). A custom policy is what a business picks for what is neither a code nor a
 * promotion (a fraud alert, a booking change), which is Google's TRANSACTION.
 */
export function defaultTrafficType(policy: Pick<Policy, 'name'>): TrafficType {
  switch (policy.name) {
    case 'otp':
      return 'AUTHENTICATION';
    case 'promo':
      return 'PROMOTION';
    case 'custom':
      return 'TRANSACTION';
  }
}

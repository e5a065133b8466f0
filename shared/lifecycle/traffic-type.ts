import type { Policy, TrafficType } from './types.ts';

export { type TrafficType, trafficTypes } from './types.ts';

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

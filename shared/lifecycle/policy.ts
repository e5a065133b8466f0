import type { Policy } from './types.ts';

/**
 * Named policies a business picks per message. The grace periods are how long
 * a DELIVERED may trail a revoke answer: webhook events normally arrive within
 * seconds, but the platform's delivery queue backs off on failures, so promos
 * (which must not double up) wait longer than OTPs (which must not be late).
 * Neither nudges an unread message by SMS (`escalateUnreadAfterMs`, docs/escalation.md):
 * an OTP is stale minutes later, and an SMS after every unread promotion doubles its cost;
 * a message of either may still ask for one (`escalation` in the messages API).
 */
export const policies = {
  otp: { name: 'otp', fallbackWhenUncertain: true, graceMs: 30_000, maxRevokeAttempts: 3 },
  promo: { name: 'promo', fallbackWhenUncertain: false, graceMs: 120_000, maxRevokeAttempts: 3 },
} as const satisfies Record<string, Policy>;

export type PolicyName = keyof typeof policies;

export function customPolicy(settings: Partial<Omit<Policy, 'name'>>): Policy {
  return { ...policies.promo, ...settings, name: 'custom' };
}

import fc from 'fast-check';
import { customPolicy, policies } from '../../shared/lifecycle/policy.ts';
import type { Scenario } from './lifecycle-model.ts';

/*
 * Random scenarios for the lifecycle model (./lifecycle-model.ts): a policy,
 * the phone's delivery (often around the moment the revoke lands), a READ,
 * a platform expiry, an escalation, and the choices that interleave task
 * deliveries, RBM and SMS answers. Shared by the properties over the model.
 */
export const lifecycleScenarios: fc.Arbitrary<Scenario> = fc
  .record({
    policy: fc.oneof(
      fc.constantFrom(policies.otp, policies.promo),
      fc
        .record({
          fallbackWhenUncertain: fc.boolean(),
          graceMs: fc.integer({ min: 1_000, max: 300_000 }),
          maxRevokeAttempts: fc.integer({ min: 1, max: 4 }),
        })
        .map((settings) => customPolicy(settings)),
    ),
    smsEnabled: fc.boolean(),
    provider: fc.constantFrom('http' as const, 'twilio' as const),
    deadlineMs: fc.integer({ min: 60_000, max: 900_000 }),
    // Often close to the deadline, where the revoke races the delivery.
    delivery: fc.oneof(
      {
        weight: 1,
        arbitrary: fc.integer({ min: 0, max: 1_800_000 }).map((at) => ({ at, nearDeadline: false })),
      },
      // A fraction of the race window: -1..3 puts the delivery around the moment the revoke lands.
      {
        weight: 3,
        arbitrary: fc.double({ min: -1, max: 3, noNaN: true }).map((at) => ({ at, nearDeadline: true })),
      },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    raceMs: fc.integer({ min: 500, max: 10_000 }),
    readAfterMs: fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: null }),
    platformExpiry: fc.boolean(),
    // Over the same range as the read, so the READ comes before, during and after the nudge.
    escalateAfterMs: fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: null, freq: 2 }),
    choices: fc.array(fc.nat({ max: 1_000 }), { maxLength: 200, size: 'max' }),
  })
  .map(({ delivery, ...rest }) => ({
    ...rest,
    deliverAfterMs:
      delivery === null
        ? null
        : Math.max(0, delivery.nearDeadline ? rest.deadlineMs + delivery.at : delivery.at),
  }));

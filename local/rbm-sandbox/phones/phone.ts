import type { Prng } from '../../common/random.ts';
import type { MessageTruth, PhoneTruth } from '../truth.ts';
import type { Availability } from './availability.ts';
import type { PhoneProfile, PhoneRules } from './profiles.ts';

/**
 * The simulated phone and a message on its way to it: shared by the network
 * (which moves messages) and the user behaviour (which reads and replies),
 * kept apart so neither imports the other.
 */

export interface Phone {
  number: string;
  rules: PhoneRules;
  profile: PhoneProfile;
  availability: Availability;
  /** Per-message draws (latency, read, reply, race answer) for this number only. */
  draws: Prng;
  truth: PhoneTruth;
  lastAgentId: string | null;
  /** Revokes that raced because of the racesRevoke rule (it may be limited to a number of times). */
  racesLost: number;
}

export interface SimMessage {
  truth: MessageTruth;
  phone: Phone;
  suggestions: Array<Record<string, unknown>>;
  resource: Record<string, unknown>;
  /** Cancels the timer of the current stage (dispatch, in-flight, delivery). */
  cancelStage: () => void;
  /**
   * Held in the queue by a lost race with `deliveredAfterMs: null`: no delivery is planned until
   * a later revoke removes it, its TTL expires, or the number's racesRevoke rule is changed.
   */
  held: boolean;
  cancelTtl: () => void;
}

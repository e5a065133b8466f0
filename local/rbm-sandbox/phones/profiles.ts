import { type RbmRegion, regionOf } from '../../../shared/rbm/regions.ts';
import type { Distribution, Prng } from '../../common/random.ts';

/**
 * What a simulated phone does. The defaults describe a population and are
 * drawn per number from the seeded generator; explicit per-number rules
 * (PhoneRules) override them, so a test can pin one number down ("offline
 * for 20 minutes", "races the revoke", "never reads").
 */

/** RBM features a capable phone reports (phones.getCapabilities `features[]` enum). */
export const allFeatures = [
  'RICHCARD_STANDALONE',
  'RICHCARD_CAROUSEL',
  'ACTION_CREATE_CALENDAR_EVENT',
  'ACTION_DIAL',
  'ACTION_OPEN_URL',
  'ACTION_SHARE_LOCATION',
  'ACTION_VIEW_LOCATION',
] as const;

export interface Population {
  /** Share of numbers that are RCS-capable and reachable (the rest answer 404). */
  rcsProbability: number;
  /** Mean length of online and offline spells; `null` keeps every phone always online. */
  availability: { meanOnlineMs: number; meanOfflineMs: number } | null;
  /** Time from the platform handing a message to an online phone until the phone has it. */
  latency: Distribution;
  /** The last part of `latency` during which the message is mid-delivery (a revoke then races it). */
  inFlight: Distribution;
  read: { probability: number; delay: Distribution };
  reply: {
    probability: number;
    delay: Distribution;
    typing: boolean;
    suggestionShare: number;
    texts: string[];
  };
  unsubscribe: { probability: number; delay: Distribution };
}

export const defaultPopulation: Population = {
  rcsProbability: 0.9,
  availability: { meanOnlineMs: 4 * 3_600_000, meanOfflineMs: 15 * 60_000 },
  latency: { median: 1_500, spread: 0.8 },
  inFlight: { min: 50, max: 300 },
  read: { probability: 0.7, delay: { median: 30_000, spread: 1 } },
  reply: {
    probability: 0.05,
    delay: { median: 45_000, spread: 0.8 },
    typing: true,
    suggestionShare: 0.5,
    texts: ['Thanks', 'OK', 'Who is this?'],
  },
  unsubscribe: { probability: 0.005, delay: { median: 60_000, spread: 0.5 } },
};

export interface RaceRule {
  /** What the revoke answers when it races the delivery; 'either' draws it from the seed. */
  answer?: 200 | 404 | 'either';
  /** When DELIVERED follows the raced revoke; `null`: the message stays queued and no DELIVERED follows yet. */
  deliveredAfterMs?: number | null;
  /** How many revokes (agent or TTL) on this number race before revokes behave normally again; unset: all. */
  times?: number;
}

/** Explicit per-number rules. Every field is optional; unset fields keep the drawn profile. */
export interface PhoneRules {
  rcs?: boolean;
  /** The RBM region the number belongs to (users.batchGet's host); default from its calling code. */
  region?: RbmRegion;
  features?: string[];
  /** Offline spells relative to when the rules are set; `[]` means always online. Replaces the drawn schedule. */
  offline?: Array<{ afterMs?: number; forMs: number }>;
  latency?: Distribution;
  inFlight?: Distribution;
  /** Every revoke of an undelivered message on this number lands mid-delivery. `false` turns it off. */
  racesRevoke?: boolean | RaceRule;
  /**
   * The TTL expiry of a message on this number posts no server event: Google's "neither"
   * case (send guide, "Time to live"): a queued message is revoked at its expiry with no
   * TTL_EXPIRATION_REVOKED, so the agent hears neither that nor a DELIVERED.
   */
  silentTtl?: boolean;
  neverReads?: boolean;
  /**
   * `false`: the user has turned off sending read receipts, so reading a message posts no
   * READ (the truth still records when they read it). Default true.
   */
  readReceipts?: boolean;
  read?: { probability?: number; delay?: Distribution };
  reply?: {
    probability?: number;
    delay?: Distribution;
    typing?: boolean;
    text?: string;
    suggestion?: { postbackData: string; text: string };
  };
  unsubscribe?: { probability?: number; delay?: Distribution };
}

export interface PhoneProfile {
  phoneNumber: string;
  rcs: boolean;
  region: RbmRegion;
  features: string[];
  latency: Distribution;
  inFlight: Distribution;
  race: {
    always: boolean;
    answer: 200 | 404 | 'either';
    deliveredAfterMs: number | null;
    times: number | null;
  };
  silentTtl: boolean;
  read: { probability: number; delay: Distribution };
  /** Whether reading posts a READ (the user's read-receipts setting). */
  readReceipts: boolean;
  reply: {
    probability: number;
    delay: Distribution;
    typing: boolean;
    suggestionShare: number;
    texts: string[];
    suggestion: { postbackData: string; text: string } | null;
  };
  unsubscribe: { probability: number; delay: Distribution };
}

/** The profile a number gets from the population, drawn from that number's own stream. */
export function drawProfile(phoneNumber: string, population: Population, traits: Prng): PhoneProfile {
  return {
    phoneNumber,
    rcs: traits.chance(population.rcsProbability),
    // The product's default table (shared/rbm/regions.ts): the platform's own mapping is unpublished.
    region: regionOf(phoneNumber),
    features: [...allFeatures],
    latency: population.latency,
    inFlight: population.inFlight,
    race: { always: false, answer: 'either', deliveredAfterMs: 500, times: null },
    silentTtl: false,
    read: { ...population.read },
    readReceipts: true,
    reply: { ...population.reply, texts: [...population.reply.texts], suggestion: null },
    unsubscribe: { ...population.unsubscribe },
  };
}

/** The profile with `rules` laid over it (offline windows are handled by Availability). */
export function applyRules(profile: PhoneProfile, rules: PhoneRules): PhoneProfile {
  const next: PhoneProfile = structuredClone(profile);
  if (rules.rcs !== undefined) next.rcs = rules.rcs;
  if (rules.region !== undefined) next.region = rules.region;
  if (rules.features) next.features = [...rules.features];
  if (rules.latency !== undefined) next.latency = rules.latency;
  if (rules.inFlight !== undefined) next.inFlight = rules.inFlight;
  if (rules.racesRevoke !== undefined) {
    const race = typeof rules.racesRevoke === 'object' ? rules.racesRevoke : {};
    next.race = {
      always: rules.racesRevoke !== false,
      answer: race.answer ?? next.race.answer,
      deliveredAfterMs:
        race.deliveredAfterMs === undefined ? next.race.deliveredAfterMs : race.deliveredAfterMs,
      times: race.times ?? null,
    };
  }
  if (rules.read) {
    next.read.probability = rules.read.probability ?? next.read.probability;
    next.read.delay = rules.read.delay ?? next.read.delay;
  }
  if (rules.silentTtl !== undefined) next.silentTtl = rules.silentTtl;
  if (rules.neverReads) next.read.probability = 0;
  if (rules.readReceipts !== undefined) next.readReceipts = rules.readReceipts;
  if (rules.reply) {
    const r = rules.reply;
    next.reply.probability = r.probability ?? next.reply.probability;
    next.reply.delay = r.delay ?? next.reply.delay;
    next.reply.typing = r.typing ?? next.reply.typing;
    if (r.text !== undefined) {
      next.reply.texts = [r.text];
      next.reply.suggestionShare = 0;
    }
    if (r.suggestion) {
      next.reply.suggestion = { ...r.suggestion };
      next.reply.suggestionShare = 1;
    }
  }
  if (rules.unsubscribe) {
    next.unsubscribe.probability = rules.unsubscribe.probability ?? next.unsubscribe.probability;
    next.unsubscribe.delay = rules.unsubscribe.delay ?? next.unsubscribe.delay;
  }
  return next;
}

import type { RbmRegion } from '../../../shared/rbm/regions.ts';
import { hashSeed, type Prng } from '../../common/random.ts';
import { ApiError } from '../api/google-errors.ts';
import type { ValidAgentMessage } from '../api/validation.ts';
import type { Timers } from '../core/timers.ts';
import type { MessageTruth, RevokeOutcome, Truth } from '../truth.ts';
import type { Publisher } from '../webhook/publisher.ts';
import { Availability } from './availability.ts';
import type { Phone, SimMessage } from './phone.ts';
import { applyRules, drawProfile, type PhoneProfile, type PhoneRules, type Population } from './profiles.ts';
import { UserBehaviour } from './user-behaviour.ts';

/**
 * The platform's view of phones and agent messages: queueing for offline
 * phones, delivery, revocation and its race, TTL expiry. Rules come from
 * docs/rbm-platform.md and the method pages cited inline.
 *
 * A message's path: queued (waits while the phone is offline, then for the
 * drawn latency) -> in-flight (the last `inFlight` ms of the latency: the
 * platform is handing it to the phone) -> delivered. A revoke or the TTL
 * removes a queued message; one that lands in-flight loses the race.
 */

export class PhoneNetwork {
  readonly #timers: Timers;
  readonly #root: Prng;
  readonly #truth: Truth;
  readonly #publisher: Publisher;
  readonly #behaviour: UserBehaviour;
  readonly #phones = new Map<string, Phone>();
  readonly #messages = new Map<string, SimMessage>();
  /** Per agent, every id used by a message or an event: they share one id space (agentEvents.create). */
  readonly #usedIds = new Map<string, Map<string, Record<string, unknown>>>();
  population: Population;

  constructor(deps: {
    timers: Timers;
    root: Prng;
    truth: Truth;
    publisher: Publisher;
    population: Population;
  }) {
    this.#timers = deps.timers;
    this.#root = deps.root;
    this.#truth = deps.truth;
    this.#publisher = deps.publisher;
    this.population = deps.population;
    this.#behaviour = new UserBehaviour({ timers: deps.timers, publisher: deps.publisher });
    this.#truth.refresh = () => {
      const now = this.#timers.now();
      for (const phone of this.#phones.values()) {
        phone.truth.online = phone.availability.isOnline(now);
        phone.truth.offlineWindows = phone.availability.windows(now);
      }
    };
  }

  get behaviour(): UserBehaviour {
    return this.#behaviour;
  }

  /** The phone behind a number, its profile drawn from that number's own stream on first use. */
  phone(number: string): Phone {
    let phone = this.#phones.get(number);
    if (phone) return phone;
    const stream = this.#root.fork('phone', number);
    const now = this.#timers.now();
    const profile = drawProfile(number, this.population, stream.fork('traits'));
    phone = {
      number,
      rules: {},
      profile,
      availability: new Availability(stream.fork('availability'), this.population.availability, now),
      draws: stream.fork('draws'),
      truth: {
        phoneNumber: number,
        rcs: profile.rcs,
        online: true,
        offlineWindows: [],
        received: [],
        userActivity: [],
        agentEvents: [],
        unsubscribedAt: null,
        conversationId: conversationIdFor(number),
      },
      lastAgentId: null,
      racesLost: 0,
    };
    this.#phones.set(number, phone);
    this.#truth.phones.set(number, phone.truth);
    return phone;
  }

  /** Lays explicit rules over a number's profile, effective now. Returns the resulting profile. */
  setRules(number: string, rules: PhoneRules): PhoneProfile {
    const phone = this.phone(number);
    phone.rules = { ...phone.rules, ...rules };
    phone.profile = applyRules(phone.profile, rules);
    phone.truth.rcs = phone.profile.rcs;
    if (rules.racesRevoke !== undefined) {
      phone.racesLost = 0;
      // The rule that held messages back is replaced: they go on to the phone as usual.
      for (const message of this.#messages.values()) {
        if (message.phone === phone && message.held && message.truth.status === 'queued') {
          message.held = false;
          this.#planDispatch(message);
        }
      }
    }
    if (rules.offline) {
      const now = this.#timers.now();
      phone.availability.setExplicit(
        rules.offline.map((w) => ({ from: now + (w.afterMs ?? 0), to: now + (w.afterMs ?? 0) + w.forMs })),
      );
      // Queued messages wait for the new schedule.
      for (const message of this.#messages.values()) {
        if (message.phone === phone && message.truth.status === 'queued' && !message.held) {
          message.cancelStage();
          this.#planDispatch(message);
        }
      }
    }
    return phone.profile;
  }

  /** phones.getCapabilities: 404 when the user cannot be reached over RBM. */
  capabilities(number: string): { features: string[] } {
    const phone = this.phone(number);
    if (!phone.profile.rcs) throw notReachable(number);
    return { features: [...phone.profile.features] };
  }

  /** A number's region and whether it is reachable over RBM, for users.batchGet. */
  reachability(number: string): { region: RbmRegion; reachable: boolean } {
    const { profile } = this.phone(number);
    return { region: profile.region, reachable: profile.rcs };
  }

  /**
   * Claims `id` in the agent's id space. Returns the earlier resource when the id
   * was used before: "The platform ignores any agent message sent with an ID that
   * was used by an earlier message or event sent from the same agent"
   * (https://developers.google.com/business-communications/rcs-business-messaging/reference/rest/v1/phones.agentMessages/create).
   */
  #earlierUse(agentId: string, id: string): Record<string, unknown> | undefined {
    return this.#usedIds.get(agentId)?.get(id);
  }

  #claim(agentId: string, id: string, resource: Record<string, unknown>): void {
    let ids = this.#usedIds.get(agentId);
    if (!ids) {
      ids = new Map();
      this.#usedIds.set(agentId, ids);
    }
    ids.set(id, resource);
  }

  /** phones.agentMessages.create. Returns the AgentMessage resource. */
  send(
    agentId: string,
    number: string,
    messageId: string,
    valid: ValidAgentMessage,
  ): Record<string, unknown> {
    const earlier = this.#earlierUse(agentId, messageId);
    if (earlier) {
      // Ignored, as the platform does. Sandbox's choice: answer 200 with the earlier resource.
      const original = this.#messages.get(messageId);
      if (original && original.truth.agentId === agentId) original.truth.ignoredResends += 1;
      return earlier;
    }
    const phone = this.phone(number);
    if (!phone.profile.rcs) throw notReachable(number);
    const now = this.#timers.now();
    const resource: Record<string, unknown> = {
      name: `phones/${number}/agentMessages/${messageId}`,
      sendTime: new Date(now).toISOString(),
      ...valid.body,
    };
    this.#claim(agentId, messageId, resource);
    phone.lastAgentId = agentId;
    const truth: MessageTruth = {
      messageId,
      agentId,
      phoneNumber: number,
      text: valid.text,
      messageTrafficType: valid.messageTrafficType,
      acceptedAt: now,
      expireAt: valid.expireAt,
      status: 'queued',
      deliveredAt: null,
      readAt: null,
      readReported: false,
      revokedAt: null,
      neverDelivered: false,
      revokeAttempts: [],
      ttl: null,
      ignoredResends: 0,
    };
    this.#truth.messages.set(messageId, truth);
    const message: SimMessage = {
      truth,
      phone,
      suggestions: valid.suggestions,
      resource,
      cancelStage: () => {},
      cancelTtl: () => {},
      held: false,
    };
    this.#messages.set(messageId, message);
    message.cancelTtl =
      valid.expireAt === null
        ? this.#timers.at(now + undeliveredRetentionMs, () => this.#discard(message))
        : this.#timers.at(valid.expireAt, () => this.#expire(message));
    this.#planDispatch(message);
    return resource;
  }

  /**
   * phones.agentMessages.delete. 200 removes an undelivered message from the
   * queue; 404 when it was delivered (docs/rbm-platform.md#revoke). Unknown or already
   * revoked ids also answer 404 (UNCONFIRMED in the docs; the sandbox's choice).
   * A revoke that lands mid-delivery races it: it answers 200 or 404 and a
   * DELIVERED follows (docs/rbm-platform.md#the-race).
   */
  revoke(agentId: string, number: string, messageId: string): 200 | 404 {
    const message = this.#messages.get(messageId);
    if (!message || message.truth.agentId !== agentId || message.truth.phoneNumber !== number) {
      return 404;
    }
    const truth = message.truth;
    const now = this.#timers.now();
    const record = (answer: 200 | 404, outcome: RevokeOutcome): 200 | 404 => {
      truth.revokeAttempts.push({ at: now, answer, outcome });
      return answer;
    };
    switch (truth.status) {
      case 'delivered':
        return record(404, 'already-delivered');
      case 'revoked':
      case 'expired':
        return record(404, 'already-gone');
      case 'in-flight':
        return record(this.#raceAnswer(message.phone), 'lost-race');
      case 'queued': {
        if (this.#racesByRule(message.phone)) {
          const answer = this.#raceAnswer(message.phone);
          this.#loseRace(message);
          return record(answer, 'lost-race');
        }
        message.cancelStage();
        message.cancelTtl();
        truth.status = 'revoked';
        truth.revokedAt = now;
        truth.neverDelivered = true;
        return record(200, 'revoked');
      }
    }
  }

  /** phones.agentEvents.create: READ of a user's message, or IS_TYPING. Returns the AgentEvent resource. */
  agentEvent(
    agentId: string,
    number: string,
    eventId: string,
    event: { eventType: 'READ'; messageId: string } | { eventType: 'IS_TYPING' },
  ): Record<string, unknown> {
    const earlier = this.#earlierUse(agentId, eventId);
    if (earlier) return earlier;
    const phone = this.phone(number);
    if (!phone.profile.rcs) throw notReachable(number);
    const now = this.#timers.now();
    const messageId = event.eventType === 'READ' ? event.messageId : null;
    const resource: Record<string, unknown> = {
      name: `phones/${number}/agentEvents/${eventId}`,
      eventType: event.eventType,
      ...(messageId && { messageId }),
      sendTime: new Date(now).toISOString(),
    };
    this.#claim(agentId, eventId, resource);
    phone.truth.agentEvents.push({ at: now, eventId, eventType: event.eventType, messageId });
    return resource;
  }

  /** Sandbox-only: the agent message record, for the user-behaviour control. */
  message(messageId: string): SimMessage | undefined {
    return this.#messages.get(messageId);
  }

  #planDispatch(message: SimMessage): void {
    if (message.held) return;
    const at = message.phone.availability.nextOnline(this.#timers.now());
    message.cancelStage = this.#timers.at(at, () => this.#dispatch(message));
  }

  /** The phone is online: the message spends its latency queued, then its last part in flight. */
  #dispatch(message: SimMessage): void {
    if (message.truth.status !== 'queued') return;
    const phone = message.phone;
    if (!phone.availability.isOnline(this.#timers.now())) {
      this.#planDispatch(message);
      return;
    }
    const latency = phone.draws.sample(phone.profile.latency);
    const inFlight = Math.min(latency, phone.draws.sample(phone.profile.inFlight));
    message.cancelStage = this.#timers.after(latency - inFlight, () => {
      if (message.truth.status !== 'queued') return;
      // Went offline while waiting: back to the queue until it returns.
      if (!phone.availability.isOnline(this.#timers.now())) {
        this.#planDispatch(message);
        return;
      }
      message.truth.status = 'in-flight';
      message.cancelStage = this.#timers.after(inFlight, () => this.#deliver(message));
    });
  }

  #deliver(message: SimMessage): void {
    const truth = message.truth;
    if (truth.status === 'delivered' || truth.status === 'revoked' || truth.status === 'expired') return;
    const now = this.#timers.now();
    message.cancelStage();
    message.cancelTtl();
    truth.status = 'delivered';
    truth.deliveredAt = now;
    message.phone.truth.received.push({ messageId: truth.messageId, at: now });
    this.#publisher.userEvent(truth.agentId, truth.phoneNumber, 'DELIVERED', truth.messageId);
    this.#behaviour.afterDelivery(message);
  }

  /** 30 days without delivery and no expiry set: the platform drops the message silently. */
  #discard(message: SimMessage): void {
    if (message.truth.status !== 'queued') return;
    message.cancelStage();
    message.truth.status = 'expired';
    message.truth.neverDelivered = true;
  }

  /**
   * A revoke (or the TTL) lost the race: DELIVERED follows `deliveredAfterMs` later. With
   * `deliveredAfterMs: null` the message stays queued and is held there, online phone or not:
   * its delivery timer is cancelled, so no DELIVERED comes until a later revoke or the TTL
   * removes it, or the rule is changed (setRules releases it).
   */
  #loseRace(message: SimMessage): void {
    const after = message.phone.profile.race.deliveredAfterMs;
    if (message.truth.status !== 'queued') return;
    message.cancelStage();
    if (after === null) {
      message.held = true;
      message.cancelStage = () => {};
      return;
    }
    message.held = false;
    message.truth.status = 'in-flight';
    message.cancelStage = this.#timers.after(after, () => this.#deliver(message));
  }

  /** The racesRevoke rule applies to this revoke (and uses up one of its times). */
  #racesByRule(phone: Phone): boolean {
    const race = phone.profile.race;
    if (!race.always || (race.times !== null && phone.racesLost >= race.times)) return false;
    phone.racesLost += 1;
    return true;
  }

  #raceAnswer(phone: Phone): 200 | 404 {
    const answer = phone.profile.race.answer;
    if (answer !== 'either') return answer;
    return phone.draws.chance(0.5) ? 200 : 404;
  }

  /**
   * TTL reached: "At expiry the platform itself revokes and posts a server event":
   * TTL_EXPIRATION_REVOKED, or TTL_EXPIRATION_REVOKE_FAILED when the message was
   * mid-delivery (docs/rbm-platform.md#payloads). A number with `silentTtl` gets the same
   * revocation and no event (docs/rbm-platform.md#ttl-notices, "neither").
   */
  #expire(message: SimMessage): void {
    const truth = message.truth;
    const now = this.#timers.now();
    if (truth.status !== 'queued' && truth.status !== 'in-flight') return;
    const notified = !message.phone.profile.silentTtl;
    if (truth.status === 'in-flight' || this.#racesByRule(message.phone)) {
      truth.ttl = { at: now, outcome: 'revoke-failed', notified };
      this.#loseRace(message);
      if (notified) {
        this.#publisher.serverEvent(
          truth.agentId,
          truth.phoneNumber,
          'TTL_EXPIRATION_REVOKE_FAILED',
          truth.messageId,
        );
      }
      return;
    }
    message.cancelStage();
    truth.status = 'expired';
    truth.revokedAt = now;
    truth.neverDelivered = true;
    truth.ttl = { at: now, outcome: 'revoked', notified };
    if (notified) {
      this.#publisher.serverEvent(
        truth.agentId,
        truth.phoneNumber,
        'TTL_EXPIRATION_REVOKED',
        truth.messageId,
      );
    }
  }
}

/**
 * "RBM deletes any undelivered messages 30 days after they were submitted"
 * (guides/build/messages/send). No event is documented for it, so none is posted.
 */
export const undeliveredRetentionMs = 30 * 24 * 3_600_000;

function notReachable(number: string): ApiError {
  // "If you send a message to a user whose device doesn't support RCS or doesn't have RCS enabled,
  // the RBM platform returns a 404 NOT_FOUND error" (guides/build/messages/send).
  return new ApiError(404, `Requested entity was not found: ${number} is not reachable over RBM.`);
}

/** A stable, opaque conversation id per number for the Business Messages receipts shape. */
export function conversationIdFor(number: string): string {
  const a = hashSeed('conversation', number).toString(16).padStart(8, '0');
  const b = hashSeed(number, 'conversation').toString(16).padStart(8, '0');
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-8${a.slice(1, 4)}-${b}${a.slice(0, 4)}`;
}

import type { Timers } from '../core/timers.ts';
import type { UserAction } from '../truth.ts';
import type { UserMessageContent } from '../webhook/payloads.ts';
import type { Publisher } from '../webhook/publisher.ts';
import type { Phone, SimMessage } from './phone.ts';

/**
 * What the person holding the phone does once a message arrives: reads it
 * (READ), types (IS_TYPING) and replies (text or a tapped suggestion), or opts
 * out (the keyword STOP and an UNSUBSCRIBE event). Drawn from the number's
 * profile, or triggered on demand through the control API.
 */
export class UserBehaviour {
  readonly #timers: Timers;
  readonly #publisher: Publisher;

  constructor(deps: { timers: Timers; publisher: Publisher }) {
    this.#timers = deps.timers;
    this.#publisher = deps.publisher;
  }

  /** Plans read / reply / opt-out for a just-delivered message. Every draw is made here, in a fixed order. */
  afterDelivery(message: SimMessage): void {
    const { profile, draws } = message.phone;
    const reads = draws.chance(profile.read.probability);
    const readDelay = draws.sample(profile.read.delay);
    const replies = draws.chance(profile.reply.probability);
    const replyDelay = draws.sample(profile.reply.delay);
    const tapsSuggestion = draws.chance(profile.reply.suggestionShare);
    const textIndex = draws.next();
    const optsOut = draws.chance(profile.unsubscribe.probability);
    const optOutDelay = draws.sample(profile.unsubscribe.delay);
    const now = this.#timers.now();

    if (reads) {
      this.#whenOnline(message.phone, now + readDelay, () => {
        if (!this.read(message)) return;
        if (!replies) return;
        const content = this.#replyContent(message, tapsSuggestion, textIndex);
        const agentId = message.truth.agentId;
        if (profile.reply.typing) {
          // IS_TYPING shortly before the reply arrives.
          this.#timers.after(Math.max(0, replyDelay - Math.min(3_000, replyDelay / 2)), () =>
            this.act(message.phone, { type: 'typing' }, agentId),
          );
        }
        this.#timers.after(replyDelay, () => this.act(message.phone, content, agentId));
      });
    }
    if (optsOut) {
      this.#whenOnline(message.phone, now + optOutDelay, () =>
        this.act(message.phone, { type: 'unsubscribe' }, message.truth.agentId),
      );
    }
  }

  /**
   * The user opens the message: READ, once, unless they turned read receipts off (then only
   * the truth knows). Returns false if it was not delivered or already read.
   */
  read(message: SimMessage): boolean {
    const truth = message.truth;
    if (truth.status !== 'delivered' || truth.readAt !== null) return false;
    truth.readAt = this.#timers.now();
    if (!message.phone.profile.readReceipts) return true;
    truth.readReported = true;
    this.#publisher.userEvent(truth.agentId, truth.phoneNumber, 'READ', truth.messageId);
    return true;
  }

  /** Something the user does on their own: type, reply, tap a suggestion, opt out or back in. */
  act(phone: Phone, action: UserAction, agentId: string): void {
    const at = this.#timers.now();
    const number = phone.number;
    switch (action.type) {
      case 'typing':
        this.#publisher.userEvent(agentId, number, 'IS_TYPING');
        phone.truth.userActivity.push({ at, messageId: null, ...action });
        return;
      case 'text':
      case 'suggestion': {
        const content: UserMessageContent =
          action.type === 'text'
            ? { text: action.text }
            : { suggestionResponse: { postbackData: action.postbackData, text: action.text, type: 'REPLY' } };
        const messageId = this.#publisher.userMessage(agentId, number, content);
        phone.truth.userActivity.push({ at, messageId, ...action });
        return;
      }
      case 'unsubscribe': {
        // The opt-out keyword arrives as a user message, with the UNSUBSCRIBE event (UNCONFIRMED:
        // docs/rbm-platform.md#unconfirmed). Sandbox's choice: the text first.
        const messageId = this.#publisher.userMessage(agentId, number, { text: 'STOP' });
        this.#publisher.userEvent(agentId, number, 'UNSUBSCRIBE');
        phone.truth.userActivity.push({ at, messageId, ...action });
        phone.truth.unsubscribedAt = at;
        return;
      }
      case 'subscribe':
        this.#publisher.userEvent(agentId, number, 'SUBSCRIBE');
        phone.truth.userActivity.push({ at, messageId: null, ...action });
        phone.truth.unsubscribedAt = null;
        return;
    }
  }

  /** Runs `fn` at `at`, or when the phone is next online: an offline phone sends nothing. */
  #whenOnline(phone: Phone, at: number, fn: () => void): void {
    this.#timers.at(at, () => {
      const online = phone.availability.nextOnline(this.#timers.now());
      if (online > this.#timers.now()) this.#timers.at(online, fn);
      else fn();
    });
  }

  /** A tapped suggestion from the message itself when it offered some, else a typed text. */
  #replyContent(message: SimMessage, tapsSuggestion: boolean, textIndex: number): UserAction {
    const reply = message.phone.profile.reply;
    if (tapsSuggestion) {
      if (reply.suggestion) return { type: 'suggestion', ...reply.suggestion };
      const offered = message.suggestions
        .map((s) => (s.reply ?? s.action) as { text?: unknown; postbackData?: unknown } | undefined)
        .filter((s) => typeof s?.text === 'string' && typeof s.postbackData === 'string');
      if (offered.length > 0) {
        const chosen = offered[Math.floor(textIndex * offered.length)]!;
        return {
          type: 'suggestion',
          postbackData: chosen.postbackData as string,
          text: chosen.text as string,
        };
      }
    }
    const texts = reply.texts.length > 0 ? reply.texts : ['OK'];
    return { type: 'text', text: texts[Math.floor(textIndex * texts.length)]! };
  }
}

import { describe, expect, it } from 'vitest';
import { parseBody } from '../../shared/rbm/envelope.ts';
import { parsePayload } from '../../shared/rbm/payloads.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const sendTime = '2026-11-21T12:00:00.123Z';

describe('parseBody', () => {
  it('recognises the registration handshake', () => {
    expect(parseBody({ clientToken: 't', secret: 's' })).toEqual({
      kind: 'handshake',
      handshake: { clientToken: 't', secret: 's' },
    });
  });

  it('decodes a push envelope to the exact bytes', () => {
    const data = Buffer.from('{"a": 1}');
    const parsed = parseBody({
      message: { data: data.toString('base64'), messageId: '42', attributes: { type: 'x' } },
      subscription: 's',
    });
    expect(parsed.kind).toBe('envelope');
    if (parsed.kind !== 'envelope') return;
    expect(parsed.envelope.data.equals(data)).toBe(true);
    expect(parsed.envelope.pubsubMessageId).toBe('42');
    expect(parsed.envelope.attributes).toEqual({ type: 'x' });
  });

  it('refuses bodies that are neither, and data that is not base64', () => {
    expect(parseBody({ hello: 1 }).kind).toBe('invalid');
    expect(parseBody(null).kind).toBe('invalid');
    expect(parseBody({ message: { data: 'not base64!' } })).toEqual({
      kind: 'invalid',
      reason: 'message.data is not base64',
    });
  });
});

describe('parsePayload', () => {
  it('reads a DELIVERED user event as a delivery fact', () => {
    const parsed = parsePayload(
      json({
        senderPhoneNumber: '+14155550123',
        eventType: 'DELIVERED',
        eventId: 'ev-1',
        messageId: 'msg-1',
        sendTime,
        agentId: 'agent',
      }),
      {},
    );
    expect(parsed).toMatchObject({
      ok: true,
      payload: {
        kind: 'delivery',
        events: [
          {
            eventId: 'ev-1',
            fact: { type: 'DELIVERED', messageId: 'msg-1', phoneNumber: '+14155550123', agentId: 'agent' },
          },
        ],
      },
    });
    if (parsed.ok && parsed.payload.kind === 'delivery') {
      expect(parsed.payload.events[0]!.fact.at.toISOString()).toBe(sendTime);
    }
  });

  it('reads server events by their phoneNumber field', () => {
    const parsed = parsePayload(
      json({
        phoneNumber: '+14155550123',
        eventType: 'TTL_EXPIRATION_REVOKED',
        eventId: 'ev-2',
        messageId: 'msg-1',
        sendTime,
        agentId: 'agent',
      }),
      {},
    );
    expect(parsed).toMatchObject({
      ok: true,
      payload: { kind: 'delivery', events: [{ fact: { type: 'TTL_EXPIRATION_REVOKED' } }] },
    });
  });

  it('reads user events without a message id', () => {
    const parsed = parsePayload(
      json({
        senderPhoneNumber: '+14155550123',
        eventType: 'UNSUBSCRIBE',
        eventId: 'ev-3',
        sendTime,
        agentId: 'agent',
      }),
      {},
    );
    expect(parsed).toMatchObject({ ok: true, payload: { kind: 'user_event', eventType: 'UNSUBSCRIBE' } });
  });

  it('reads user messages of every content kind', () => {
    for (const content of [
      { text: 'hi' },
      { suggestionResponse: { postbackData: 'yes', text: 'Yes' } },
      { location: { latitude: 1, longitude: 2 } },
      { userFile: { payload: { mimeType: 'image/png', fileUri: 'https://x' } } },
    ]) {
      const parsed = parsePayload(
        json({ senderPhoneNumber: '+14155550123', messageId: 'u-1', sendTime, agentId: 'a', ...content }),
        {},
      );
      expect(parsed).toMatchObject({ ok: true, payload: { kind: 'user_message', messageId: 'u-1' } });
    }
  });

  it('reads agent launch events by their attribute', () => {
    const parsed = parsePayload(json({ eventId: 'l-1', agentId: 'a', newLaunchState: 'LAUNCHED' }), {
      type: 'agent_launch_event',
    });
    expect(parsed).toMatchObject({ ok: true, payload: { kind: 'agent_launch', eventId: 'l-1' } });
  });

  it('splits a batch of receipts into one fact per message, with stable ids', () => {
    const batch = {
      agent: 'brands/b/agents/agent-9',
      conversationId: 'c',
      receipts: {
        receipts: [
          { message: 'conversations/c/messages/m-1', receiptType: 'DELIVERED' },
          { message: 'conversations/c/messages/m-2', receiptType: 'READ' },
        ],
        createTime: sendTime,
      },
    };
    const first = parsePayload(json(batch), {});
    const again = parsePayload(json(batch), {});
    expect(first).toEqual(again);
    expect(first).toMatchObject({
      ok: true,
      payload: {
        kind: 'delivery',
        events: [
          { fact: { type: 'DELIVERED', messageId: 'm-1', agentId: 'agent-9' } },
          { fact: { type: 'READ', messageId: 'm-2' } },
        ],
      },
    });
    if (first.ok && first.payload.kind === 'delivery') {
      const [a, b] = first.payload.events;
      expect(a!.eventId).not.toBe(b!.eventId);
    }
  });

  it('keeps unknown kinds raw', () => {
    const parsed = parsePayload(json({ somethingNew: true }), {});
    expect(parsed).toMatchObject({ ok: true, payload: { kind: 'unknown', raw: { somethingNew: true } } });
  });

  it('reads a server event (a TTL notice) with any other status as inconclusive, as Google says to', () => {
    for (const eventType of ['EVENT_TYPE_UNSPECIFIED', 'TTL_EXPIRATION_SOMETHING_NEW']) {
      const parsed = parsePayload(
        json({
          phoneNumber: '+14155550123',
          eventType,
          eventId: 'ev-3',
          messageId: 'msg-1',
          sendTime,
          agentId: 'a',
        }),
        {},
      );
      expect(parsed, eventType).toMatchObject({
        ok: true,
        payload: {
          kind: 'delivery',
          events: [{ eventId: 'ev-3', fact: { type: 'TTL_INCONCLUSIVE', messageId: 'msg-1' } }],
          raw: { eventType },
        },
      });
    }
  });

  it('keeps an event type it does not know raw, rather than dead-lettering it', () => {
    for (const field of ['senderPhoneNumber', 'phoneNumber']) {
      const event = {
        [field]: '+14155550123',
        eventType: 'NEW_FUTURE_EVENT',
        eventId: 'e',
        sendTime,
        agentId: 'a',
      };
      expect(parsePayload(json(event), {})).toMatchObject({
        ok: true,
        payload: { kind: 'unknown', raw: event },
      });
    }
  });

  it('explains what is wrong with a known kind that does not parse', () => {
    expect(parsePayload(Buffer.from('nope'), {})).toEqual({ ok: false, reason: 'message.data is not JSON' });
    const noMessageId = parsePayload(
      json({ senderPhoneNumber: '+14155550123', eventType: 'READ', eventId: 'e', sendTime, agentId: 'a' }),
      {},
    );
    expect(noMessageId).toEqual({ ok: false, reason: 'messageId: required on READ' });
    const badPhone = parsePayload(
      json({
        senderPhoneNumber: '555',
        eventType: 'READ',
        eventId: 'e',
        messageId: 'm',
        sendTime,
        agentId: 'a',
      }),
      {},
    );
    expect(badPhone.ok).toBe(false);
    if (!badPhone.ok) expect(badPhone.reason).toContain('senderPhoneNumber');
  });
});

import { describe, expect, it } from 'vitest';
import { registerMessage } from '../../../shared/lifecycle/registration.ts';
import { messageRequestSchema, prepareMessage } from '../../../shared/messages/request.ts';
import { claimMessageId } from '../../../shared/store/message-queries.ts';
import {
  messageRequest,
  offlineForADay,
  phoneNumbers,
  revokeTasksOf,
  storedDoc,
} from '../../helpers/messages-api.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * A send whose process died after claiming the id and before recording the
 * send leaves a claim (`send.state` 'sending'). The business retries the same
 * request. Before the deadline the retry completes it, keeping the first
 * try's deadline; after the deadline nothing is sent (the message would reach
 * the phone stale) and the revoke runs at once to clear what the first try
 * may have put on the platform. Found by the chaos run: a retry 40 minutes
 * late sent the OTP after its SMS had gone out.
 */

const h = useStack();
const nextPhone = phoneNumbers(3);
const retentionMs = 90 * 24 * 3_600_000;

/** What a try that died between its claim and the platform call leaves in Firestore. */
async function crashedTry(request: Record<string, unknown>) {
  const prepared = prepareMessage(messageRequestSchema.parse(request), new Date(h.clock.now()), {
    agentId: h.stack.agentId,
    newId: () => 'unused',
  });
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.errors));
  const now = new Date(h.clock.now());
  const claim = registerMessage(undefined, prepared.message, { state: 'sending', at: now }, now);
  expect(await claimMessageId(h.stack.db, claim.message, retentionMs)).toBeDefined();
  return prepared.message.deadline;
}

describe('a retry of a send whose first try died mid-send', () => {
  it('before the deadline: sent once, with the first try deadline (revokeAfter counts from the first try)', async () => {
    const phone = nextPhone();
    h.stack.rbm.setPhone(phone, offlineForADay);
    const request = messageRequest(phone, { revokeAfter: '10m' });
    const deadline = await crashedTry(request);

    await h.advance(3 * 60_000);
    const retry = await h.send(request);

    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(h.stack.rbm.truth.messagesTo(phone)).toHaveLength(1);
    const stored = await storedDoc(h, request.messageId);
    expect(stored?.send.state).toBe('sent');
    expect(stored?.deadline.toDate()).toEqual(deadline);
    expect(revokeTasksOf(h, request.messageId).map((t) => t.scheduleTime)).toEqual([deadline.getTime()]);
  });

  it('after the deadline: 200, nothing sent, the revoke runs now, and the OTP ends with its SMS', async () => {
    const phone = nextPhone();
    h.stack.rbm.setPhone(phone, offlineForADay);
    const request = messageRequest(phone, { revokeAfter: '2m' });
    await crashedTry(request);

    await h.advance(3 * 60_000);
    const retry = await h.send(request);

    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(h.stack.rbm.truth.messagesTo(phone), 'nothing sent after the deadline').toHaveLength(0);
    // Due at once, so it already ran: a DELETE answered 404, the confirm step waits out the grace.
    const revoking = await storedDoc(h, request.messageId);
    expect(revoking?.revocation).toMatchObject({ attempts: 1, lastStatus: 404, round: 1 });
    expect(revoking?.send.state, 'the claim stays a claim: nothing was sent').toBe('sending');

    // The platform never had it: 404 in every round, no DELIVERED, and the OTP policy falls back.
    await h.advance(30 * 60_000);
    const stored = await storedDoc(h, request.messageId);
    expect(stored?.status).toBe('sms_sent');
    expect(stored?.dueAt).toBeUndefined();
    expect(h.stack.sms.sent(phone)).toHaveLength(1);
    expect(h.stack.rbm.truth.messagesTo(phone)).toHaveLength(0);

    // A retry after all that changes nothing.
    expect((await h.send(request)).status).toBe(200);
    expect(h.stack.rbm.truth.messagesTo(phone)).toHaveLength(0);
    expect(h.stack.sms.sent(phone)).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { unansweredCalls } from '../../../local/chaos/judge.ts';
import { useFirestoreEmulator } from '../../helpers/firestore.ts';

/*
 * The chaos judge allows a message one claim lease for each call a killed process left
 * unanswered (docs/scenarios.md#bounds-law-6). It counts them from what the functions store:
 * a revoke claim raises `revocation.attempts` and its timeline entry is written only with the
 * answer; an SMS claim writes its attempt entry as "sending" and the answer overwrites it.
 */

const fs = useFirestoreEmulator();

describe('the chaos judge counts the calls a killed process left unanswered', () => {
  it('revoke claims without an answered entry, and SMS attempts still "sending"', async () => {
    const message = fs.db.collection('messages').doc('m1');
    await message.set({
      revocation: { attempts: 4 },
      fallback: { attempts: 2 },
      escalation: { attempts: 1 },
    });
    const timeline = message.collection('events');
    await Promise.all([
      timeline.doc('revoke-attempt-1').set({ type: 'REVOKE_ATTEMPT', outcome: 'retry' }),
      timeline.doc('revoke-attempt-4').set({ type: 'REVOKE_ATTEMPT', outcome: 'not_found' }),
      timeline.doc('revoke-confirm-1').set({ type: 'REVOKE_CONFIRM', outcome: 'not_found' }),
      timeline.doc('fallback-attempt-1').set({ type: 'FALLBACK_ATTEMPT', outcome: 'sending' }),
      timeline.doc('fallback-attempt-2').set({ type: 'FALLBACK_ATTEMPT', outcome: 'sent' }),
      timeline.doc('escalation-attempt-1').set({ type: 'ESCALATION_ATTEMPT', outcome: 'sending' }),
      timeline.doc('delivered-event').set({ type: 'DELIVERED' }),
    ]);

    expect(await unansweredCalls(fs.db, 'm1')).toEqual({ unansweredRevokeCalls: 2, unansweredSmsCalls: 2 });
  });

  it('a message whose every call was answered, or that has no record, counts none', async () => {
    const message = fs.db.collection('messages').doc('m2');
    await message.set({ revocation: { attempts: 1 }, fallback: { attempts: 1 } });
    await message.collection('events').doc('revoke-attempt-1').set({ outcome: 'confirmed' });
    await message.collection('events').doc('fallback-attempt-1').set({ outcome: 'sent' });

    expect(await unansweredCalls(fs.db, 'm2')).toEqual({ unansweredRevokeCalls: 0, unansweredSmsCalls: 0 });
    expect(await unansweredCalls(fs.db, 'none')).toEqual({ unansweredRevokeCalls: 0, unansweredSmsCalls: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { fallbackSmsCount } from '../../local/stack/consistency.ts';

// The demo counts a duplicate delivery on an online phone from the SMS sandbox's record of the
// number, which holds the escalation's nudge too: only the fallback's SMS make a duplicate.

describe("the SMS a number got that were the fallback's", () => {
  it('all of them when no nudge went out', () => {
    expect(fallbackSmsCount({ escalation: undefined }, 1)).toBe(1);
    expect(fallbackSmsCount({ escalation: { state: 'skipped' } }, 0)).toBe(0);
  });

  it('one fewer when a nudge was sent, or may have been (its outcome never learnt)', () => {
    expect(fallbackSmsCount({ escalation: { state: 'sent' } }, 1)).toBe(0);
    expect(fallbackSmsCount({ escalation: { state: 'sent' } }, 2)).toBe(1);
    expect(fallbackSmsCount({ escalation: { state: 'failed', outcomeUnknown: true } }, 1)).toBe(0);
    expect(fallbackSmsCount({ escalation: { state: 'failed', outcomeUnknown: true } }, 0)).toBe(0);
  });
});

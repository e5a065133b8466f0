import { describe, expect, it } from 'vitest';
import { runChaos } from '../../../local/chaos/run.ts';

/*
 * `npm run chaos`, scaled down: 30 messages of the demo mix on the local
 * stack in process mode while every fault is on (random SIGKILLs, kills
 * inside transactions and after a DELETE, a commit or an SMS took effect,
 * RBM 503/429, SMS failures, lost Cloud Tasks dispatches, Firestore stalls,
 * webhook duplicates and reordering). Every message must end consistent with
 * the sandboxes' ground truth, by its deadline plus its bound, and every
 * platform event must be stored. The full run (5,000 messages) is a command
 * of its own; its figures are in docs/RELIABILITY.md.
 */

describe('a scaled-down chaos run', () => {
  it('ends with every message consistent, in time, with every event stored', async () => {
    const report = await runChaos({
      messages: 30,
      seed: 11,
      timeScale: 60,
      killEveryMs: 1_000,
      stallEveryMs: 6_000,
      stallMs: 1_500,
    });

    expect(report.violations).toEqual([]);
    expect(report.settled).toBe(report.messages);
    // The faults really happened.
    const randomKills = Object.values(report.kills.random ?? {}).reduce((a, b) => a + (b ?? 0), 0);
    expect(randomKills).toBeGreaterThan(5);
    expect(report.restarts).toBeGreaterThan(5);
    expect(report.firestoreStalls.count).toBeGreaterThan(0);
    expect(report.eventsStored).toBeGreaterThan(report.messages / 2);
  }, 240_000);
});

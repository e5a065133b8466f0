import type { Prng } from '../common/random.ts';
import type { FaultRule } from '../rbm-sandbox/index.ts';
import { type FunctionName, functionNames } from '../stack/functions-server.ts';
import type { Stack } from '../stack/start.ts';
import type { Killer } from './killer.ts';

/*
 * Every fault of a chaos run, switched on together and off together:
 * random SIGKILLs, kills at the worst moments (inside a transaction, after
 * a commit, after a DELETE or an SMS took effect and before the caller
 * heard), RBM 503 and 429 on revokes (scattered and in bursts) and answers
 * past the time-out, SMS failures before and after sending, dropped
 * connections and answers that never come, Cloud Tasks dispatches lost, a stalled
 * Firestore, and webhook duplicates and reordering.
 */

const chaosWebhook = { duplicateRate: 0.2, reorderRate: 0.2, reorderDelayMs: 10_000 };

export interface FaultSettings {
  /** Clock speed vs real time: time-outs are real, the sandbox's delays are clock time. */
  timeScale: number;
  /** Mean real time between two random kills, ms. */
  killEveryMs: number;
  /** Mean real time between two Firestore stalls, ms; each lasts `stallMs`. */
  stallEveryMs: number;
  stallMs: number;
}

export const faultDescription = {
  kills:
    'SIGKILL of a random function process; of the caller inside 0.2% of transactions, after 0.2% of commits, after 1% of revoke DELETEs and after 5% of SMS sends took effect',
  rbmRevoke:
    '503 on 20% of revokes, 429 (Retry-After 5 s) on 10%, 5% answered after 15 s (past the 10 s time-out; the DELETE takes effect then); bursts of 3 s in which every revoke gets 503 or 429, every 30 s on average',
  sms: '503 before sending on 15% of sends, 503 after sending on 10%, dropped connections on 5%, no answer at all (a time-out) before sending on 3% and after sending on 3%',
  tasks: '0.5% of due Cloud Tasks dispatches lost',
  firestore: 'every RPC held for the stall time, at random moments',
  webhook: '20% of deliveries repeated, 20% reordered by up to 10 s',
};

export interface RunningFaults {
  /** Real ms Firestore was stalled so far. */
  readonly stalledMs: number;
  readonly stalls: number;
  readonly lostDispatches: number;
  readonly rbmBursts: number;
  /** Real ms the faults have been (or were) on. */
  readonly realMs: number;
  /** Switches every fault off and waits for killed processes to be back. */
  stop(): Promise<void>;
}

export function startFaults(
  stack: Stack,
  killer: Killer,
  draws: Prng,
  settings: FaultSettings,
): RunningFaults {
  const emulator = stack.firestoreEmulator;
  if (!emulator) throw new Error('a chaos run needs the embedded Firestore emulator');
  const rbmFaults: FaultRule[] = [
    { endpoint: 'revoke', kind: 'error', status: 503, rate: 0.2 },
    { endpoint: 'revoke', kind: 'rate-limit', retryAfterSeconds: 5, rate: 0.1 },
    // 15 s of real time, past RBM_TIMEOUT_MS (10 s): the call times out, the DELETE lands later.
    { endpoint: 'revoke', kind: 'slow', delayMs: 15_000 * settings.timeScale, rate: 0.05 },
  ];
  const bursts: FaultRule[] = [
    { endpoint: 'revoke', kind: 'error', status: 503 },
    { endpoint: 'revoke', kind: 'rate-limit', retryAfterSeconds: 30 },
  ];
  stack.rbm.setFaults(rbmFaults);
  const calmWebhook = stack.rbm.webhookSettings();
  stack.rbm.configureWebhook(chaosWebhook);
  stack.sms.setFailures([
    { status: 503, rate: 0.15 },
    { status: 503, rate: 0.1, phase: 'after' },
    { kind: 'drop', rate: 0.05 },
    { kind: 'hang', rate: 0.03 },
    { kind: 'hang', rate: 0.03, phase: 'after' },
  ]);
  stack.rbm.onEffect((effect) => {
    // 1%, not the SMS's 5%: a kill resets every call its instance holds, and a revoke instance
    // holds many (slow and timed-out DELETEs, stalled Firestore calls); at 5% of DELETEs the
    // revoke instances were killed every two seconds and down a third of the run
    // (docs/RELIABILITY.md, "Full runs"), so the run measured a service that never stays up.
    if (effect.endpoint === 'revoke' && draws.chance(0.01))
      killer.killCaller(effect.remotePort, 'after the DELETE took effect, before the answer');
  });
  stack.sms.onAccepted((_sms, caller) => {
    if (draws.chance(0.05)) killer.killCaller(caller.remotePort, 'after the SMS went out, before the answer');
  });
  emulator.onCall((call) => {
    if (!call.transactional) return;
    if (call.rpc === 'Commit') {
      if (draws.chance(0.002)) killer.killCaller(call.remotePort, 'after its commit, before the answer');
    } else if (call.rpc !== 'Rollback' && draws.chance(0.002)) {
      killer.killCaller(call.remotePort, 'inside a transaction');
    }
  });
  let lostDispatches = 0;
  stack.tasks.loseDispatches(() => {
    if (!draws.chance(0.005)) return false;
    lostDispatches += 1;
    return true;
  });

  let stopped = false;
  const startedAt = performance.now();
  let stoppedAt: number | undefined;
  let stalledMs = 0;
  let stalls = 0;
  let rbmBursts = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const every = (meanMs: number, act: () => void) => {
    const next = () => {
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          if (stopped) return;
          act();
          next();
        },
        meanMs * (0.5 + draws.next()),
      );
      timers.add(timer);
    };
    next();
  };
  // The outcomes function has no work in a chaos run (outcome push is off): kills go where the work is.
  const killable = functionNames.filter((name) => name !== 'outcomes');
  every(settings.killEveryMs, () => killer.kill(draws.pick(killable) as FunctionName, 'random'));
  every(30_000, () => {
    stack.rbm.setFaults([draws.pick(bursts), ...rbmFaults]);
    rbmBursts += 1;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) stack.rbm.setFaults(rbmFaults);
    }, 3_000);
    timers.add(timer);
  });
  every(settings.stallEveryMs, () => {
    emulator.stall(settings.stallMs);
    stalledMs += settings.stallMs;
    stalls += 1;
  });

  return {
    get stalledMs() {
      return stalledMs;
    },
    get stalls() {
      return stalls;
    },
    get lostDispatches() {
      return lostDispatches;
    },
    get rbmBursts() {
      return rbmBursts;
    },
    /** Real ms the faults have been (or were) on. */
    get realMs() {
      return (stoppedAt ?? performance.now()) - startedAt;
    },
    async stop() {
      stopped = true;
      stoppedAt = performance.now();
      for (const timer of timers) clearTimeout(timer);
      stack.rbm.setFaults([]);
      stack.rbm.configureWebhook({
        duplicateRate: calmWebhook.duplicateRate,
        reorderRate: calmWebhook.reorderRate,
        reorderDelayMs: calmWebhook.reorderDelayMs,
      });
      stack.sms.setFailures([]);
      stack.rbm.onEffect(null);
      stack.sms.onAccepted(null);
      emulator.onCall(null);
      stack.tasks.loseDispatches(null);
      await killer.settle();
    },
  };
}

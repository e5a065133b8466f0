import { SystemClock } from '../common/clock.ts';
import { Prng } from '../common/random.ts';
import { type DemoMessage, runDemoWorkload } from '../stack/demo.ts';
import { demoStatus } from '../stack/demo-status.ts';
import { type FunctionName, functionNames } from '../stack/functions-server.ts';
import { type Stack, startStack } from '../stack/start.ts';

/*
 * A chaos run on the local stack in process mode: the demo's mix of phones
 * (every lifecycle path) is sent, then, while the deadlines come due, the
 * run kills function processes with SIGKILL at random moments and restarts
 * them, RBM answers revokes with 503 and 429 bursts, the SMS sandbox fails
 * sends (before and after sending), and the platform repeats and reorders
 * webhook deliveries. Then the faults stop and every message must end
 * consistent with the sandboxes' ground truth: terminal, delivery known
 * exactly when the phone got it, at most one SMS, an SMS only where the
 * status says one went out. Seeded: the same seed makes the same draws
 * (process timing still varies).
 */

export interface ChaosOptions {
  messages: number;
  seed: number;
  /** Clock speed vs real time; leases of 60 clock seconds make scale 1 slow. */
  timeScale: number;
  /** Mean real time between two kills, ms. */
  killEveryMs?: number;
  progress?: (line: string) => void;
}

export interface ChaosReport {
  messages: number;
  settled: number;
  byStatus: Record<string, number>;
  smsSent: number;
  kills: Record<FunctionName, number>;
  faults: { rbmRevoke: string; sms: string; webhook: string };
  wallSeconds: number;
  violations: string[];
}

/**
 * The longest path of the demo mix (promo, 404, re-revoke, grace, SMS) plus the webhook's
 * retry backoff after the faults (up to 600 s a try) ends well within this much clock time.
 */
const settleWithinClockMs = 120 * 60_000;

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const say = options.progress ?? (() => {});
  const draws = new Prng(options.seed).fork('chaos');
  const clock = new SystemClock({ scale: options.timeScale });
  const stack = await startStack({
    clock,
    seed: options.seed,
    functions: 'processes',
    sweepEveryMs: 60_000,
    sweepBoundSeconds: 120,
    webhook: { duplicateRate: 0.2, reorderRate: 0.2, reorderDelayMs: 10_000 },
    // stdout carries the report; the sandboxes' retry warnings would bury it.
    logLevel: 'error',
  });
  const kills = Object.fromEntries(functionNames.map((name) => [name, 0])) as Record<FunctionName, number>;
  try {
    say(`chaos: sending ${options.messages} messages (time x${options.timeScale})`);
    const sent = await runDemoWorkload(stack, options.messages, options.seed);
    const faults = {
      rbmRevoke: '503 on 20% of revokes, 429 (Retry-After 5 s) on 10%',
      sms: '503 before sending on 15% of sends, 503 after sending on 10%, dropped connections on 5%',
      webhook: '20% of deliveries repeated, 20% reordered by up to 10 s',
    };
    stack.rbm.setFaults([
      { endpoint: 'revoke', kind: 'error', status: 503, rate: 0.2 },
      { endpoint: 'revoke', kind: 'rate-limit', retryAfterSeconds: 5, rate: 0.1 },
    ]);
    stack.sms.setFailures([
      { status: 503, rate: 0.15 },
      { status: 503, rate: 0.1, phase: 'after' },
      { kind: 'drop', rate: 0.05 },
    ]);

    // Kill while the deadlines (2 and 10 clock minutes) come due and the retries run.
    const chaosUntil = clock.now() + 15 * 60_000;
    while (clock.now() < chaosUntil) {
      await sleep((options.killEveryMs ?? 400) * (0.5 + draws.next()));
      const victim = draws.pick(functionNames);
      stack.processes!.kill(victim);
      kills[victim] += 1;
      await sleep(50 + 300 * draws.next());
      await stack.processes!.restart(victim);
    }
    stack.rbm.setFaults([]);
    stack.sms.setFailures([]);
    say(
      `chaos: faults off after ${Object.values(kills).reduce((a, b) => a + b, 0)} kills; waiting for every message to end`,
    );

    const settleUntil = clock.now() + settleWithinClockMs;
    let status = await demoStatus(stack, sent);
    // Judge only once the platform has delivered every event it holds: a DELIVERED still queued
    // behind a failed post is not yet something the product could know.
    while ((status.settled < status.total || stack.rbm.webhookBacklog > 0) && clock.now() < settleUntil) {
      await sleep(500);
      status = await demoStatus(stack, sent);
    }
    return {
      messages: sent.length,
      settled: status.settled,
      byStatus: status.byStatus,
      smsSent: status.smsSent,
      kills,
      faults,
      wallSeconds: Math.round((Date.now() - started) / 1000),
      violations: [...violations(stack, sent, status), ...(await unsettled(stack, sent))],
    };
  } finally {
    await stack.stop();
  }
}

function violations(
  stack: Stack,
  sent: DemoMessage[],
  status: Awaited<ReturnType<typeof demoStatus>>,
): string[] {
  const found = status.problems.map((p) => `${p.messageId} (${p.path}): ${p.problems.join('; ')}`);
  for (const message of sent) {
    const sms = stack.sms.sent(message.phoneNumber).length;
    if (sms > 1) found.push(`${message.messageId} (${message.path}): ${sms} SMS`);
  }
  return found;
}

/** Each message that never reached a terminal state, with where it stopped. */
async function unsettled(stack: Stack, sent: DemoMessage[]): Promise<string[]> {
  const found: string[] = [];
  for (const message of sent) {
    if (message.accepted !== 201 && message.accepted !== 200) continue;
    const data = (await stack.db.collection('messages').doc(message.messageId).get()).data();
    if (data && data.dueAt === undefined) continue;
    const where = data
      ? `status ${data.status}, revocation ${data.revocation?.state} round ${data.revocation?.round}, fallback ${data.fallback?.state}, due ${data.dueAt?.toDate?.().toISOString()}, redrives ${data.redrives ?? 0}`
      : 'no document';
    found.push(`${message.messageId} (${message.path}): never settled: ${where}`);
  }
  return found;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

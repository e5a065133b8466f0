import type { FunctionProcesses } from '../stack/function-processes.ts';
import type { FunctionName } from '../stack/functions-server.ts';
import { socketOwner } from './socket-owner.ts';

/*
 * Kills function processes with SIGKILL and brings them back, as Cloud Run
 * replaces a crashed instance: one kill at a time per function (a function
 * that is down is not killed again), restarted after a short real delay.
 * Counts every kill by the moment it hit.
 */

export type KillMoment =
  | 'random'
  | 'inside a transaction'
  | 'after its commit, before the answer'
  | 'after the DELETE took effect, before the answer'
  | 'after the SMS went out, before the answer';

export class Killer {
  readonly #processes: FunctionProcesses;
  readonly #names: readonly FunctionName[];
  readonly #down = new Set<FunctionName>();
  readonly #restarts = new Set<Promise<void>>();
  readonly #restartDelayMs: () => number;
  readonly counts = new Map<KillMoment, Partial<Record<FunctionName, number>>>();
  /** Real ms each function spent down: from its kill until its restarted process listened. */
  readonly downMs = new Map<FunctionName, number>();
  #failures: unknown[] = [];

  constructor(processes: FunctionProcesses, names: readonly FunctionName[], restartDelayMs: () => number) {
    this.#processes = processes;
    this.#names = names;
    this.#restartDelayMs = restartDelayMs;
  }

  /** Kills `name` now (false if it is already down) and restarts it after the delay. */
  kill(name: FunctionName, moment: KillMoment): boolean {
    if (this.#down.has(name) || this.#processes.pid(name) === undefined) return false;
    this.#down.add(name);
    const killedAt = performance.now();
    this.#processes.kill(name);
    const byName = this.counts.get(moment) ?? {};
    byName[name] = (byName[name] ?? 0) + 1;
    this.counts.set(moment, byName);
    const restart = (async () => {
      await new Promise((resolve) => setTimeout(resolve, this.#restartDelayMs()));
      try {
        await this.#processes.restart(name);
      } catch (error) {
        this.#failures.push(error);
      } finally {
        this.#down.delete(name);
        this.downMs.set(name, (this.downMs.get(name) ?? 0) + performance.now() - killedAt);
      }
    })();
    this.#restarts.add(restart);
    void restart.finally(() => this.#restarts.delete(restart));
    return true;
  }

  /** Kills whichever function process holds the local TCP port `port`; false if none (or it is down). */
  killCaller(port: number | undefined, moment: KillMoment): boolean {
    if (port === undefined) return false;
    const pids = new Map<FunctionName, number>();
    for (const name of this.#names) {
      const pid = this.#processes.pid(name);
      if (pid !== undefined && !this.#down.has(name)) pids.set(name, pid);
    }
    const owner = socketOwner(port, pids);
    return owner === undefined ? false : this.kill(owner, moment);
  }

  /** Waits for every pending restart; throws if one failed. */
  async settle(): Promise<void> {
    while (this.#restarts.size > 0) await Promise.all([...this.#restarts]);
    if (this.#failures.length > 0) throw new AggregateError(this.#failures, 'a function did not restart');
  }

  total(): number {
    let n = 0;
    for (const byName of this.counts.values()) for (const k of Object.values(byName)) n += k ?? 0;
    return n;
  }
}

import type { Prng } from '../common/random.ts';
import type { FunctionProcesses } from '../stack/function-processes.ts';
import type { FunctionName } from '../stack/functions-server.ts';
import { socketOwner } from './socket-owner.ts';

/*
 * Kills function instances with SIGKILL and brings them back, as Cloud Run
 * replaces a crashed instance: an instance that is down is not killed again,
 * and it is restarted after a short real delay. A function of several
 * instances stays reachable while one of them is up. Counts every kill by the
 * moment it hit, and measures both how long instances were down and how long
 * each function had no instance up at all.
 */

export type KillMoment =
  | 'random'
  | 'inside a transaction'
  | 'after its commit, before the answer'
  | 'after the DELETE took effect, before the answer'
  | 'after the SMS went out, before the answer';

interface Instance {
  name: FunctionName;
  instance: number;
}

export class Killer {
  readonly #processes: FunctionProcesses;
  readonly #names: readonly FunctionName[];
  readonly #draws: Prng;
  readonly #down = new Set<string>();
  readonly #restarts = new Set<Promise<void>>();
  readonly #restartDelayMs: () => number;
  /** Since when each function has had no instance up (absent while one is up). */
  readonly #unreachableSince = new Map<FunctionName, number>();
  readonly counts = new Map<KillMoment, Partial<Record<FunctionName, number>>>();
  /** Real ms the function's instances spent down, summed: from each kill until that instance listened again. */
  readonly downMs = new Map<FunctionName, number>();
  /** Real ms each function had no instance up: what its callers saw as unreachable. */
  readonly unreachableMs = new Map<FunctionName, number>();
  #failures: unknown[] = [];

  constructor(
    processes: FunctionProcesses,
    names: readonly FunctionName[],
    draws: Prng,
    restartDelayMs: () => number,
  ) {
    this.#processes = processes;
    this.#names = names;
    this.#draws = draws;
    this.#restartDelayMs = restartDelayMs;
  }

  /** Kills one instance of `name` that is up, drawn at random (false if none is up), and restarts it after the delay. */
  kill(name: FunctionName, moment: KillMoment): boolean {
    const up = this.#up().filter((candidate) => candidate.name === name);
    if (up.length === 0) return false;
    return this.#kill(up[Math.floor(this.#draws.next() * up.length)]!, moment);
  }

  /** Kills whichever function instance holds the local TCP port `port`; false if none (or it is down). */
  killCaller(port: number | undefined, moment: KillMoment): boolean {
    if (port === undefined) return false;
    const pids = new Map<Instance, number>();
    for (const candidate of this.#up()) {
      const pid = this.#processes.pid(candidate.name, candidate.instance);
      if (pid !== undefined) pids.set(candidate, pid);
    }
    const owner = socketOwner(port, pids);
    return owner === undefined ? false : this.#kill(owner, moment);
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

  #up(): Instance[] {
    return this.#names.flatMap((name) =>
      Array.from({ length: this.#processes.instances[name] }, (_, instance) => ({ name, instance })).filter(
        (candidate) =>
          !this.#down.has(keyOf(candidate)) &&
          this.#processes.pid(candidate.name, candidate.instance) !== undefined,
      ),
    );
  }

  #kill(target: Instance, moment: KillMoment): boolean {
    const { name, instance } = target;
    this.#down.add(keyOf(target));
    const killedAt = performance.now();
    if (this.#downCount(name) === this.#processes.instances[name]) this.#unreachableSince.set(name, killedAt);
    this.#processes.kill(name, instance);
    const byName = this.counts.get(moment) ?? {};
    byName[name] = (byName[name] ?? 0) + 1;
    this.counts.set(moment, byName);
    const restart = (async () => {
      await new Promise((resolve) => setTimeout(resolve, this.#restartDelayMs()));
      try {
        await this.#processes.restart(name, instance);
      } catch (error) {
        this.#failures.push(error);
      } finally {
        const upAgainAt = performance.now();
        this.#down.delete(keyOf(target));
        this.downMs.set(name, (this.downMs.get(name) ?? 0) + upAgainAt - killedAt);
        const since = this.#unreachableSince.get(name);
        if (since !== undefined) {
          this.#unreachableSince.delete(name);
          this.unreachableMs.set(name, (this.unreachableMs.get(name) ?? 0) + upAgainAt - since);
        }
      }
    })();
    this.#restarts.add(restart);
    void restart.finally(() => this.#restarts.delete(restart));
    return true;
  }

  #downCount(name: FunctionName): number {
    let n = 0;
    for (let instance = 0; instance < this.#processes.instances[name]; instance += 1)
      if (this.#down.has(keyOf({ name, instance }))) n += 1;
    return n;
  }
}

function keyOf({ name, instance }: Instance): string {
  return `${name}#${instance}`;
}

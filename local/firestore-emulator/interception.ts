import type { UntypedHandleCall, UntypedServiceImplementation } from '@grpc/grpc-js';

/*
 * What a chaos run may do to calls as they arrive: see each one (with the
 * caller's TCP port, so the run can tell which process sent it, and whether
 * it belongs to a transaction) and hold every call for a while, a stalled
 * database. Off by default; costs one check per call when off.
 */

export interface ArrivingCall {
  /** `Commit`, `BatchGetDocuments`, ... */
  rpc: string;
  /** The caller's TCP port on 127.0.0.1 or ::1. */
  remotePort: number | undefined;
  /** Part of a transaction: BeginTransaction, a read in one (or starting one), a Commit or Rollback of one. */
  transactional: boolean;
}

export type CallHook = (call: ArrivingCall) => void;

export class Interception {
  #hook: CallHook | null = null;
  #stalledUntil = 0;
  #held: Array<() => void> = [];
  #release: ReturnType<typeof setTimeout> | undefined;

  /** Calls `hook` synchronously as each call arrives, before it is handled (`null`: none). */
  onCall(hook: CallHook | null): void {
    this.#hook = hook;
  }

  /**
   * Holds every call that arrives in the next `ms` of real time, then lets them
   * through in order of arrival; calls already being handled go on. Real time,
   * because what stalls is the database, not the simulated clock.
   */
  stall(ms: number): void {
    this.#stalledUntil = Math.max(this.#stalledUntil, Date.now() + ms);
    clearTimeout(this.#release);
    this.#release = setTimeout(() => this.#releaseHeld(), this.#stalledUntil - Date.now());
  }

  /** Lets held calls through now (stop and reset use it). */
  releaseAll(): void {
    this.#stalledUntil = 0;
    clearTimeout(this.#release);
    this.#releaseHeld();
  }

  /** The same service, with each call seen and possibly held before it is handled. */
  wrap(service: UntypedServiceImplementation): UntypedServiceImplementation {
    const wrapped: UntypedServiceImplementation = {};
    for (const [method, handler] of Object.entries(service)) {
      const rpc = method.charAt(0).toUpperCase() + method.slice(1);
      const handle = handler as (call: Call, ...rest: unknown[]) => void;
      wrapped[method] = ((call: Call, ...rest: unknown[]) => {
        this.#hook?.({ rpc, remotePort: portOf(call.getPeer()), transactional: isTransactional(rpc, call) });
        if (Date.now() < this.#stalledUntil) this.#held.push(() => handle(call, ...rest));
        else handle(call, ...rest);
      }) as UntypedHandleCall;
    }
    return wrapped;
  }

  #releaseHeld(): void {
    const held = this.#held;
    this.#held = [];
    for (const run of held) run();
  }
}

interface Call {
  request?: { transaction?: unknown; newTransaction?: unknown };
  getPeer(): string;
}

function isTransactional(rpc: string, call: Call): boolean {
  if (rpc === 'BeginTransaction') return true;
  const request = call.request;
  // With `defaults: false` (protos.ts) an absent field is undefined.
  return request?.transaction !== undefined || request?.newTransaction !== undefined;
}

/** "127.0.0.1:54321", "[::1]:54321" or "ipv4:127.0.0.1:54321" -> 54321. */
function portOf(peer: string): number | undefined {
  const port = Number(peer.slice(peer.lastIndexOf(':') + 1));
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

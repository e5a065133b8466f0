import type { UntypedHandleCall, UntypedServiceImplementation } from '@grpc/grpc-js';

/*
 * Counts the RPCs the emulator receives, by project and method, so a test can
 * assert how many round trips a piece of product code costs. A call is
 * counted when the server hands it to its handler, whatever its outcome.
 * Client-streaming RPCs (Listen, Write) carry no request at that point and are
 * counted under no project: they appear only in the all-projects total.
 */

type Counts = Map<string, number>;

export class CallCounter {
  readonly #byProject = new Map<string, Counts>();

  /** The same service, counting each call before handling it. */
  wrap(service: UntypedServiceImplementation): UntypedServiceImplementation {
    const wrapped: UntypedServiceImplementation = {};
    for (const [method, handler] of Object.entries(service)) {
      const rpc = method.charAt(0).toUpperCase() + method.slice(1);
      const handle = handler as (call: { request?: unknown }, ...rest: unknown[]) => void;
      wrapped[method] = ((call: { request?: unknown }, ...rest: unknown[]) => {
        const projectId = projectOf(call.request);
        this.#record(projectId, rpc);
        for (const [kind, n] of Object.entries(documentsOf(rpc, call.request)))
          this.#record(projectId, kind, n);
        handle(call, ...rest);
      }) as UntypedHandleCall;
    }
    return wrapped;
  }

  /** Calls by RPC name (`BatchGetDocuments`, `Commit`, ...) for one project, or summed over all. */
  calls(projectId?: string): Record<string, number> {
    const sources =
      projectId === undefined ? [...this.#byProject.values()] : [this.#byProject.get(projectId)];
    const total: Record<string, number> = {};
    for (const counts of sources) {
      for (const [rpc, n] of counts ?? []) total[rpc] = (total[rpc] ?? 0) + n;
    }
    return total;
  }

  /** Forgets the counts of one project, or of all. */
  reset(projectId?: string): void {
    if (projectId === undefined) this.#byProject.clear();
    else this.#byProject.delete(projectId);
  }

  #record(projectId: string, key: string, n = 1): void {
    const counts = this.#byProject.get(projectId) ?? new Map<string, number>();
    counts.set(key, (counts.get(key) ?? 0) + n);
    this.#byProject.set(projectId, counts);
  }
}

/**
 * Documents a request reads or writes, as Firestore bills them: a batched
 * get reads each document it names; a commit writes each of its writes.
 * Counted under `documentsRead` / `documentsWritten` beside the RPC names.
 * (Queries are billed by results, which a request does not show: not counted.)
 */
function documentsOf(rpc: string, request: unknown): Record<string, number> {
  const r = request as { documents?: unknown[]; writes?: unknown[] } | undefined;
  if (rpc === 'BatchGetDocuments') return { documentsRead: r?.documents?.length ?? 0 };
  if (rpc === 'Commit' || rpc === 'BatchWrite') return { documentsWritten: r?.writes?.length ?? 0 };
  return {};
}

/** The project a request names in `database`, `name` or `parent` (all start `projects/{id}/`). */
function projectOf(request: unknown): string {
  if (typeof request !== 'object' || request === null) return '';
  const r = request as { database?: unknown; name?: unknown; parent?: unknown };
  const resource = [r.database, r.name, r.parent].find((v) => typeof v === 'string') as string | undefined;
  return /^projects\/([^/]+)\//.exec(resource ?? '')?.[1] ?? '';
}

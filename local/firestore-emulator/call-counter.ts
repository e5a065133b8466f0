import type { UntypedHandleCall, UntypedServiceImplementation } from '@grpc/grpc-js';

/*
 * Counts the RPCs the emulator receives, by project and method, so a test can
 * assert how many round trips a piece of product code costs. A call is
 * counted when the server hands it to its handler, whatever its outcome.
 * Client-streaming RPCs (Listen, Write) carry no request at that point and are
 * counted under no project: they appear only in the all-projects total.
 */

type Counts = Map<string, number>;

/** The part of a server-streaming call the counter wraps. */
interface ResultStream {
  write(response: unknown, ...rest: unknown[]): boolean;
  end(...rest: unknown[]): void;
}

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
        if (rpc === 'RunQuery') this.#countResults(projectId, call as unknown as ResultStream);
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

  /**
   * A query is billed by the documents it returns, and at least one read
   * (https://cloud.google.com/firestore/pricing): counted as the stream ends,
   * under `queryDocuments` (returned) and `queryReads` (billed).
   */
  #countResults(projectId: string, call: ResultStream): void {
    let returned = 0;
    const write = call.write.bind(call);
    const end = call.end.bind(call);
    call.write = (response: unknown, ...rest: unknown[]) => {
      if (typeof response === 'object' && response !== null && 'document' in response && response.document)
        returned += 1;
      return write(response, ...rest);
    };
    call.end = (...rest: unknown[]) => {
      this.#record(projectId, 'queryDocuments', returned);
      this.#record(projectId, 'queryReads', Math.max(1, returned));
      return end(...rest);
    };
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
 * (Queries are billed by results, which the request does not show: counted
 * from the response stream, #countResults.)
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

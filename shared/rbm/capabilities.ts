import { randomUUID } from 'node:crypto';
import { mapLimit } from '../concurrency/map-limit.ts';
import type { RbmClient, RbmResult } from './client.ts';
import { type RbmRegion, type RegionTable, regionOf } from './regions.ts';

/**
 * Capability checks, routed to the phone's regional host (docs/rbm-platform.md#capability-checks).
 * One number: phones.getCapabilities (200 reachable, 404 not reachable over RBM). A list:
 * users.batchGet, one region per request, on that region's host.
 */

/** What one check found. `failed`: no usable answer (5xx, 429, timeout, refused credentials...). */
export type CapabilityOutcome = 'reachable' | 'unreachable' | 'failed';

export interface CapabilityAnswer {
  outcome: CapabilityOutcome;
  region: RbmRegion;
  /** HTTP status; 0 when no answer came. */
  httpStatus: number;
  latencyMs: number;
  /** Why it failed, for the log. */
  error?: string;
}

/** The platform's answer as a verdict: only 200 and 404 say anything about the number. */
export function capabilityOutcome(result: Pick<RbmResult, 'ok' | 'status'>): CapabilityOutcome {
  if (result.ok) return 'reachable';
  return result.status === 404 ? 'unreachable' : 'failed';
}

/** One RBM client per regional host, created on first use. */
export type RegionalClients = (region: RbmRegion) => RbmClient;

export function memoRegionalClients(create: (region: RbmRegion) => RbmClient): RegionalClients {
  const clients = new Map<RbmRegion, RbmClient>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = create(region);
      clients.set(region, client);
    }
    return client;
  };
}

/** phones.getCapabilities for one number, on its region's host. A fresh requestId each time. */
export async function checkCapability(
  clients: RegionalClients,
  table: RegionTable,
  phoneNumber: string,
  agentId?: string,
  newId: () => string = randomUUID,
): Promise<CapabilityAnswer> {
  const region = regionOf(phoneNumber, table);
  const result = await clients(region).getCapabilities(phoneNumber, newId(), agentId);
  return {
    outcome: capabilityOutcome(result),
    region,
    httpStatus: result.status,
    latencyMs: result.latencyMs,
    ...(result.ok ? {} : { error: result.error }),
  };
}

/**
 * users.batchGet's bounds: Google's release notes (2024-12-18) require 500 to 10,000
 * unique numbers per request; the method's reference still describes answers for
 * fewer than 500. Groups below the minimum are checked one number at a time.
 */
export const batchLimits = { min: 500, max: 10_000 } as const;

export interface BatchCheckOptions {
  clients: RegionalClients;
  table: RegionTable;
  agentId?: string;
  /** Override the bounds (tests); default batchLimits. */
  limits?: { min: number; max: number };
  /** Single checks in flight at once, for groups below the minimum. Default 8. */
  concurrency?: number;
  newId?: () => string;
}

export interface BatchCheckCall {
  region: RbmRegion;
  method: 'users.batchGet' | 'phones.getCapabilities';
  numbers: number;
  httpStatus: number;
  latencyMs: number;
  error?: string;
}

export interface BatchCheckResult {
  /** Per number (deduplicated, in first-seen order): its region and what the platform said. */
  numbers: Array<{ phoneNumber: string; region: RbmRegion; outcome: CapabilityOutcome }>;
  /** Every call made, in order. */
  calls: BatchCheckCall[];
}

/**
 * Checks a list: splits it by region, then per region sends users.batchGet requests of
 * at most `max` numbers to that region's host (never a mixed-region batch, never the
 * global host), or single checks when the region has fewer than `min`. A failed batch
 * marks its numbers `failed`; the others stand. Batches go one after another, well
 * inside the method's 600 queries a minute for any list an operator checks by hand.
 */
export async function checkCapabilities(
  phoneNumbers: readonly string[],
  options: BatchCheckOptions,
): Promise<BatchCheckResult> {
  const limits = options.limits ?? batchLimits;
  const unique = [...new Set(phoneNumbers)];
  const byRegion = new Map<RbmRegion, string[]>();
  for (const phone of unique) {
    const region = regionOf(phone, options.table);
    const group = byRegion.get(region);
    if (group) group.push(phone);
    else byRegion.set(region, [phone]);
  }
  const outcomes = new Map<string, CapabilityOutcome>();
  const calls: BatchCheckCall[] = [];
  for (const [region, numbers] of byRegion) {
    const client = options.clients(region);
    if (numbers.length < limits.min) {
      const answers = await mapLimit(numbers, options.concurrency ?? 8, (phone) =>
        checkCapability(options.clients, options.table, phone, options.agentId, options.newId),
      );
      answers.forEach((answer, i) => {
        outcomes.set(numbers[i]!, answer.outcome);
        calls.push({
          region,
          method: 'phones.getCapabilities',
          numbers: 1,
          httpStatus: answer.httpStatus,
          latencyMs: answer.latencyMs,
          ...(answer.error === undefined ? {} : { error: answer.error }),
        });
      });
      continue;
    }
    for (const chunk of evenChunks(numbers, limits.max)) {
      const result = await client.batchGetUsers(chunk, options.agentId);
      const reachable = new Set(result.ok ? reachableUsers(result.body) : []);
      for (const phone of chunk) {
        outcomes.set(phone, result.ok ? (reachable.has(phone) ? 'reachable' : 'unreachable') : 'failed');
      }
      calls.push({
        region,
        method: 'users.batchGet',
        numbers: chunk.length,
        httpStatus: result.status,
        latencyMs: result.latencyMs,
        ...(result.ok ? {} : { error: result.error }),
      });
    }
  }
  return {
    numbers: unique.map((phone) => ({
      phoneNumber: phone,
      region: regionOf(phone, options.table),
      outcome: outcomes.get(phone) ?? 'failed',
    })),
    calls,
  };
}

/** Splits into the fewest chunks of at most `max`, as even as possible (so none falls below the minimum). */
export function evenChunks<T>(items: readonly T[], max: number): T[][] {
  const count = Math.ceil(items.length / max);
  const chunks: T[][] = [];
  for (let i = 0, start = 0; i < count; i++) {
    const size = Math.ceil((items.length - start) / (count - i));
    chunks.push(items.slice(start, start + size));
    start += size;
  }
  return chunks;
}

function reachableUsers(body: unknown): string[] {
  const users = (body as { reachableUsers?: unknown } | null)?.reachableUsers;
  return Array.isArray(users) ? users.filter((u): u is string => typeof u === 'string') : [];
}

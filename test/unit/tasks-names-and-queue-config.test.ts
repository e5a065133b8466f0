import { describe, expect, it } from 'vitest';
import { RpcError } from '../../local/common/grpc-errors.ts';
import { generateTaskId, parseQueueName, parseTaskName } from '../../local/tasks-emulator/names.ts';
import { defaultBurstSize, durationToMs, resolveQueue } from '../../local/tasks-emulator/queue-config.ts';

const Q = 'projects/my-proj:a.b/locations/us-central1/queues/revoke-1';

describe('task and queue names', () => {
  it('parses a well-formed task name', () => {
    expect(parseTaskName(`${Q}/tasks/abc_DEF-123`)).toEqual({
      name: `${Q}/tasks/abc_DEF-123`,
      queue: Q,
      queueId: 'revoke-1',
      taskId: 'abc_DEF-123',
    });
  });

  it.each([
    `${Q}/tasks/`,
    `${Q}/tasks/a.b`,
    `${Q}/tasks/a b`,
    `${Q}/tasks/${'a'.repeat(501)}`,
    'projects/p/locations/l/queues/q_underscore/tasks/a',
    `projects/p/locations/l/queues/${'q'.repeat(101)}/tasks/a`,
  ])('rejects %s with INVALID_ARGUMENT', (name) => {
    expect(() => parseTaskName(name)).toThrow(RpcError);
    try {
      parseTaskName(name);
    } catch (err) {
      expect((err as RpcError).code).toBe(3);
    }
  });

  it('accepts a 500-character id and a 100-character queue id', () => {
    expect(parseTaskName(`${Q}/tasks/${'a'.repeat(500)}`).taskId).toHaveLength(500);
    expect(parseQueueName(`projects/p/locations/l/queues/${'q'.repeat(100)}`).queueId).toHaveLength(100);
  });

  it('generates 19-digit ids that differ', () => {
    const a = generateTaskId();
    expect(a).toMatch(/^[1-9]\d{18}$/);
    expect(generateTaskId()).not.toBe(a);
  });
});

describe('queue configuration', () => {
  it('fills Cloud Tasks defaults for omitted fields', () => {
    expect(resolveQueue({ name: 'revoke' }, 'p', 'l')).toEqual({
      name: 'projects/p/locations/l/queues/revoke',
      queueId: 'revoke',
      retry: {
        maxAttempts: 100,
        minBackoffMs: 100,
        maxBackoffMs: 3_600_000,
        maxDoublings: 16,
        maxRetryDurationMs: 0,
      },
      rate: { maxDispatchesPerSecond: 500, maxBurstSize: 100, maxConcurrentDispatches: 1000 },
    });
  });

  it('reads durations as seconds or with units', () => {
    expect(durationToMs(0.1, 'x')).toBe(100);
    expect(durationToMs('500ms', 'x')).toBe(500);
    expect(durationToMs('10m', 'x')).toBe(600_000);
    expect(() => durationToMs('ten', 'x')).toThrow(RpcError);
  });

  it('derives the burst size from the rate', () => {
    expect(defaultBurstSize(1)).toBe(10);
    expect(defaultBurstSize(2)).toBe(1);
    expect(defaultBurstSize(500)).toBe(100);
  });

  it('rejects values outside the documented bounds', () => {
    const bad = [
      { name: 'q', retryConfig: { maxAttempts: -2 } },
      { name: 'q', retryConfig: { minBackoff: 20, maxBackoff: 10 } },
      { name: 'q', rateLimits: { maxDispatchesPerSecond: 501 } },
      { name: 'q', rateLimits: { maxConcurrentDispatches: 5001 } },
      { name: 'bad_id' },
    ];
    for (const config of bad)
      expect(() => resolveQueue(config, 'p', 'l'), JSON.stringify(config)).toThrow(RpcError);
  });
});

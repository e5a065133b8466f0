import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ids, jsonValues } from '../../helpers/rbm-arbitraries.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * The task targets (revoke, fallback) against generated task deliveries,
 * through HTTP on the local stack. Cloud Tasks retries anything but 2xx until
 * the queue's budget runs out, so a task that can never succeed must be
 * acknowledged (2xx, logged) at once; with every service up, nothing here may
 * answer 5xx. Nothing is written for a task about a message that does not exist.
 */

const h = useStack();
const seed = 20261202;
const runs = Number(process.env.FUZZ_RUNS ?? 300);

const steps = fc.constantFrom('revoke', 'expired', 'again', 'manual', 'confirm', 'fallback');
const taskBodies = fc.oneof(
  { weight: 4, arbitrary: fc.record({ step: steps, messageId: ids, sequence: fc.nat({ max: 5 }) }) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.record({ step: steps, messageId: ids, sequence: fc.nat({ max: 5 }) }),
        fc.constantFrom('step', 'messageId', 'sequence'),
        jsonValues,
      )
      .map(([body, field, value]) => ({ ...body, [field]: value })),
  },
  // Any JSON object. A body that is no JSON object never reaches the handler: functions-framework's
  // parser answers it 400 first (docs/messages-api.md); the queues only ever hold our own objects.
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), jsonValues, { maxKeys: 4 }) },
);
const retryHeaders = fc.record({
  'x-cloudtasks-taskretrycount': fc.oneof(fc.nat({ max: 20 }).map(String), fc.constantFrom('-1', 'x', '1e9')),
  'x-cloudtasks-taskname': fc.string({ maxLength: 20 }),
});

describe('fuzzed task deliveries', () => {
  it('are answered 2xx whatever they hold, and write no message that does not exist', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('revoke', 'fallback'),
        taskBodies,
        retryHeaders,
        async (target, body, headers) => {
          const response = await fetch(h.stack.functions.urls[target], {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify(body) ?? 'null',
          });
          const text = await response.text();
          expect(response.status, `${target} ${JSON.stringify(body)}: ${text}`).toBeLessThan(300);
          expect((await h.stack.db.collection('messages').count().get()).data().count).toBe(0);
        },
      ),
      { seed, numRuns: runs },
    );
  }, 600_000);

  it.each([
    ['revoke', '.'],
    ['revoke', 'a/b'],
    ['fallback', '__name__'],
  ])(
    'drops a %s task whose messageId %j no document can have (it was answered 503, so retried)',
    async (target, messageId) => {
      const response = await fetch(h.stack.functions.urls[target as 'revoke' | 'fallback'], {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ step: target, messageId, sequence: 0 }),
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('messageId');
    },
  );
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  call,
  expectNothingWritten,
  messageRequest,
  offlineForADay,
  phoneNumbers,
} from '../../helpers/messages-api.ts';
import { jsonValues } from '../../helpers/rbm-arbitraries.ts';
import { useStack } from '../../helpers/stack.ts';

/*
 * POST /messages against generated requests, through HTTP on the whole local
 * stack: a valid request with some fields replaced by any JSON, removed, or
 * joined by unknown ones. Whatever comes in, the answer is 201 (and the
 * message exists) or 400 naming the fields at fault (and nothing is written,
 * sent or scheduled); never a 5xx, since every service here is up.
 */

const h = useStack();
const nextPhone = phoneNumbers(8);
const seed = 20261202;
const runs = Number(process.env.FUZZ_RUNS ?? 300);

const fields = [
  'messageId',
  'phoneNumber',
  'agentId',
  'content',
  'deadline',
  'revokeAfter',
  'policy',
  'sms',
  'labels',
  'platformExpiry',
] as const;

const fieldValues = fc.oneof(
  { weight: 3, arbitrary: jsonValues },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      '2026-11-21T09:10:00Z',
      '2027-11-21T09:10:00Z',
      '1e400s',
      '99999999999d',
      '10m',
      '0.0001ms',
      { fallbackWhenUncertain: true, graceSeconds: 0.5 },
      { contentMessage: { text: 'hi' }, extra: { __name__: [[1]] } },
      { contentMessage: 'text' },
      { '': 'x' },
      { __name__: 'x' },
      '+10000000',
      '',
      true,
    ),
  },
);

const change = fc.oneof(
  fc
    .tuple(fc.constantFrom(...fields), fieldValues)
    .map(([field, value]) => ({ field, value, kind: 'replace' as const })),
  fc.constantFrom(...fields).map((field) => ({ field, value: undefined, kind: 'remove' as const })),
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 10 }), jsonValues)
    .map(([field, value]) => ({ field, value, kind: 'add' as const })),
);

describe('fuzzed POST /messages', () => {
  it('answers 201 or 400 naming a changed field, and a 400 leaves nothing behind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 3 }), async (changes) => {
        const phone = nextPhone();
        h.stack.rbm.setPhone(phone, offlineForADay);
        const request = messageRequest(phone);
        const body: Record<string, unknown> = { ...request };
        for (const { field, value, kind } of changes) {
          if (kind === 'remove') delete body[field];
          else body[field] = value;
        }
        const tasksBefore = h.stack.tasks.tasks().length;

        const answer = await call(h, 'POST', '/messages', body);
        await h.stack.settle();

        expect([201, 400], answer.text).toContain(answer.status);
        if (answer.status === 201) {
          expect(answer.body.messageId).toEqual(expect.any(String));
          return;
        }
        const named: string[] = answer.body.errors.map((e: { field: string }) => e.field);
        expect(named.length).toBeGreaterThan(0);
        const changed = changes.map((c) => c.field);
        // Removing one field can fault another (deadline xor revokeAfter; platformExpiry needs content).
        const related = named.some((field) => changed.some((c) => field === c || field.startsWith(`${c}.`)));
        const pair = named.some((f) => ['deadline', 'platformExpiry', '(body)'].includes(f));
        expect(related || pair, `${JSON.stringify(answer.body)} for ${JSON.stringify(changes)}`).toBe(true);
        const messageId =
          typeof body.messageId === 'string' && /^[0-9a-f-]{36}$/i.test(body.messageId)
            ? body.messageId.toLowerCase()
            : undefined;
        await expectNothingWritten(h, messageId, phone, tasksBefore);
      }),
      { seed, numRuns: runs },
    );
  }, 600_000);
});

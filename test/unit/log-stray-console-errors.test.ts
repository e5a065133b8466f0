import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, maskPhone } from '../../shared/log/index.ts';
import { captureConsoleErrors, maskPhonesInText } from '../../shared/log/stray-output.ts';

const original = console.error;
afterEach(() => {
  console.error = original;
});

describe('captureConsoleErrors', () => {
  it("turns a library's multi-line error dump into one structured line, phone numbers masked", () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    captureConsoleErrors(createLogger({ destination }), maskPhone);
    // What express prints for a malformed JSON body: the parse error (with a body snippet) and its stack.
    console.error(
      `SyntaxError: Unexpected token 'o', "{"phone":"+14155550123", oops" is not valid JSON\n    at JSON.parse (<anonymous>)\n    at parse (/app/node_modules/body-parser/lib/types/json.js:92:19)`,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ severity: 'ERROR', event: 'runtime.stderr' });
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('4155550123');
    expect(text).not.toContain('body-parser');
  });
});

describe('maskPhonesInText', () => {
  it('masks every E.164 number in free text and leaves other numbers alone', () => {
    expect(maskPhonesInText('to +14155550123 and +447700900123, order 12345678', maskPhone)).toBe(
      `to ${maskPhone('+14155550123')} and ${maskPhone('+447700900123')}, order 12345678`,
    );
  });
});

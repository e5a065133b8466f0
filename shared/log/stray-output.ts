import { format } from 'node:util';
import type { Logger } from 'pino';

const e164 = /\+[1-9]\d{6,14}/g;

/** Phone numbers in free text, masked like the phone fields: country-code end and last two digits. */
export function maskPhonesInText(text: string, mask: (phone: string) => string): string {
  return text.replace(e164, (phone) => mask(phone));
}

/**
 * Libraries inside the functions (express, under functions-framework) write
 * errors to console.error as multi-line text: Cloud Logging would get a stack
 * with file paths and, for a malformed JSON body, a snippet of the body. This
 * routes them through the structured logger instead: one ERROR line, first
 * line only, phone numbers masked.
 */
export function captureConsoleErrors(log: Logger, mask: (phone: string) => string): void {
  console.error = (...args: unknown[]) => {
    const [firstLine = ''] = format(...args).split('\n');
    log.error({ event: 'runtime.stderr' }, maskPhonesInText(firstLine, mask).slice(0, 500));
  };
}

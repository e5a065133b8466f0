import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskPhone, traceFields } from '../../shared/log/index.ts';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes one JSON object per line with severity, message and time', () => {
    const { lines, destination } = capture();
    const log = createLogger({ destination, base: { function: 'webhook' } });
    log.warn({ event: 'signature_rejected' }, 'webhook signature did not verify');
    log.error({ event: 'store_failed', error: new Error('boom') }, 'could not store event');
    expect(lines[0]).toMatchObject({
      severity: 'WARNING',
      message: 'webhook signature did not verify',
      event: 'signature_rejected',
      function: 'webhook',
    });
    expect(Date.parse(String(lines[0]!.time))).not.toBeNaN();
    expect(lines[1]).toMatchObject({ severity: 'ERROR', event: 'store_failed' });
    expect(JSON.stringify(lines[1])).toContain('boom');
  });

  it('masks phone numbers in known fields at the top level and one level down', () => {
    const { lines, destination } = capture();
    const log = createLogger({ destination });
    log.info({ phoneNumber: '+14155550123', payload: { senderPhoneNumber: '+447700900123' } }, 'x');
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('4155550123');
    expect(text).not.toContain('7700900123');
    expect(lines[0]!.phoneNumber).toBe(maskPhone('+14155550123'));
  });

  it('honours the level', () => {
    const { lines, destination } = capture();
    createLogger({ destination, level: 'warn' }).info('hidden');
    expect(lines).toHaveLength(0);
  });
});

describe('maskPhone', () => {
  it('keeps the country-code end and the last two digits only', () => {
    expect(maskPhone('+14155550123')).toBe('+141••••••23');
    expect(maskPhone('+14155550123')).not.toContain('555');
    expect(maskPhone('123')).toBe('•••');
  });
});

describe('traceFields', () => {
  it('reads a W3C traceparent', () => {
    const fields = traceFields(
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      'proj',
    );
    expect(fields).toEqual({
      'logging.googleapis.com/trace': 'projects/proj/traces/4bf92f3577b34da6a3ce929d0e0e4736',
      'logging.googleapis.com/spanId': '00f067aa0ba902b7',
      'logging.googleapis.com/trace_sampled': true,
    });
  });

  it('reads X-Cloud-Trace-Context and converts the decimal span id to hex', () => {
    const fields = traceFields({ 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=0' }, 'p');
    expect(fields).toEqual({
      'logging.googleapis.com/trace': 'projects/p/traces/105445aa7843bc8bf206b12000100000',
      'logging.googleapis.com/spanId': '0000000000000001',
      'logging.googleapis.com/trace_sampled': false,
    });
  });

  it('ignores absent or malformed headers', () => {
    expect(traceFields({}, 'p')).toBeUndefined();
    expect(traceFields({ traceparent: 'garbage' }, 'p')).toBeUndefined();
  });
});

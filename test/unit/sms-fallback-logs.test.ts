import { describe, expect, it } from 'vitest';
import { escalationLogs, fallbackLogs, scrub } from '../../shared/fallback/logs.ts';
import { createLogger } from '../../shared/log/index.ts';
import type { SmsResult } from '../../shared/sms/types.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    level: 'debug',
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { log, lines };
}

const phone = '+14155550123';

describe('fallback log events', () => {
  it('mask the recipient once and name the event', () => {
    const { log, lines } = capture();
    fallbackLogs.claimed(log, 'm-1', 1, 'twilio', phone);
    expect(lines[0]).toMatchObject({
      event: 'fallback.claimed',
      recipient: '+141••••••23',
      severity: 'INFO',
    });
    expect(JSON.stringify(lines)).not.toContain('5550123');
  });

  it('scrub numbers a provider quoted back in its error, and carry no SMS text', () => {
    const { log, lines } = capture();
    const refused: SmsResult = {
      kind: 'permanent',
      provider: 'twilio',
      status: 400,
      error: `21211 Invalid 'To' Phone Number: ${phone} (https://www.twilio.com/docs/errors/21211)`,
      latencyMs: 3,
    };
    fallbackLogs.recorded(log, 'm-1', 1, refused, 'failed', `twilio refused the SMS: 400 ${refused.error}`);
    const sent: SmsResult = {
      kind: 'sent',
      provider: 'http',
      status: 201,
      providerId: 'sms_1',
      latencyMs: 3,
    };
    fallbackLogs.sent(log, 'm-1', 1, sent, phone);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('5550123');
    expect(text).toContain('21211');
    expect(lines[0]).toMatchObject({ event: 'fallback.recorded', severity: 'ERROR' });
    expect(lines[1]).toMatchObject({ event: 'fallback.sent', providerId: 'sms_1', severity: 'INFO' });
  });

  it('name the events of the escalation nudge escalation.*, masked the same way', () => {
    const { log, lines } = capture();
    escalationLogs.claimed(log, 'm-1', 1, 'http', phone);
    escalationLogs.skipped(log, 'm-1', 'escalation is skipped');
    expect(lines[0]).toMatchObject({ event: 'escalation.claimed', recipient: '+141••••••23' });
    expect(lines[1]).toMatchObject({ event: 'escalation.skipped', severity: 'INFO' });
    expect(JSON.stringify(lines)).not.toContain('5550123');
  });

  it('scrub leaves account SIDs, error codes and latencies alone', () => {
    expect(scrub(`AC${'1'.repeat(32)} 20003 after 10000 ms`)).toBe(
      `AC${'1'.repeat(32)} 20003 after 10000 ms`,
    );
    expect(scrub('To 14155550123 and +447700900123')).toBe('To +141••••••23 and +447•••••••23');
  });
});

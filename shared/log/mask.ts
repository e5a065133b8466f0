/**
 * Phone numbers are personal data: logs keep the country-code end and the
 * last two digits, enough to tell numbers apart when debugging, no more.
 * '+14155550123' -> '+141••••••23'.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d]/g, '');
  if (digits.length < 6) return '•'.repeat(digits.length);
  const head = digits.slice(0, 3);
  const tail = digits.slice(-2);
  return `+${head}${'•'.repeat(digits.length - 5)}${tail}`;
}

/** Field names that hold a phone number anywhere in a log record (RBM and SMS shapes). */
export const phoneFieldNames = ['phoneNumber', 'senderPhoneNumber', 'phone', 'to', 'msisdn'] as const;

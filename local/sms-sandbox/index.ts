/** SMS sandbox: a local SMS provider (generic signed JSON and Twilio shapes). See docs/sms-sandbox.md. */
export type { SmsFailureRule } from './failures.ts';
export { genericPath } from './generic-provider.ts';
export type { SmsAttempt, SmsRecord, SmsShape } from './records.ts';
export {
  defaultGenericSecret,
  defaultTwilioAccount,
  SmsSandbox,
  type SmsSandboxOptions,
  startSmsSandbox,
} from './sandbox.ts';
export { signatureHeader, signGenericBody, verifyGenericSignature } from './signing.ts';

/** E.164: "+" then up to 15 digits, no leading zero (ITU-T E.164). Both sandboxes check phone numbers with it. */
export const e164Pattern = /^\+[1-9]\d{1,14}$/;

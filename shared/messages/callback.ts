import { z } from 'zod';

/**
 * A message's own outcome callback (docs/outcomes.md): `callback: { url }`, where its outcomes
 * are pushed instead of the deployment's OUTCOME_CALLBACK_URL. https only; plain http only on
 * a loopback address, and only where the deployment allows it (the local stack,
 * OUTCOME_CALLBACK_LOOPBACK_HTTP), checked by `callbackProblem`.
 */
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

function parsed(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export const callbackSchema = z.strictObject({
  url: z
    .string()
    .max(2048, 'at most 2,048 characters')
    .refine((url) => parsed(url) !== undefined, 'must be an absolute URL')
    .refine((url) => {
      const u = parsed(url);
      return !u || u.protocol === 'https:' || (u.protocol === 'http:' && loopbackHosts.has(u.hostname));
    }, 'must be an https URL')
    .refine((url) => {
      const u = parsed(url);
      return !u || (u.username === '' && u.password === '');
    }, 'must not carry a user name or password'),
});

/** The deployment's half of the rule: http on loopback is refused unless the deployment allows it. */
export function callbackProblem(
  callback: { url: string } | undefined,
  allowLoopbackHttp: boolean,
): { field: string; reason: string } | undefined {
  if (!callback || allowLoopbackHttp) return undefined;
  return parsed(callback.url)?.protocol === 'https:'
    ? undefined
    : { field: 'callback.url', reason: 'must be an https URL' };
}

import type { Config } from '../config/index.ts';
import { createRbmAuth } from './auth.ts';
import { type CapabilityAnswer, checkCapability, memoRegionalClients } from './capabilities.ts';
import { createRbmClient, type RbmClient } from './client.ts';
import { defaultRegionalTemplate, regionalBaseUrl, regionTable } from './regions.ts';

/**
 * The RBM client for the functions that call RBM (kept out of shared/runtime.ts
 * so the others never load google-auth-library). The auth client is built at
 * cold start (cheap, no network) so bad credentials fail the deploy, not the
 * first message.
 */
export function lazyRbmClient(config: Config<'rbm'>): () => RbmClient {
  const auth = createRbmAuth({
    baseUrl: config.RBM_API_BASE_URL,
    serviceAccountKey: config.RBM_SERVICE_ACCOUNT_KEY,
    accessToken: config.RBM_ACCESS_TOKEN,
  });
  let client: RbmClient | undefined;
  return () => {
    client ??= createRbmClient({
      baseUrl: config.RBM_API_BASE_URL,
      agentId: config.RBM_AGENT_ID,
      timeoutMs: config.RBM_TIMEOUT_MS,
      auth,
    });
    return client;
  };
}

/** A single capability check, on the phone's regional host (docs/messages-api.md#capability-check). */
export type CapabilityChecker = (phoneNumber: string, agentId: string) => Promise<CapabilityAnswer>;

/**
 * The messages function's capability checker: one client per regional host (from
 * RBM_REGIONAL_BASE_URL_TEMPLATE, or the template derived from RBM_API_BASE_URL),
 * each call bounded by CAPABILITY_CHECK_TIMEOUT_MS. Built at cold start, so a bad
 * template or a fixed token aimed at a real host fails the deploy.
 */
export function capabilityChecker(config: Config<'rbm' | 'capabilities'>): CapabilityChecker {
  const template = config.RBM_REGIONAL_BASE_URL_TEMPLATE ?? defaultRegionalTemplate(config.RBM_API_BASE_URL);
  const auth = createRbmAuth({
    baseUrl: regionalBaseUrl(template, 'us'),
    serviceAccountKey: config.RBM_SERVICE_ACCOUNT_KEY,
    accessToken: config.RBM_ACCESS_TOKEN,
  });
  const table = regionTable(config.RBM_REGION_BY_CALLING_CODE);
  const clients = memoRegionalClients((region) =>
    createRbmClient({
      baseUrl: regionalBaseUrl(template, region),
      agentId: config.RBM_AGENT_ID,
      timeoutMs: config.CAPABILITY_CHECK_TIMEOUT_MS,
      auth,
    }),
  );
  return (phoneNumber, agentId) => checkCapability(clients, table, phoneNumber, agentId);
}

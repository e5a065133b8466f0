import type { Config } from '../config/index.ts';
import { createRbmAuth } from './auth.ts';
import { createRbmClient, type RbmClient } from './client.ts';

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

import { type AuthClient, JWT, OAuth2Client } from 'google-auth-library';
import { z } from 'zod';

export const rbmScope = 'https://www.googleapis.com/auth/rcsbusinessmessaging';

const serviceAccountKey = z.object({ client_email: z.email(), private_key: z.string().min(1) });

/**
 * The RBM client authenticates through google-auth-library's AuthClient in
 * every setting. Production: a JWT client from the RBM service-account key,
 * minting OAuth tokens for the RBM scope. Local sandbox: an OAuth2Client
 * holding a fixed token, because the library's token endpoint is hard-coded
 * to Google and cannot be pointed at a local server. Same request path both ways.
 */
export function createRbmAuth(settings: {
  baseUrl: string;
  serviceAccountKey?: string | undefined;
  accessToken?: string | undefined;
}): AuthClient {
  if (settings.serviceAccountKey) {
    let parsed: z.infer<typeof serviceAccountKey>;
    try {
      parsed = serviceAccountKey.parse(JSON.parse(settings.serviceAccountKey));
    } catch {
      throw new Error(
        'RBM_SERVICE_ACCOUNT_KEY is not a service-account JSON key (client_email, private_key)',
      );
    }
    return new JWT({ email: parsed.client_email, key: parsed.private_key, scopes: [rbmScope] });
  }
  if (settings.accessToken) {
    const host = new URL(settings.baseUrl).hostname;
    if (host !== '127.0.0.1' && host !== 'localhost') {
      throw new Error(
        'RBM_ACCESS_TOKEN is for the local sandbox only; set RBM_SERVICE_ACCOUNT_KEY for a real host',
      );
    }
    const client = new OAuth2Client();
    client.setCredentials({ access_token: settings.accessToken, expiry_date: Number.MAX_SAFE_INTEGER });
    return client;
  }
  throw new Error('set RBM_SERVICE_ACCOUNT_KEY (production) or RBM_ACCESS_TOKEN (local sandbox)');
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GOOGLE_ISSUER, type OidcSigner } from './oidc.ts';

export interface JwksServer {
  /** JWKS like https://www.googleapis.com/oauth2/v3/certs */
  jwksUrl: string;
  /** kid -> PEM like https://www.googleapis.com/oauth2/v1/certs (google-auth-library's `oauth2FederatedSignonPemCertsUrl`) */
  pemCertsUrl: string;
  close(): Promise<void>;
}

/**
 * Publishes the emulator's signing key over HTTP on 127.0.0.1, at the paths
 * Google uses, so code that fetches Google's certs can be pointed here
 * (e.g. `new OAuth2Client({ endpoints: { oauth2FederatedSignonPemCertsUrl } })`).
 */
export async function startJwksServer(signer: OidcSigner, port = 0): Promise<JwksServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' });
      res.end(JSON.stringify(body));
    };
    if (path === '/oauth2/v3/certs') return json(signer.jwks());
    if (path === '/oauth2/v1/certs') return json(signer.pemCerts());
    if (path === '/.well-known/openid-configuration') {
      return json({
        issuer: GOOGLE_ISSUER,
        jwks_uri: `${base}/oauth2/v3/certs`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    jwksUrl: `${base}/oauth2/v3/certs`,
    pemCertsUrl: `${base}/oauth2/v1/certs`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

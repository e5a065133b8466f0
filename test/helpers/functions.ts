import type { AddressInfo } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';

export interface ServedFunction {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a real function over HTTP on 127.0.0.1: sets its environment, loads
 * its module (which validates config and registers it, as on a cold start),
 * and mounts it with functions-framework's own server.
 */
export async function serveFunction(name: string, env: Record<string, string>): Promise<ServedFunction> {
  Object.assign(process.env, env);
  await import(`../../functions/${name}/index.ts`);
  const server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';

export const functionNames = ['webhook', 'messages', 'revoke', 'fallback', 'sweep', 'outcomes'] as const;
export type FunctionName = (typeof functionNames)[number];

export interface FunctionsServer {
  url: string;
  port: number;
  urls: Record<FunctionName, string>;
  /** Requests being handled right now (lets a driver wait for quiet). */
  readonly active: number;
  stop(): Promise<void>;
}

/**
 * Every function, loaded as on a cold start and served by functions-framework
 * itself, on ONE loopback port: the first path segment picks the function
 * (`/messages/...` keeps its path, which is the messages API's own). The
 * port is bound first, because the functions' environment names their own
 * URLs (Cloud Tasks targets); then `environment(url)` is applied and the
 * functions are loaded, validating it as a cold start would.
 */
export async function serveFunctions(
  port: number,
  environment: (url: string) => Record<string, string>,
): Promise<FunctionsServer> {
  let apps: Partial<Record<FunctionName, http.Server>> = {};
  let active = 0;
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').split(/[/?:]/)[1] as FunctionName;
    const app = apps[name];
    if (!app) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'no such function' }));
      return;
    }
    active += 1;
    res.on('close', () => {
      active -= 1;
    });
    app.emit('request', req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${bound}`;
  try {
    Object.assign(process.env, environment(url));
    for (const name of functionNames) await import(`../../functions/${name}/index.ts`);
  } catch (error) {
    server.close();
    throw error;
  }
  apps = Object.fromEntries(functionNames.map((name) => [name, getTestServer(name)]));
  return {
    url,
    port: bound,
    urls: Object.fromEntries(functionNames.map((name) => [name, `${url}/${name}`])) as Record<
      FunctionName,
      string
    >,
    get active() {
      return active;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

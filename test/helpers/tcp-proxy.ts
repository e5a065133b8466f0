import net from 'node:net';

/*
 * A TCP proxy on 127.0.0.1 in front of a local server, to break a client's
 * connections on purpose: `cut()` drops every open connection and holds new
 * ones unanswered, `restore()` lets the held and later connections through.
 * What the server sees is an ordinary client going away and coming back.
 */

export interface TcpProxy {
  /** `127.0.0.1:PORT` of the proxy. */
  readonly host: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let held: net.Socket[] = [];
  let cut = false;

  const forward = (client: net.Socket) => {
    const upstream = net.connect(target);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
    client.resume();
  };

  const server = net.createServer((client) => {
    if (!cut) return forward(client);
    client.pause();
    held.push(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    host: `127.0.0.1:${port}`,
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      cut = false;
      const waiting = held;
      held = [];
      for (const client of waiting) if (!client.destroyed) forward(client);
    },
    async close() {
      for (const socket of [...open, ...held]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

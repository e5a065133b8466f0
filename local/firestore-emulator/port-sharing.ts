import type { Server as HttpServer } from 'node:http';
import net from 'node:net';
import type { ConnectionInjector } from '@grpc/grpc-js';

/*
 * gRPC (HTTP/2) and the HTTP/1.1 admin endpoints on one port, like Google's
 * emulator: the first bytes of each connection decide. A connection that
 * opens with the HTTP/2 client preface goes to grpc-js (through its
 * connection injector); anything else goes to the node:http server.
 */

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export interface SharedPort {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenShared(options: {
  host: string;
  port: number;
  grpc: ConnectionInjector;
  http: HttpServer;
}): Promise<SharedPort> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, HTTP2_PREFACE.length);
      const http2 = head.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n));
      if (http2 && head.length < HTTP2_PREFACE.length) return; // could still be either: read more
      socket.off('data', onData);
      socket.off('error', onError);
      socket.pause();
      socket.unshift(head);
      if (http2) options.grpc.injectConnection(socket);
      else {
        options.http.emit('connection', socket);
        // node:http adds a 'data' listener but does not resume a socket paused explicitly.
        socket.resume();
      }
    };
    const onError = () => socket.destroy();
    socket.on('data', onData);
    socket.on('error', onError);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;

  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        options.grpc.destroy();
        options.http.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}

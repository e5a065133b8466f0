import { connect } from 'node:net';

/**
 * Resolves once something at `host:port` accepts a TCP connection (closed at once, nothing
 * sent); rejects with the reason otherwise. A check that a server listens which no handler
 * sees, so it leaves no request in the server's logs.
 */
export function tcpAccepts(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const fail = (reason: string) => {
      socket.destroy();
      reject(new Error(reason));
    };
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('timeout', () => fail(`no answer within ${timeoutMs / 1000} s`));
    socket.once('error', (error) => fail(error.message));
  });
}

import { Server } from 'node:net';

/*
 * Preloaded (`node --import`) into a function process of the local stack
 * when the function runs as several instances: its server listens with
 * SO_REUSEPORT, so every instance of the function binds the one port and the
 * kernel spreads connections over the instances that are alive. That is how
 * Cloud Run routes around a crashed instance: one SIGKILL takes one instance,
 * not the function. functions-framework calls `listen(PORT, callback)` with
 * PORT as the environment gives it (a string of digits); it becomes
 * `{ port, reusePort: true }` (Linux; Node 23.1 and later).
 */
const listen = Server.prototype.listen;
Server.prototype.listen = function listenOnSharedPort(this: Server, ...args: unknown[]) {
  const [port, ...rest] = args;
  if (typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port))) {
    const callback = rest.find((arg) => typeof arg === 'function');
    return listen.call(this, { port: Number(port), reusePort: true }, callback as () => void);
  }
  return listen.apply(this, args as Parameters<typeof listen>);
} as typeof listen;

import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { SystemClock } from '../common/clock.ts';
import { tcpAccepts } from '../common/tcp.ts';
import { type FunctionName, type FunctionsServer, functionNames } from './functions-server.ts';

/*
 * The six functions as Cloud Run runs them: each in its own process, started
 * by functions-framework's own CLI with FUNCTION_TARGET and PORT, loading the
 * deploy entry (package.json main), which loads only that function. A process
 * can be killed with SIGKILL at any moment and started again on the same
 * port, as Cloud Run replaces a crashed instance. A function may run as
 * several instances, processes that share its port (shared-port.ts), so a
 * kill takes one instance and the others go on answering, as Cloud Run
 * routes around a crashed instance. The clock is the stack's scaled
 * SystemClock, rebuilt in each process by child-clock.ts.
 */

const repoRoot = join(import.meta.dirname, '../..');
const frameworkCli = join(repoRoot, 'node_modules/@google-cloud/functions-framework/build/src/main.js');
const clockPreload = join(import.meta.dirname, 'child-clock.ts');
const sharedPortPreload = join(import.meta.dirname, 'shared-port.ts');

/** How many instances (processes) each function runs as; 1 where not named. */
export type InstanceCounts = Partial<Record<FunctionName, number>>;

export interface FunctionProcesses extends FunctionsServer {
  /** The instances of each function, numbered 0 to count - 1. */
  readonly instances: Readonly<Record<FunctionName, number>>;
  /** SIGKILL of one instance: no shutdown, no flush; what is in flight there is lost. */
  kill(name: FunctionName, instance?: number): void;
  /** The process id of the instance, if it is running now. */
  pid(name: FunctionName, instance?: number): number | undefined;
  /** Starts the instance again on the function's port; resolves once it listens. */
  restart(name: FunctionName, instance?: number): Promise<void>;
  /** Every line every process printed, in order of arrival. */
  readonly output: readonly string[];
  /** Processes started so far, restarts included. */
  readonly starts: number;
}

/** A port free now on 127.0.0.1 (bound and released), so a restarted process can take it again. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startFunctionProcesses(
  clock: SystemClock,
  environment: (urls: Record<FunctionName, string>) => Record<string, string>,
  instanceCounts: InstanceCounts = {},
  /** Also hears each line the processes print (npm start shows them as the in-process mode does). */
  onOutput?: (line: string) => void,
): Promise<FunctionProcesses> {
  const instances = Object.fromEntries(
    functionNames.map((name) => [name, instanceCounts[name] ?? 1]),
  ) as Record<FunctionName, number>;
  for (const name of functionNames) {
    const count = instances[name];
    if (!Number.isInteger(count) || count < 1 || count > 16)
      throw new Error(`instances of ${name} must be a whole number from 1 to 16, got ${count}`);
  }
  const every = functionNames.flatMap((name) =>
    Array.from({ length: instances[name] }, (_, instance) => ({ name, instance })),
  );
  const key = (name: FunctionName, instance: number) => `${name}#${instance}`;
  const ports = Object.fromEntries(
    await Promise.all(functionNames.map(async (name) => [name, await freePort()] as const)),
  ) as Record<FunctionName, number>;
  const bases = Object.fromEntries(
    functionNames.map((name) => [name, `http://127.0.0.1:${ports[name]}`]),
  ) as Record<FunctionName, string>;
  const env = environment(bases);
  // As in the in-process mode, urls.messages is the API's own path (POST {urls.messages}, GET {urls.messages}/{id}).
  const urls = { ...bases, messages: `${bases.messages}/messages` };
  const children = new Map<string, ChildProcess>();
  const output: string[] = [];
  let starts = 0;

  const launch = async (name: FunctionName, instance: number): Promise<void> => {
    const { FIRESTORE_EMULATOR_HOST: _inherited, ...parent } = process.env;
    const shared = instances[name] > 1;
    const preloads = ['--import', clockPreload, ...(shared ? ['--import', sharedPortPreload] : [])];
    const child = spawn(process.execPath, [...preloads, frameworkCli], {
      cwd: repoRoot,
      env: {
        ...parent,
        ...env,
        FUNCTION_TARGET: name,
        PORT: String(ports[name]),
        K_SERVICE: name,
        LOCAL_STACK_CLOCK: JSON.stringify(clock.settings),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    starts += 1;
    children.set(key(name, instance), child);
    let listening: () => void = () => {};
    const listened = new Promise<void>((resolve) => {
      listening = resolve;
    });
    const collect = (chunk: Buffer) => {
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      output.push(...lines);
      if (onOutput) for (const line of lines) onOutput(line);
      // functions-framework prints this once its server listens (outside NODE_ENV=production).
      if (lines.some((line) => line.startsWith('Serving function'))) listening();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    // A probe of a shared port may be answered by another instance: there only its own word counts.
    await untilAnswering(shared ? undefined : bases[name], child, key(name, instance), output, listened);
  };

  const stopOne = async (name: FunctionName, instance: number, signal: NodeJS.Signals) => {
    const child = children.get(key(name, instance));
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };

  try {
    await Promise.all(every.map(({ name, instance }) => launch(name, instance)));
  } catch (error) {
    await Promise.all(every.map(({ name, instance }) => stopOne(name, instance, 'SIGKILL')));
    throw error;
  }

  return {
    url: urls.webhook,
    port: ports.webhook,
    urls,
    // Requests in other processes are not counted here; the stack settles on the emulators.
    active: 0,
    instances,
    output,
    get starts() {
      return starts;
    },
    kill: (name, instance = 0) => {
      children.get(key(name, instance))?.kill('SIGKILL');
    },
    pid: (name, instance = 0) => {
      const child = children.get(key(name, instance));
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    restart: async (name, instance = 0) => {
      await stopOne(name, instance, 'SIGKILL');
      await launch(name, instance);
    },
    stop: async () => {
      await Promise.all(every.map(({ name, instance }) => stopOne(name, instance, 'SIGTERM')));
    },
  };
}

/**
 * Resolves once the function listens (it said so, or it answers any HTTP request: a
 * process flooded with retried requests at once may be slow to answer a probe), or
 * fails with what it printed.
 */
async function untilAnswering(
  url: string | undefined,
  child: ChildProcess,
  name: string,
  output: string[],
  listened: Promise<void>,
) {
  let said = false;
  void listened.then(() => {
    said = true;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (said) return;
    if (child.exitCode !== null) {
      throw new Error(
        `function ${name} exited (${child.exitCode}) at start: ${output.slice(-12).join(' | ')}`,
      );
    }
    try {
      if (url !== undefined) {
        // A TCP connect, not a request: a function would log the probe (the webhook's 405 for a
        // GET), and npm start forwards the functions' log lines, ahead of its ready line.
        const { hostname, port } = new URL(url);
        await tcpAccepts(hostname, Number(port), 1_000);
        return;
      }
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new Error(`function ${name} did not answer within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

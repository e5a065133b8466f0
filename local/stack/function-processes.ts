import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { SystemClock } from '../common/clock.ts';
import { type FunctionName, type FunctionsServer, functionNames } from './functions-server.ts';

/*
 * The five functions as Cloud Run runs them: each in its own process, started
 * by functions-framework's own CLI with FUNCTION_TARGET and PORT, loading the
 * deploy entry (package.json main), which loads only that function. A process
 * can be killed with SIGKILL at any moment and started again on the same
 * port, as Cloud Run replaces a crashed instance. The clock is the stack's
 * scaled SystemClock, rebuilt in each process by child-clock.ts.
 */

const repoRoot = join(import.meta.dirname, '../..');
const frameworkCli = join(repoRoot, 'node_modules/@google-cloud/functions-framework/build/src/main.js');
const clockPreload = join(import.meta.dirname, 'child-clock.ts');

export interface FunctionProcesses extends FunctionsServer {
  /** SIGKILL: no shutdown, no flush; what is in flight is lost. */
  kill(name: FunctionName): void;
  /** The process id of each function running now. */
  pid(name: FunctionName): number | undefined;
  /** Starts the function again on its port; resolves once it answers. */
  restart(name: FunctionName): Promise<void>;
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
): Promise<FunctionProcesses> {
  const ports = Object.fromEntries(
    await Promise.all(functionNames.map(async (name) => [name, await freePort()] as const)),
  ) as Record<FunctionName, number>;
  const bases = Object.fromEntries(
    functionNames.map((name) => [name, `http://127.0.0.1:${ports[name]}`]),
  ) as Record<FunctionName, string>;
  const env = environment(bases);
  // As in the in-process mode, urls.messages is the API's own path (POST {urls.messages}, GET {urls.messages}/{id}).
  const urls = { ...bases, messages: `${bases.messages}/messages` };
  const children = new Map<FunctionName, ChildProcess>();
  const output: string[] = [];
  let starts = 0;

  const launch = async (name: FunctionName): Promise<void> => {
    const { FIRESTORE_EMULATOR_HOST: _inherited, ...parent } = process.env;
    const child = spawn(process.execPath, ['--import', clockPreload, frameworkCli], {
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
    children.set(name, child);
    let listening: () => void = () => {};
    const listened = new Promise<void>((resolve) => {
      listening = resolve;
    });
    const collect = (chunk: Buffer) => {
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      output.push(...lines);
      // functions-framework prints this once its server listens (outside NODE_ENV=production).
      if (lines.some((line) => line.startsWith('Serving function'))) listening();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    await untilAnswering(bases[name], child, name, output, listened);
  };

  const stopOne = async (name: FunctionName, signal: NodeJS.Signals) => {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };

  try {
    await Promise.all(functionNames.map(launch));
  } catch (error) {
    await Promise.all(functionNames.map((name) => stopOne(name, 'SIGKILL')));
    throw error;
  }

  return {
    url: urls.webhook,
    port: ports.webhook,
    urls,
    // Requests in other processes are not counted here; the stack settles on the emulators.
    active: 0,
    output,
    get starts() {
      return starts;
    },
    kill: (name) => {
      children.get(name)?.kill('SIGKILL');
    },
    pid: (name) => {
      const child = children.get(name);
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    restart: async (name) => {
      await stopOne(name, 'SIGKILL');
      await launch(name);
    },
    stop: async () => {
      await Promise.all(functionNames.map((name) => stopOne(name, 'SIGTERM')));
    },
  };
}

/**
 * Resolves once the function listens (it said so, or it answers any HTTP request: a
 * process flooded with retried requests at once may be slow to answer a probe), or
 * fails with what it printed.
 */
async function untilAnswering(
  url: string,
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
      await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`function ${name} did not answer within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

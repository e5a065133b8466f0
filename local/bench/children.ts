import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/*
 * The benchmark's child processes (emulators, function servers): started on
 * 127.0.0.1, each announcing itself with a `{"ready":true,...}` JSON object
 * (a stdout line, or an IPC message), and all stopped together.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const readyTimeoutMs = 30_000;

export interface Started {
  readonly name: string;
  readonly process: ChildProcess;
  /** The ready object the child announced. */
  readonly ready: Record<string, unknown>;
}

export class Children {
  readonly #started: ChildProcess[] = [];

  /**
   * Runs `node <script> ...args` from the repository root. `ready: 'stdout'`
   * waits for a JSON line with `ready: true` on stdout (the emulators' CLIs);
   * `'ipc'` waits for such an IPC message, and the child's stdout goes to
   * /dev/null (a function's logs: written, as in production, but not kept).
   */
  async start(
    name: string,
    script: string,
    args: string[],
    options: { ready: 'stdout' | 'ipc'; env?: Record<string, string> },
  ): Promise<Started> {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: options.ready === 'ipc' ? ['ignore', 'ignore', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    this.#started.push(child);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });

    const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name}: not ready after ${readyTimeoutMs} ms\n${stderr}`)),
        readyTimeoutMs,
      );
      const accept = (value: unknown) => {
        if (typeof value !== 'object' || value === null || !('ready' in value)) return false;
        clearTimeout(timer);
        resolve(value as Record<string, unknown>);
        return true;
      };
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited before it was ready (${signal ?? code})\n${stderr}`));
      });
      if (options.ready === 'ipc') {
        const onMessage = (message: unknown) => {
          if (accept(message)) child.off('message', onMessage);
        };
        child.on('message', onMessage);
      } else {
        let buffered = '';
        let seen = false;
        child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
          if (seen) return; // keep draining, ignore the rest
          buffered += chunk;
          for (let nl = buffered.indexOf('\n'); nl >= 0 && !seen; nl = buffered.indexOf('\n')) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            try {
              seen = accept(JSON.parse(line));
            } catch {
              // not the ready line
            }
          }
        });
      }
    });
    return { name, process: child, ready: await ready };
  }

  /** Sends `request` over IPC and resolves with the first answer carrying `key`. */
  static async ask<T>(child: ChildProcess, request: string, key: string): Promise<T> {
    const answer = new Promise<T>((resolve) => {
      const onMessage = (message: unknown) => {
        if (typeof message === 'object' && message !== null && key in message) {
          child.off('message', onMessage);
          resolve((message as Record<string, T>)[key]!);
        }
      };
      child.on('message', onMessage);
    });
    child.send(request);
    return answer;
  }

  /** SIGTERM to every child still running, SIGKILL to any still there after 3 s. */
  async stopAll(): Promise<void> {
    const running = this.#started.splice(0).filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(
      running.map(async (child) => {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  /** Last resort on process exit: synchronous, so only signals. */
  killAllNow(): void {
    for (const child of this.#started) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}

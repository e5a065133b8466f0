import { type ChildProcess, fork } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import type { useFirestoreEmulator } from './firestore.ts';
import { webhookEnvironment } from './webhook-fixture.ts';

export interface LoggingWebhook {
  /** The webhook's URL, once it listens. */
  readonly url: string;
  /** Every JSON line it printed so far, in order. */
  readonly lines: Array<Record<string, unknown>>;
}

/**
 * The webhook function in a child process of its own (LOG_LEVEL info), so its stdout,
 * the log Cloud Logging reads, is its alone; started before the file's tests, killed after.
 */
export function useLoggingWebhook(fs: ReturnType<typeof useFirestoreEmulator>): LoggingWebhook {
  let child: ChildProcess | undefined;
  let url = '';
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    child = fork('local/bench/serve-function.ts', ['webhook'], {
      env: { ...process.env, ...webhookEnvironment(fs.projectId, fs.host), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const line of complete.filter(Boolean)) lines.push(JSON.parse(line));
    });
    url = await new Promise<string>((resolve, reject) => {
      child!.once('error', reject);
      child!.on('message', (message: { ready?: boolean; url?: string }) => {
        if (message.ready && message.url) resolve(message.url);
      });
    });
  });
  afterAll(() => {
    child?.kill();
  });

  return {
    get url() {
      return url;
    },
    lines,
  };
}

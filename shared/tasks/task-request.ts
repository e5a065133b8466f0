import { z } from 'zod';
import type { Step } from '../lifecycle/types.ts';
import { documentIdProblem } from '../store/storable.ts';

const taskBody = z.object({
  step: z.enum(['revoke', 'expired', 'again', 'manual', 'confirm', 'fallback', 'escalate']),
  // Only ids the scheduler could have written: anything else can never be read, so it is dropped.
  messageId: z.string().check((ctx) => {
    const problem = documentIdProblem(ctx.value);
    if (problem)
      ctx.issues.push({ code: 'custom', message: `${problem}, so no message has it`, input: ctx.value });
  }),
  sequence: z.number().int().min(0),
});

export interface TaskRequest {
  step: Step;
  messageId: string;
  sequence: number;
  /** X-CloudTasks-TaskRetryCount: how many times this task was tried before. */
  retryCount: number;
  /** True when Cloud Tasks will not try this task again after this try. */
  finalTry: boolean;
  taskName?: string;
}

export type ParsedTaskRequest = { ok: true; task: TaskRequest } | { ok: false; reason: string };

/**
 * Reads a Cloud Tasks delivery: the JSON body the scheduler wrote and the
 * X-CloudTasks-* headers (https://cloud.google.com/tasks/docs/creating-http-target-tasks#handler).
 * `maxAttempts` is the queue's retry budget, so the handler knows when a try
 * is the last and must record a final outcome rather than ask for a retry.
 */
export function parseTaskRequest(
  body: unknown,
  header: (name: string) => string | undefined,
  maxAttempts: number,
): ParsedTaskRequest {
  const parsed = taskBody.safeParse(body);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return { ok: false, reason };
  }
  const retryCount = Number(header('x-cloudtasks-taskretrycount') ?? 0) || 0;
  const taskName = header('x-cloudtasks-taskname');
  return {
    ok: true,
    task: {
      ...parsed.data,
      retryCount,
      finalTry: retryCount + 1 >= maxAttempts,
      ...(taskName ? { taskName } : {}),
    },
  };
}

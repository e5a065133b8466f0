/**
 * Deploy entry point (package.json "main"). Every function ships in one
 * source archive; Cloud Run functions set FUNCTION_TARGET to the entry point,
 * so an instance loads and configures only its own function. Without it (a
 * local `functions-framework` run) all of them load.
 */
import { createLogger, maskPhone } from '../shared/log/index.ts';
import { captureConsoleErrors } from '../shared/log/stray-output.ts';

const target = process.env.FUNCTION_TARGET;

// Deployed instances only (the local stack and tests load the functions directly): what
// libraries print to console.error becomes one structured line with phone numbers masked.
captureConsoleErrors(createLogger({ base: { function: target ?? 'functions' } }), maskPhone);

const functions: Record<string, () => Promise<unknown>> = {
  webhook: () => import('./webhook/index.ts'),
  fallback: () => import('./fallback/index.ts'),
  revoke: () => import('./revoke/index.ts'),
  messages: () => import('./messages/index.ts'),
  sweep: () => import('./sweep/index.ts'),
  outcomes: () => import('./outcomes/index.ts'),
};

for (const [name, load] of Object.entries(functions)) {
  if (!target || target === name) await load();
}

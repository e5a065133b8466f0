/**
 * Deploy entry point (package.json "main"). Every function ships in one
 * source archive; Cloud Run functions set FUNCTION_TARGET to the entry point,
 * so an instance loads and configures only its own function. Without it (a
 * local `functions-framework` run) all of them load.
 */
const target = process.env.FUNCTION_TARGET;
const functions: Record<string, () => Promise<unknown>> = {
  webhook: () => import('./webhook/index.ts'),
  fallback: () => import('./fallback/index.ts'),
  revoke: () => import('./revoke/index.ts'),
  messages: () => import('./messages/index.ts'),
  sweep: () => import('./sweep/index.ts'),
};

for (const [name, load] of Object.entries(functions)) {
  if (!target || target === name) await load();
}

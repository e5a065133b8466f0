import { defineConfig } from 'vitest/config';

// `npx vitest` with an older system Node must fail with a clear message, not a
// stack trace from deep inside a dependency. `npm test` checks first too.
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor !== 24) {
  throw new Error(
    `rbm-lifecycle tests run on Node 24 (production runtime nodejs24); this is Node ${process.versions.node}. Use \`npm test\`.`,
  );
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Google clients would otherwise probe the GCE metadata server for credentials.
    env: { METADATA_SERVER_DETECTION: 'none' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});

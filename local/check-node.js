// Tests and the local stack must run on the same Node major as production
// (Cloud Functions nodejs24). npm scripts put node_modules/.bin first on PATH,
// where the `node@24` dev dependency installs its binary. Plain JS on purpose:
// this must give a clear message on any Node, old ones included.
const required = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major !== required) {
  console.error(
    [
      `rbm-lifecycle runs on Node ${required} (Cloud Functions runtime nodejs${required}),`,
      `but this is Node ${process.versions.node} at ${process.execPath}.`,
      'Run it through npm (npm test, npm start): npm puts node_modules/.bin/node (Node 24, from the',
      '`node` dev dependency) first on PATH. If that binary is missing, reinstall with `npm ci`',
      '(install scripts must be allowed: the `node` package fetches its binary in preinstall).',
    ].join('\n'),
  );
  process.exit(1);
}

// Deploy entry point (package.json "main"): plain JS, because the Node.js buildpack runs
// `node --check` on main, which does not strip types. It loads the TypeScript entry, which
// Node 24 runs natively.
import './index.ts';

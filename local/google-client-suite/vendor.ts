/**
 * Copies Google's Node.js Firestore client system tests out of a git mirror of
 * googleapis/nodejs-firestore into test/google-client-suite/vendor/, with only
 * mechanical changes so they run against the published @google-cloud/firestore.
 *
 *   node local/google-client-suite/vendor.ts GIT_DIR [COMMIT]
 *
 * GIT_DIR is a (bare) clone; COMMIT defaults to the pinned one below. The
 * output, README.md included, is committed; re-run to refresh, then review the
 * diff and the expected-failures list.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithError, parseCommandLine, usageError } from '../common/cli.ts';

const PINNED_COMMIT = '1068f5cb841ae22c333ecc5ba7b1ab9071d80037';
const REPOSITORY = 'https://github.com/googleapis/nodejs-firestore';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'test', 'google-client-suite', 'vendor');

/** Whole files, copied with the import rewrites below. */
const WHOLE_FILES = [
  'dev/system-test/firestore.ts',
  'dev/system-test/query.ts',
  'dev/system-test/pipeline.ts',
  'dev/system-test/index_test_helper.ts',
  'dev/test/util/mocha_extensions.ts',
];

/**
 * Helper modules the system tests import from the client's unit tests and
 * sources. Those modules import much more (the client's internals, its unit
 * test mocks), so only the declarations the system tests use are copied,
 * verbatim, each with its doc comment, under the imports given here.
 */
const EXTRACTS: { path: string; imports: string[]; names: string[] }[] = [
  {
    path: 'dev/src/util.ts',
    imports: ["import {randomBytes} from 'crypto';"],
    names: ['Deferred', 'autoId'],
  },
  {
    path: 'dev/test/util/helpers.ts',
    imports: [
      "import {DocumentData, SetOptions, PartialWithFieldValue} from '@google-cloud/firestore';",
      "import {expect} from 'chai';",
      "import {JSONStreamIterator} from 'length-prefixed-json-stream';",
      "import {PassThrough} from 'stream';",
      "import type {firestore} from '@google-cloud/firestore/build/protos/firestore_v1_proto_api';",
      "import {Firestore, QueryDocumentSnapshot} from '@google-cloud/firestore';",
    ],
    names: [
      'verifyInstance',
      'Post',
      'postConverter',
      'postConverterMerge',
      'bundleToElementArray',
      'isPreferRest',
      'isEnterprise',
    ],
  },
  {
    path: 'dev/test/bundle.ts',
    imports: [
      "import {expect} from 'chai';",
      "import type {firestore, google} from '@google-cloud/firestore/build/protos/firestore_v1_proto_api';",
      '',
      'type IBundleMetadata = firestore.IBundleMetadata;',
      'type ITimestamp = google.protobuf.ITimestamp;',
    ],
    names: ['TEST_BUNDLE_ID', 'TEST_BUNDLE_VERSION', 'verifyMetadata'],
  },
];

/**
 * [pattern, replacement, why]. Each must match somewhere, so a refresh that
 * no longer needs one fails loudly instead of silently drifting.
 */
const REWRITES: [RegExp, string, string][] = [
  [
    /from '(?:\.\.\/)+src'/g,
    "from '@google-cloud/firestore'",
    'the client under test is the published package, not the repository sources',
  ],
  [
    /from '\.\.\/src\/(?:bulk-writer|query-partition|collection-group|filter)'/g,
    "from '@google-cloud/firestore'",
    'BulkWriter, QueryPartition, CollectionGroup and Filter are public exports of the package',
  ],
  [
    /from '\.\.\/src\/pipelines'/g,
    "from '@google-cloud/firestore/pipelines'",
    'the package export of pipelines',
  ],
  [
    /import \{(firestore|firestore, google)\} from '\.\.\/protos\/firestore_v1_proto_api';/g,
    "import type {$1} from '@google-cloud/firestore/build/protos/firestore_v1_proto_api';",
    'used for types only; the package does not export the generated protos',
  ],
  [
    /import \{Status\} from 'google-gax';/g,
    "import {status as Status} from '@grpc/grpc-js';",
    "google-gax's Status is grpc-js's status; grpc-js is a direct dependency here, google-gax is not",
  ],
  [
    /import \* as (chaiAsPromised|extend) from '(chai-as-promised|extend)';/g,
    "import $1 from '$2';",
    'CommonJS modules that export a function: TypeScript without esModuleInterop binds `import * as` to it, esbuild (tsx) to a namespace object',
  ],
  [
    /require\('\.\.\/\.\.\/package\.json'\)/g,
    "require('@google-cloud/firestore/package.json')",
    "the repository's package.json: the version of the client under test",
  ],
];

function git(gitDir: string, ...args: string[]): string {
  try {
    return execFileSync('git', ['--git-dir', gitDir, ...args], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`git ${args.join(' ')}: ${stderr || String(error)}`);
  }
}

/** The leading licence comment of a file. */
function licenceHeader(source: string): string {
  const match = /^\/\*[\s\S]*?\*\/\n|^(?:\/\/.*\n)+/.exec(source);
  if (!match) throw new Error('no licence header');
  return match[0];
}

/** One top-level declaration with its doc comment: up to the first line that starts with `}`. */
function extract(source: string, name: string, path: string): string {
  const lines = source.split('\n');
  const start = lines.findIndex((line) =>
    new RegExp(`^export (?:async )?(?:function|const|class) ${name}\\b|^const ${name}\\b`).test(line),
  );
  if (start < 0) throw new Error(`${path}: no declaration of ${name}`);
  let first = start;
  if (lines[start - 1]?.trim() === '*/' || lines[start - 1]?.trim().startsWith('/**')) {
    while (first > 0 && !lines[first - 1]!.startsWith('/**')) first--;
    first--;
  }
  let end = start;
  if (!lines[start]!.trimEnd().endsWith(';')) {
    while (end < lines.length && !/^\}/.test(lines[end]!)) end++;
  }
  return lines.slice(first, end + 1).join('\n');
}

function rewrite(text: string, used: Set<number>): string {
  let out = text;
  REWRITES.forEach(([pattern, replacement], index) => {
    const next = out.replace(pattern, replacement);
    if (next !== out) used.add(index);
    out = next;
  });
  return out;
}

const usage = `Usage: node local/google-client-suite/vendor.ts GIT_DIR [COMMIT]

Copies Google's Node.js Firestore client system tests from GIT_DIR, a clone of
${REPOSITORY}, at COMMIT (default ${PINNED_COMMIT})
into test/google-client-suite/vendor/, replacing what is there.
`;

function main(gitDir: string, commit: string): void {
  const fullCommit = git(gitDir, 'rev-parse', `${commit}^{commit}`).trim();
  const version = JSON.parse(git(gitDir, 'show', `${fullCommit}:package.json`)).version as string;
  const show = (path: string) => git(gitDir, 'show', `${fullCommit}:${path}`);

  rmSync(outDir, { recursive: true, force: true });
  const write = (relative: string, text: string) => {
    const file = join(outDir, relative);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  const used = new Set<number>();
  for (const path of WHOLE_FILES) write(path.replace(/^dev\//, ''), rewrite(show(path), used));
  for (const { path, imports, names } of EXTRACTS) {
    const source = show(path);
    const body = names.map((name) => extract(source, name, path)).join('\n\n');
    const note = `// Vendored extract: only ${names.join(', ')} from ${path}, verbatim; imports written for them.\n`;
    write(
      path.replace(/^dev\//, ''),
      `${licenceHeader(source)}\n${note}\n${imports.join('\n')}\n\n${body}\n`,
    );
  }
  const unused = REWRITES.filter((_, index) => !used.has(index));
  if (unused.length > 0)
    throw new Error(`rewrites that matched nothing: ${unused.map(([p]) => p).join(', ')}`);

  write('LICENSE', show('LICENSE'));
  // Compiled as upstream compiles them: CommonJS (their `require` of package.json),
  // with imports used only as types elided.
  write('package.json', `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
  write(
    'tsconfig.json',
    `${JSON.stringify({ compilerOptions: { target: 'es2023', module: 'commonjs', strict: true } }, null, 2)}\n`,
  );
  write('README.md', readme(fullCommit, version));
  console.log(`vendored ${REPOSITORY} at ${fullCommit} (package.json version ${version}) into ${outDir}`);
}

function clientVersion(): string {
  const manifest = join(root, 'node_modules', '@google-cloud', 'firestore', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function readme(commit: string, version: string): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = REWRITES.map(
    ([pattern, replacement, why]) =>
      `| \`${cell(pattern.source)}\` | \`${cell(replacement)}\` | ${cell(why)} |`,
  );
  return `# Google's Node.js Firestore client system tests (vendored)

Generated by \`node local/google-client-suite/vendor.ts GIT_DIR\`; do not edit by hand.

- Source: ${REPOSITORY}
- Commit: \`${commit}\` (its package.json says version ${version})
- Run against: the project's \`@google-cloud/firestore\` (${clientVersion()} when this copy was made)
- Licence: Apache-2.0, \`LICENSE\` here is the repository's.

Run with \`npm run test:google-suite\` (see docs/firestore-emulator.md, "Google's client suite").

## What was copied

Whole, with the rewrites below: ${WHOLE_FILES.map((f) => `\`${f}\``).join(', ')}.
(\`dev/system-test/tracing.ts\` is left out: see docs/firestore-emulator.md.)

Extracts, the named declarations copied verbatim (with their doc comments)
under imports written for them, because the rest of those files imports the
client's internals and unit-test mocks:

${EXTRACTS.map(({ path, names }) => `- \`${path}\`: ${names.map((n) => `\`${n}\``).join(', ')}`).join('\n')}

Paths are kept relative to \`dev/\`, so the suite's own relative imports
(\`../test/util/helpers\`, \`./firestore\`, \`../src/util\`) need no change.

## Rewrites (every vendored file)

| pattern | replacement | why |
| --- | --- | --- |
${rows.join('\n')}

Nothing else is changed. \`package.json\` (\`"type": "commonjs"\`) and
\`tsconfig.json\` here make tsx compile the files as upstream's build does:
CommonJS, with imports used only as types elided.
`;
}

const { positionals } = parseCommandLine('google-client-suite-vendor', usage, {
  options: {},
  allowPositionals: true,
});
if (positionals.length < 1 || positionals.length > 2) {
  usageError('google-client-suite-vendor', 'expected GIT_DIR [COMMIT]');
}
try {
  main(positionals[0]!, positionals[1] ?? PINNED_COMMIT);
} catch (error) {
  exitWithError('google-client-suite-vendor', error);
}

// npm run package: writes the source archive Terraform uploads (terraform/source.tf)
// and a manifest of what is in it. Prints one JSON line: the archive, its SHA-256,
// its size and how many files it holds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ArchivePlanError, planArchive } from './closure.ts';
import { defaultArchivePath, manifestPathFor, repoRoot } from './paths.ts';
import { zipFiles } from './zip.ts';

const usage = `Usage: npm run package [-- --out FILE]

Writes the one source archive of the six functions: package.json,
package-lock.json and every module reachable from package.json's "main".
Terraform uploads it (terraform/source.tf); run this before terraform apply.

  --out FILE   where to write the zip (default ${defaultArchivePath});
               a manifest FILE with .json in place of .zip is written beside it
  --help       this text`;

function fail(message: string): never {
  process.stderr.write(`package: ${message}\n`);
  process.exit(2);
}

let args: { out?: string | undefined; help?: boolean | undefined };
try {
  args = parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean' } }, strict: true }).values;
} catch (error) {
  fail(`${(error as Error).message}; see --help`);
}
if (args.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const out = resolve(args.out ?? join(repoRoot, defaultArchivePath));
if (!out.endsWith('.zip')) fail(`--out must name a .zip file, got ${out}`);

try {
  const plan = await planArchive(repoRoot);
  const archive = zipFiles(repoRoot, plan.files);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, archive.bytes);
  const manifest = manifestPathFor(out);
  writeFileSync(manifest, `${JSON.stringify({ sha256: archive.sha256, files: archive.files }, null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify({ archive: out, manifest, sha256: archive.sha256, bytes: archive.bytes.length, files: plan.files.length })}\n`,
  );
} catch (error) {
  if (error instanceof ArchivePlanError) fail(error.message);
  throw error;
}

import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { init, parse } from 'es-module-lexer';

/**
 * What the source archive holds, derived from the code itself: package.json,
 * package-lock.json, and every module reachable from package.json's "main"
 * through static and dynamic imports. Nothing else is deployed (no tests, no
 * local platform, no operator CLI), and anything the deployed code needs is in
 * it, because it is the same import graph Node follows at run time.
 */

export interface ArchivePlan {
  /** Repository-relative paths, POSIX separators, sorted. */
  files: string[];
}

export class ArchivePlanError extends Error {
  override name = 'ArchivePlanError';
}

/** Deployed code may only import these folders of the repository. */
const deployableRoots = ['functions/', 'shared/'];
const builtins = new Set(builtinModules);

interface PackageJson {
  main?: string;
  dependencies?: Record<string, string>;
}

export async function planArchive(repoRoot: string): Promise<ArchivePlan> {
  await init;
  const root = resolve(repoRoot);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
  if (!pkg.main)
    throw new ArchivePlanError('package.json has no "main": the buildpack needs the entry module');
  const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
  for (const required of ['package.json', 'package-lock.json']) {
    if (!existsSync(join(root, required)))
      throw new ArchivePlanError(
        `${required} is missing: the buildpack runs npm ci from the archived lockfile`,
      );
  }

  const seen = new Set<string>();
  const queue = [toRepoPath(root, join(root, pkg.main))];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    if (!deployableRoots.some((prefix) => file.startsWith(prefix)))
      throw new ArchivePlanError(
        `${file} is reached from "main" but deployed code may only live in functions/ and shared/`,
      );
    const absolute = join(root, file);
    if (!existsSync(absolute)) throw new ArchivePlanError(`${file} is imported but does not exist`);
    seen.add(file);
    for (const specifier of importsOf(file, readFileSync(absolute, 'utf8'))) {
      if (specifier.startsWith('.')) {
        queue.push(toRepoPath(root, resolve(dirname(absolute), specifier)));
      } else if (!isBuiltin(specifier) && !dependencies.has(packageName(specifier))) {
        throw new ArchivePlanError(
          `${file} imports ${specifier}, which is not in package.json "dependencies" (the buildpack installs no devDependencies)`,
        );
      }
    }
  }
  return { files: ['package-lock.json', 'package.json', ...seen].sort() };
}

/**
 * Import specifiers of one module (the lexer reads TypeScript). `import type` is
 * left out, as Node erases it; anything else is kept, so the archive errs on the
 * side of a module too many.
 */
function importsOf(file: string, code: string): string[] {
  const [imports] = parse(code, file);
  return imports.flatMap((entry): string[] => {
    if (entry.type === 'import-meta') return [];
    if (entry.type !== 'dynamic' && entry.typeOnly) return [];
    // A dynamic import of a computed specifier cannot be followed: refuse it rather than ship without it.
    if (entry.specifier === undefined) {
      const line = code.slice(0, entry.importStart).split('\n').length;
      throw new ArchivePlanError(
        `${file}:${line}: import() of a computed specifier; deployed code imports literals only`,
      );
    }
    return [entry.specifier];
  });
}

function toRepoPath(root: string, absolute: string): string {
  const path = relative(root, absolute).split(sep).join(posix.sep);
  if (path.startsWith('..')) throw new ArchivePlanError(`${absolute} is outside the repository`);
  return path;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtins.has(specifier.split('/')[0]!);
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform expressions, "${...}" is HCL interpolation.
import { spawnSync } from 'node:child_process';
import { globSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  asString,
  block,
  dynamicBlock,
  expression,
  loadModule,
  local,
  repoRoot,
  resource,
} from '../../helpers/terraform.ts';

// The one source archive: only what the runtime needs, self-contained, and
// built by Cloud Build without the devDependencies.

interface PackageJson {
  main: string;
  type?: string;
  scripts?: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;

/** The fileset() patterns of local.code_files, expanded as Terraform would (minus *.test.ts). */
async function archivedCode(): Promise<string[]> {
  const module = await loadModule();
  const codeFiles = expression(local(module, 'code_files'));
  const patterns = [...codeFiles.matchAll(/fileset\(local\.repo_root, "([^"]+)"\)/g)].map((m) => m[1]!);
  expect(patterns.length).toBeGreaterThan(0);
  return patterns
    .flatMap((pattern) => globSync(pattern, { cwd: repoRoot }))
    .map((path) => path.split('\\').join('/'))
    .filter((path) => !path.endsWith('.test.ts'))
    .sort();
}

describe('terraform source archive', () => {
  it('is an allowlist: package.json, package-lock.json, functions/ and shared/ only', async () => {
    const module = await loadModule();
    const archive = module.data.archive_file?.source;
    expect(archive?.type).toBe('zip');
    // Built from explicit `source` blocks, never from a whole directory.
    expect(archive?.source_dir).toBeUndefined();
    expect(dynamicBlock(archive!, 'source').forEach).toBe('${local.archive_files}');

    const files = expression(local(module, 'archive_files'));
    expect(files).toContain('"package-lock.json" = file("${local.repo_root}/package-lock.json")');
    expect(files).toContain('"package.json" = (');

    const code = await archivedCode();
    expect(code.every((path) => /^(functions|shared)\//.test(path))).toBe(true);
    for (const excluded of ['node_modules/', 'test/', 'local/', 'docs/', 'terraform/', '.git/']) {
      expect(
        code.some((path) => path.startsWith(excluded)),
        excluded,
      ).toBe(false);
    }
  });

  it('holds every entry point and everything they import, and nothing else is needed', async () => {
    const code = new Set(await archivedCode());
    expect(code.has('functions/index.ts')).toBe(true);
    for (const name of ['webhook', 'messages', 'revoke', 'fallback', 'sweep']) {
      expect(code.has(`functions/${name}/index.ts`), name).toBe(true);
    }
    const runtimeDeps = new Set(Object.keys(packageJson.dependencies));
    for (const file of code) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      const imports = [
        ...text.matchAll(/^\s*(import|export)(?!\s+type\b)[^'"]*?from\s+'([^']+)'/gm),
        ...text.matchAll(/()import\(\s*'([^']+)'\s*\)/g),
      ].map((m) => m[2]!);
      for (const specifier of imports) {
        if (specifier.startsWith('.')) {
          const target = normalize(join(dirname(file), specifier))
            .split('\\')
            .join('/');
          expect(code.has(target), `${file} imports ${specifier}, which is not in the archive`).toBe(true);
        } else if (!specifier.startsWith('node:')) {
          const pkg = specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : specifier.split('/')[0]!;
          expect(runtimeDeps.has(pkg), `${file} imports ${pkg}, which is not a production dependency`).toBe(
            true,
          );
        }
      }
    }
  });

  it('is named by its content hash, so a code change redeploys', async () => {
    const module = await loadModule();
    const object = resource(module, 'google_storage_bucket_object', 'source');
    expect(asString(object.name)).toMatch(/\$\{data\.archive_file\.source\.output_sha256\}\.zip$/);
  });
});

describe('terraform source archive: what Cloud Build installs', () => {
  it('installs production dependencies only, so the `node` devDependency never ships', async () => {
    const module = await loadModule();
    // The buildpack installs devDependencies only to run a gcp-build or build script.
    expect(packageJson.scripts?.['gcp-build']).toBeUndefined();
    expect(packageJson.scripts?.build).toBeUndefined();
    expect(packageJson.devDependencies).toHaveProperty('node');
    expect(packageJson.dependencies).not.toHaveProperty('node');
    // And the build pins NODE_ENV=production, which the buildpack respects.
    const build = block(resource(module, 'google_cloudfunctions2_function', 'fn'), 'build_config');
    expect(build.environment_variables).toEqual({ NODE_ENV: 'production' });
  });

  it('ships package-lock.json unchanged and package.json with the same dependencies', async () => {
    const module = await loadModule();
    const files = expression(local(module, 'archive_files'));
    // Only "main" may differ: npm ci checks the lockfile against the dependencies.
    expect(files).toContain('jsonencode(merge(local.package_json, { main = local.entry_shim }))');
    expect(files).toContain(': file("${local.repo_root}/package.json")');
  });

  describe('entry point', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rbm-entry-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('gives the buildpack a main it can syntax-check with node --check', async () => {
      const module = await loadModule();
      const files = expression(local(module, 'archive_files'));
      expect(expression(local(module, 'main_is_typescript'))).toBe(
        'endswith(local.package_json.main, ".ts")',
      );
      const shim = /\{ \(local\.entry_shim\) = "((?:[^"\\]|\\.)*)" \}/.exec(files)?.[1];
      expect(shim).toBeDefined();
      const content = JSON.parse(`"${shim!}"`).replace(
        '${local.package_json.main}',
        packageJson.main,
      ) as string;
      expect(content).toBe(`import './${packageJson.main}';\n`);

      // The buildpack runs `node --check <main>`; the shim passes it as an ES module.
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: packageJson.type }));
      writeFileSync(join(dir, 'gcf-entry.js'), content);
      const check = spawnSync(process.execPath, ['--check', join(dir, 'gcf-entry.js')], { encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
      expect(local(module, 'entry_shim')).toBe('gcf-entry.js');
    });
  });
});

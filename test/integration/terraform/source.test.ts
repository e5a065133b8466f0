// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform expressions, "${...}" is HCL interpolation.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchivePlanError, planArchive } from '../../../local/source-archive/closure.ts';
import { zipFiles } from '../../../local/source-archive/zip.ts';
import {
  asString,
  block,
  expression,
  loadModule,
  local,
  repoRoot,
  resource,
} from '../../helpers/terraform.ts';

// The one source archive: what `npm run package` puts in it, and how Terraform uploads it.
// test/integration/deploy starts the functions from the archive itself.

interface PackageJson {
  main: string;
  scripts?: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;

describe('npm run package: what the archive holds', () => {
  it('is package.json, the lockfile and the import graph of "main": every function, no tests, no local platform, no operator CLI', async () => {
    const { files } = await planArchive(repoRoot);
    expect(files).toContain('package.json');
    expect(files).toContain('package-lock.json');
    expect(files).toContain(packageJson.main);
    expect(files).toContain('functions/index.ts');
    for (const name of ['webhook', 'messages', 'revoke', 'fallback', 'sweep', 'outcomes'])
      expect(files, name).toContain(`functions/${name}/index.ts`);
    expect(files.filter((f) => !f.startsWith('functions/') && !f.startsWith('shared/'))).toEqual([
      'package-lock.json',
      'package.json',
    ]);
    expect(files.some((f) => f.endsWith('.test.ts'))).toBe(false);
    expect(files).not.toContain('local/report/cli.ts');
  });

  it('gives the same bytes for the same code, so the object name changes only with the code', async () => {
    const { files } = await planArchive(repoRoot);
    const first = zipFiles(repoRoot, files);
    const second = zipFiles(repoRoot, [...files].reverse());
    expect(second.sha256).toBe(first.sha256);
    expect(Object.keys(first.files)).toEqual(files);
  });

  describe('refuses a graph it cannot ship whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rbm-plan-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const repoWith = (name: string, entry: string): string => {
      const root = join(dir, name);
      mkdirSync(join(root, 'functions'), { recursive: true });
      mkdirSync(join(root, 'local'), { recursive: true });
      writeFileSync(
        join(root, 'package.json'),
        JSON.stringify({
          main: 'functions/main.js',
          dependencies: { zod: '1' },
          devDependencies: { vitest: '1' },
        }),
      );
      writeFileSync(join(root, 'package-lock.json'), '{}');
      writeFileSync(join(root, 'functions/main.js'), entry);
      writeFileSync(join(root, 'local/tool.ts'), 'export const x = 1;\n');
      return root;
    };

    it.each([
      [
        'a devDependency',
        "import { it } from 'vitest';\n",
        'imports vitest, which is not in package.json "dependencies"',
      ],
      ['a missing module', "import './gone.ts';\n", 'functions/gone.ts is imported but does not exist'],
      ['the local platform', "import '../local/tool.ts';\n", 'local/tool.ts is reached from "main"'],
      [
        'a computed specifier',
        "const name = 'x';\nawait import(name);\n",
        'functions/main.js:2: import() of a computed specifier',
      ],
    ])('%s', async (name, entry, message) => {
      const root = repoWith(name.replaceAll(' ', '-'), entry);
      await expect(planArchive(root)).rejects.toThrow(ArchivePlanError);
      await expect(planArchive(root)).rejects.toThrow(message);
    });

    it('while a production dependency, a builtin and a type-only import are fine', async () => {
      const root = repoWith(
        'fine',
        "import { z } from 'zod';\nimport { join } from 'node:path';\nimport type { X } from '../local/tool.ts';\nexport { z, join };\n",
      );
      expect((await planArchive(root)).files).toEqual([
        'functions/main.js',
        'package-lock.json',
        'package.json',
      ]);
    });
  });
});

describe('terraform uploads the packaged archive', () => {
  it('reads dist/rbm-lifecycle-source.zip unless source_archive names another, and its manifest beside it', async () => {
    const module = await loadModule();
    expect(expression(local(module, 'source_archive'))).toBe(
      'coalesce(var.source_archive, "${local.repo_root}/dist/rbm-lifecycle-source.zip")',
    );
    const object = resource(module, 'google_storage_bucket_object', 'source');
    expect(object.source).toBe('${local.source_archive}');
    expect(module.data.archive_file).toBeUndefined();
  });

  it('names the object by the archive content hash, so a code change redeploys', async () => {
    const module = await loadModule();
    const object = resource(module, 'google_storage_bucket_object', 'source');
    expect(asString(object.name)).toContain('filesha256(local.source_archive)');
  });

  it('refuses to plan without an archive, or with one older than the code', async () => {
    const module = await loadModule();
    const object = resource(module, 'google_storage_bucket_object', 'source');
    const preconditions = (block(object, 'lifecycle').precondition as Array<Record<string, string>>).map(
      (p) => ({
        condition: expression(p.condition),
        message: p.error_message,
      }),
    );
    expect(preconditions.map((p) => p.condition)).toEqual([
      'local.source_archive_exists',
      'length(local.stale_source_files) == 0',
    ]);
    expect(preconditions[0]!.message).toContain('npm run package');
    expect(preconditions[1]!.message).toContain('npm run package');
  });
});

describe('what Cloud Build installs', () => {
  it('production dependencies only, so the `node` devDependency never ships', async () => {
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
});

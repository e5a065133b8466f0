import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { repoRoot } from '../terraform.ts';

/**
 * Running the terraform binary for evaluateModule (./index.ts) and the tests:
 * its environment, its runs, and the temporary mirror of the repository a
 * transformed module is planned in.
 */

/** The terraform binary on PATH, or null when there is none. */
export const terraformBinary: string | null = (() => {
  const found = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  return path === '' ? null : path;
})();

export interface TerraformRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment terraform runs with: no user CLI configuration (an empty file
 * in `scratch`: no plugin cache, credentials helper or provider mirror), no
 * checkpoint call, no TF_VAR_ / TF_CLI_ARGS from the caller's shell, and its
 * data directory (.terraform) in `scratch`, outside the repository.
 */
export function terraformEnv(scratch: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('TF_') && key !== 'CHECKPOINT_DISABLE') env[key] = value;
  }
  mkdirSync(scratch, { recursive: true });
  const cliConfig = join(scratch, 'terraformrc');
  if (!existsSync(cliConfig)) writeFileSync(cliConfig, '');
  env.TF_CLI_CONFIG_FILE = cliConfig;
  env.TF_DATA_DIR = join(scratch, 'data');
  env.TF_IN_AUTOMATION = '1';
  env.TF_INPUT = '0';
  env.CHECKPOINT_DISABLE = '1';
  return env;
}

export function runTerraform(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TerraformRun> {
  if (!terraformBinary) return Promise.reject(new Error('no terraform binary on PATH'));
  const binary = terraformBinary;
  return new Promise((done, fail) => {
    const child = spawn(binary, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Writes the mirror of the repository under `mirror`: the transformed modules'
 * files (by directory), the overlay's files (content, or hidden with null), and
 * a symbolic link to every other file of the repository. Returns the transformed
 * files by mirror path.
 */
export function writeMirror(
  mirror: string,
  transformed: Map<string, Map<string, string>>,
  files: Record<string, string | Buffer | null>,
): Record<string, string> {
  const overlay = new Map(Object.entries(files).map(([path, content]) => [posix.normalize(path), content]));
  const real = new Set<string>(['.']);
  for (const path of [...transformed.keys(), ...overlay.keys()]) {
    for (let p = path; p !== '.' && p !== '/' && p !== ''; p = posix.dirname(p)) real.add(p);
  }
  const skipInModule = (name: string): boolean =>
    name.endsWith('.tf') ||
    name.endsWith('.tf.json') ||
    name === 'terraform.tfvars' ||
    name === 'terraform.tfvars.json' ||
    /\.auto\.tfvars(\.json)?$/.test(name) ||
    name.startsWith('.terraform') ||
    name.startsWith('terraform.tfstate');
  const mirrorDir = (rel: string): void => {
    const target = join(mirror, rel);
    mkdirSync(target, { recursive: true });
    const source = join(repoRoot, rel);
    if (!existsSync(source) || !lstatSync(source).isDirectory()) return;
    for (const name of readdirSync(source)) {
      const child = rel === '.' ? name : posix.join(rel, name);
      if (name === '.git') continue;
      if (transformed.has(rel) && skipInModule(name)) continue;
      if (overlay.has(child)) continue;
      if (real.has(child) && lstatSync(join(source, name)).isDirectory()) mirrorDir(child);
      else symlinkSync(join(source, name), join(target, name));
    }
  };
  mirrorDir('.');
  for (const dir of real) if (!overlay.has(dir)) mkdirSync(join(mirror, dir), { recursive: true });
  for (const [path, content] of overlay) {
    if (content === null) continue;
    mkdirSync(dirname(join(mirror, path)), { recursive: true });
    writeFileSync(join(mirror, path), content);
  }
  const config: Record<string, string> = {};
  for (const [dir, files] of transformed) {
    for (const [name, text] of files) {
      writeFileSync(join(mirror, dir, name), text);
      config[posix.join(dir, name)] = text;
    }
  }
  return config;
}

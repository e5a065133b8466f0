import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, parse, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { asObject, expression, type Json, loadModule, namesIn, repoRoot } from './terraform.ts';

/**
 * The deployed artifact, as Cloud Run functions runs it: the zip `npm run
 * package` writes, unpacked into an empty folder, production dependencies
 * installed by `npm ci` from the archived lockfile (as the Node.js buildpack
 * does), and each function started by functions-framework in its own process
 * with FUNCTION_TARGET and PORT, on this project's Node 24.
 * Reading the zip uses yauzl, a different implementation from the one that writes it.
 */

export function packageArchive(out: string): { archive: string; sha256: string; files: number } {
  const run = spawnSync(process.execPath, [join(repoRoot, 'local/source-archive/cli.ts'), '--out', out], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`npm run package failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { archive: string; sha256: string; files: number };
}

export async function unpack(zip: string, into: string): Promise<string[]> {
  const archive = await new Promise<yauzl.ZipFile>((done, fail) =>
    yauzl.open(zip, { lazyEntries: true, strictFileNames: true }, (error, file) =>
      error ? fail(error) : done(file),
    ),
  );
  const names: string[] = [];
  await new Promise<void>((done, fail) => {
    archive.on('error', fail);
    archive.on('end', done);
    archive.on('entry', (entry: yauzl.Entry) => {
      const target = resolve(into, entry.fileName);
      if (!target.startsWith(into + sep))
        return fail(new Error(`entry escapes the folder: ${entry.fileName}`));
      names.push(entry.fileName);
      if (entry.fileName.endsWith('/')) {
        mkdirSync(target, { recursive: true });
        archive.readEntry();
        return;
      }
      mkdirSync(dirname(target), { recursive: true });
      archive.openReadStream(entry, (error, stream) => {
        if (error) return fail(error);
        pipeline(stream, createWriteStream(target)).then(() => archive.readEntry(), fail);
      });
    });
    archive.readEntry();
  });
  archive.close();
  return names;
}

/** Every folder above `dir` where Node would look for node_modules: none may exist, or code outside the archive could load. */
export function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let current = dirname(dir); ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules'))) found.push(join(current, 'node_modules'));
    if (current === parse(current).root) return found;
  }
}

/** Base environment of every child: no NODE_PATH, no NODE_OPTIONS, nothing of this repository on the way. */
function cleanEnvironment(): Record<string, string> {
  return {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: process.env.HOME ?? '/root',
    ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
  };
}

/** `npm ci` in the unpacked folder as the buildpack runs it: NODE_ENV=production, so no devDependencies. */
export function installProductionDependencies(dir: string): void {
  const run = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...cleanEnvironment(), NODE_ENV: 'production' },
  });
  if (run.status !== 0)
    throw new Error(`npm ci in the unpacked archive failed:\n${run.stdout}\n${run.stderr}`);
}

export function nodeCheck(dir: string, file: string): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, ['--check', file], {
    cwd: dir,
    encoding: 'utf8',
    env: cleanEnvironment(),
  });
  return { status: run.status, stderr: run.stderr };
}

/**
 * The names of the environment Terraform gives one function (terraform/main.tf):
 * the plain variables of its config sections and the secrets it mounts, with the
 * SMS variables of the http provider (the example's choice).
 */
export async function terraformEnvironmentNames(fn: string): Promise<{ plain: string[]; secrets: string[] }> {
  const module = await loadModule();
  const functions = asObject(module.locals.functions, 'local.functions');
  const spec = asObject(functions[fn], `local.functions.${fn}`);
  const sections = namesInList(spec.sections);
  const bySection = asObject(module.locals.env_by_section, 'local.env_by_section');
  const plain = sections.flatMap((section) => assignedNames(bySection[section]));
  const secretRefs = asObject(module.locals.secret_refs, 'local.secret_refs');
  const secrets = namesIn(spec.secrets).filter(
    (name) => !expression(secretRefs[name]).includes('var.sms_provider == "twilio"'),
  );
  return { plain: plain.sort(), secrets: secrets.sort() };
}

/**
 * NAME = value pairs of a section, literal object or expression alike; a name
 * whose value is null unless another SMS provider is chosen is left out, as
 * Terraform's null filter does for the http provider.
 */
function assignedNames(section: Json | undefined): string[] {
  const text = typeof section === 'string' ? section : JSON.stringify(section, null, 1);
  return [...text.matchAll(/"?([A-Z][A-Z0-9_]*)"?\s*[=:]\s*(.*)/g)]
    .filter(
      ([, , value]) =>
        !value!.includes('var.sms_provider == \\"twilio\\"') &&
        !value!.includes('var.sms_provider == "twilio"'),
    )
    .map(([, name]) => name!);
}

function namesInList(value: unknown): string[] {
  if (!Array.isArray(value)) throw new Error(`expected a literal list, got ${JSON.stringify(value)}`);
  return value.map(String);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export interface DeployedFunction {
  name: string;
  url: string;
  /** Every line the process wrote to stdout and stderr. */
  output: string[];
  stop(): Promise<void>;
}

/**
 * Starts one function from the unpacked archive the way the Node.js runtime
 * does: the buildpack's web process is `/bin/bash -c node_modules/.bin/functions-framework`
 * in the app folder, with node_modules/.bin first on PATH, NODE_ENV=production and
 * FUNCTION_TARGET from the entry point; Cloud Run adds PORT and the K_* variables
 * (docs/deploy.md, "What the buildpack requires of the archive").
 */
export async function startDeployedFunction(
  dir: string,
  name: string,
  port: number,
  env: Record<string, string>,
): Promise<DeployedFunction> {
  const base = cleanEnvironment();
  const child: ChildProcess = spawn('/bin/bash', ['-c', 'node_modules/.bin/functions-framework'], {
    cwd: dir,
    env: {
      ...base,
      PATH: `${join(dir, 'node_modules/.bin')}:${base.PATH}`,
      NODE_ENV: 'production',
      FUNCTION_TARGET: name,
      PORT: String(port),
      K_SERVICE: `rbm-${name}`,
      K_REVISION: `rbm-${name}-00001-abc`,
      K_CONFIGURATION: `rbm-${name}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilListening(url, child, output, name);
  return {
    name,
    url,
    output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitUntilListening(
  url: string,
  child: ChildProcess,
  output: string[],
  name: string,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode}:\n${output.join('\n')}`);
    try {
      // Any answer means the server listens; OPTIONS changes nothing.
      await fetch(url, { method: 'OPTIONS', signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not listen within 20 s:\n${output.join('\n')}`);
}

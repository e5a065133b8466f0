import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Json, JsonObject } from '../terraform.ts';
import { runTerraform, type TerraformRun, terraformEnv, writeMirror } from './run.ts';
import { type DataValues, type ModuleArguments, parseDir, transformModule } from './transform.ts';

/**
 * Runs a Terraform module's own logic with the real terraform binary, without
 * any provider (see ./transform.ts for how the module is turned into one that
 * needs none, and ./run.ts for how terraform is run).
 */

export { runTerraform, type TerraformRun, terraformBinary, terraformEnv } from './run.ts';

export interface EvaluateOptions {
  /** The root module, relative to the repository (e.g. terraform/examples/minimal). */
  root: string;
  /** Values of the root's variables (written as a .auto.tfvars.json). */
  variables?: Record<string, Json>;
  /** Per module call, arguments replaced by an HCL expression, or removed (null). */
  moduleArguments?: ModuleArguments;
  /** Per data source ("data.T.N"), the HCL expression of a computed attribute ("number"). */
  dataValues?: DataValues;
  /** Module .tf files replaced (their text) or left out (null) before the transformation, by repository path. */
  sources?: Record<string, string | null>;
  /** Repository files replaced (content) or hidden (null) in the mirror, by repository path. */
  files?: Record<string, string | Buffer | null>;
}

export interface Diagnostic {
  severity: string;
  summary: string;
  detail: string;
  address?: string;
}

export interface PlanChange {
  address: string;
  module_address?: string;
  type: string;
  name: string;
  index?: string | number;
  change: { actions: string[]; after: { input?: Json } | null; after_unknown: { input?: unknown } | null };
}

export interface PlanJson {
  resource_changes?: PlanChange[];
  output_changes?: Record<string, { after: Json; after_unknown: unknown }>;
}

export interface Evaluation {
  ok: boolean;
  diagnostics: Diagnostic[];
  plan?: PlanJson;
  /** Everything terraform printed, for a failing assertion's message. */
  log: string;
  /** The transformed configuration, by mirror path, for a failing assertion's message. */
  config: Record<string, string>;
  /** Instances of one original resource (or "data.T.N") in one module ("module.x", "" for the root). */
  instances(
    id: string,
    module?: string,
  ): { key: string | number | undefined; input: Json; unknown: unknown }[];
  /** The locals of a module called by the root, and which of their parts are unknown. */
  locals(moduleCall: string): { values: JsonObject; unknown: Record<string, unknown> };
}

export async function evaluateModule(options: EvaluateOptions): Promise<Evaluation> {
  const tmp = mkdtempSync(join(tmpdir(), 'tf-evaluate-'));
  try {
    return await evaluateIn(tmp, options);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function evaluateIn(tmp: string, options: EvaluateOptions): Promise<Evaluation> {
  const mirror = join(tmp, 'repo');
  // Transform the root and every local module it calls, recursively.
  const transformed = new Map<string, Map<string, string>>();
  const pending = [posix.normalize(options.root)];
  while (pending.length > 0) {
    const dir = pending.shift()!;
    if (transformed.has(dir)) continue;
    const sources = Object.fromEntries(
      Object.entries(options.sources ?? {}).map(([path, text]) => [posix.normalize(path), text]),
    );
    const result = transformModule(await parseDir(dir, sources), {
      root: dir === posix.normalize(options.root),
      dataValues: options.dataValues ?? {},
      moduleArguments: dir === posix.normalize(options.root) ? (options.moduleArguments ?? {}) : {},
    });
    transformed.set(dir, result.files);
    for (const source of result.moduleSources) pending.push(posix.normalize(posix.join(dir, source)));
  }
  const config = writeMirror(mirror, transformed, options.files ?? {});
  const rootDir = join(mirror, options.root);
  writeFileSync(join(rootDir, 'evaluate.auto.tfvars.json'), JSON.stringify(options.variables ?? {}));

  const env = terraformEnv(join(tmp, 'scratch'));
  let log = '';
  const step = async (args: string[]): Promise<TerraformRun> => {
    const run = await runTerraform(args, rootDir, env);
    log += `$ terraform ${args.join(' ')}\n${run.stdout}${run.stderr}\n`;
    return run;
  };
  const evaluation = (ok: boolean, diagnostics: Diagnostic[], plan?: PlanJson): Evaluation =>
    makeEvaluation(ok, diagnostics, log, config, plan);

  const init = await step(['init', '-backend=false', '-input=false', '-no-color']);
  if (init.code !== 0)
    return evaluation(false, [{ severity: 'error', summary: 'terraform init failed', detail: init.stderr }]);
  const plan = await step([
    'plan',
    '-input=false',
    '-no-color',
    '-lock=false',
    '-json',
    '-out=evaluate.tfplan',
  ]);
  const diagnostics = plan.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { type?: string; diagnostic?: Diagnostic & { address?: string } })
    .filter((message) => message.type === 'diagnostic' && message.diagnostic)
    .map((message) => message.diagnostic!);
  if (plan.code !== 0) return evaluation(false, diagnostics);
  const show = await step(['show', '-json', '-no-color', 'evaluate.tfplan']);
  if (show.code !== 0) return evaluation(false, diagnostics);
  return evaluation(true, diagnostics, JSON.parse(show.stdout) as PlanJson);
}

function makeEvaluation(
  ok: boolean,
  diagnostics: Diagnostic[],
  log: string,
  config: Record<string, string>,
  plan?: PlanJson,
): Evaluation {
  return {
    ok,
    diagnostics,
    plan,
    log,
    config,
    instances(id, module = '') {
      const [kind, type, name] = id.startsWith('data.') ? id.split('.') : ['resource', ...id.split('.')];
      const wanted = kind === 'data' ? `data__${type}__${name}` : `${type}__${name}`;
      return (plan?.resource_changes ?? [])
        .filter(
          (c) => c.type === 'terraform_data' && c.name === wanted && (c.module_address ?? '') === module,
        )
        .map((c) => ({
          key: c.index,
          input: c.change.after?.input ?? null,
          unknown: c.change.after_unknown?.input ?? false,
        }));
    },
    locals(moduleCall) {
      const outputs = plan?.output_changes?.evaluate_modules;
      const after = (outputs?.after ?? {}) as JsonObject;
      const unknown = (outputs?.after_unknown ?? {}) as Record<string, Record<string, unknown>>;
      if (unknown === (true as unknown)) throw new Error('the whole evaluate_modules output is unknown');
      const module = (after[moduleCall] ?? {}) as JsonObject;
      return {
        values: (module.evaluate_locals ?? {}) as JsonObject,
        unknown: (unknown[moduleCall]?.evaluate_locals ?? {}) as Record<string, unknown>,
      };
    },
  };
}

/** Paths (a.b[0].c) of every unknown value in an after_unknown structure. */
export function unknownPaths(unknown: unknown, prefix = ''): string[] {
  if (unknown === true) return [prefix || '(the whole value)'];
  if (Array.isArray(unknown)) return unknown.flatMap((item, i) => unknownPaths(item, `${prefix}[${i}]`));
  if (unknown && typeof unknown === 'object') {
    return Object.entries(unknown).flatMap(([key, value]) =>
      unknownPaths(
        value,
        /^[A-Za-z_][\w-]*$/.test(key) ? (prefix ? `${prefix}.${key}` : key) : `${prefix}["${key}"]`,
      ),
    );
  }
  return [];
}

/** Provider requirements `terraform providers` prints for one module of its tree ("" = the root). */
export function parseProviders(output: string): Map<string, Map<string, string>> {
  const byModule = new Map<string, Map<string, string>>();
  const stack: { depth: number; module: string }[] = [];
  for (const line of output.split('\n')) {
    const m = /^([│ ]*)[├└]── (.*)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    while (stack.length > 0 && stack.at(-1)!.depth >= depth) stack.pop();
    const parent = stack.at(-1)?.module ?? '';
    const text = m[2]!.trim();
    const provider = /^provider\[([^\]]+)\]\s*(.*)$/.exec(text);
    if (provider) {
      if (!byModule.has(parent)) byModule.set(parent, new Map());
      byModule.get(parent)!.set(provider[1]!, provider[2]!.trim());
    } else if (text.startsWith('module.')) {
      const module = parent ? `${parent}.${text}` : text;
      stack.push({ depth, module });
      if (!byModule.has(module)) byModule.set(module, new Map());
    }
  }
  return byModule;
}

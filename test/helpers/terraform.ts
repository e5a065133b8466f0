import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Reads the Terraform module in terraform/ without a terraform binary: every
 * .tf file goes through HashiCorp's own HCL parser (the Go hclsyntax package,
 * compiled to WebAssembly in @cdktf/hcl2json), which returns Terraform's JSON
 * configuration syntax. Literal values come back as JSON; any expression comes
 * back as a "${...}" string, exactly as Terraform's JSON syntax writes it.
 */

export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export interface TerraformModule {
  dir: string;
  /** Raw text of each .tf file, by file name. */
  files: Record<string, string>;
  variables: Record<string, JsonObject>;
  outputs: Record<string, JsonObject>;
  locals: JsonObject;
  /** type -> name -> block body */
  resources: Record<string, Record<string, JsonObject>>;
  data: Record<string, Record<string, JsonObject>>;
  modules: Record<string, JsonObject>;
  /** provider blocks, by provider name (only the examples declare them). */
  providers: Record<string, JsonObject>;
  terraform: JsonObject[];
}

/** Meta-arguments Terraform itself handles in resource and data blocks (not the provider's schema). */
export const metaArguments: ReadonlySet<string> = new Set([
  'count',
  'for_each',
  'depends_on',
  'lifecycle',
  'provider',
  'provisioner',
  'connection',
]);

export const repoRoot = resolve(import.meta.dirname, '../..');
export const terraformDir = join(repoRoot, 'terraform');

type Parse = (filename: string, contents: string) => Promise<Record<string, unknown>>;

// A variable specifier keeps the type checker from requiring the package; the
// error below says what to install if it is missing.
const parserPackage = '@cdktf/hcl2json';

/** HashiCorp's HCL parser: .tf text to Terraform's JSON configuration syntax. */
export async function loadParser(): Promise<Parse> {
  try {
    const module = (await import(parserPackage)) as { parse?: Parse; default?: { parse?: Parse } };
    const parse = module.parse ?? module.default?.parse;
    if (!parse) throw new Error(`${parserPackage} exports no parse()`);
    return parse;
  } catch (error) {
    throw new Error(
      'The Terraform tests need the HCL parser @cdktf/hcl2json (a devDependency): run `npm install`.',
      { cause: error },
    );
  }
}

const cache = new Map<string, Promise<TerraformModule>>();

/** Parses every .tf file of one module directory (not its subdirectories) into one structure. */
export function loadModule(dir: string = terraformDir): Promise<TerraformModule> {
  let loaded = cache.get(dir);
  if (!loaded) {
    loaded = parseModule(dir);
    cache.set(dir, loaded);
  }
  return loaded;
}

async function parseModule(dir: string): Promise<TerraformModule> {
  const parse = await loadParser();
  const module: TerraformModule = {
    dir,
    files: {},
    variables: {},
    outputs: {},
    locals: {},
    resources: {},
    data: {},
    modules: {},
    providers: {},
    terraform: [],
  };
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.tf'))
    .sort();
  for (const name of names) {
    const text = readFileSync(join(dir, name), 'utf8');
    module.files[name] = text;
    const parsed = (await parse(name, text)) as JsonObject;
    for (const [kind, value] of Object.entries(parsed)) {
      switch (kind) {
        case 'variable':
          addBlocks(module.variables, asObject(value, name), `${name}: variable`);
          break;
        case 'output':
          addBlocks(module.outputs, asObject(value, name), `${name}: output`);
          break;
        case 'module':
          addBlocks(module.modules, asObject(value, name), `${name}: module`);
          break;
        case 'provider':
          addBlocks(module.providers, asObject(value, name), `${name}: provider`);
          break;
        case 'locals':
          for (const block of asArray(value, name)) {
            for (const [key, local] of Object.entries(asObject(block, name))) {
              if (key in module.locals) throw new Error(`${name}: local.${key} is defined twice`);
              module.locals[key] = local;
            }
          }
          break;
        case 'resource':
        case 'data': {
          const target = kind === 'resource' ? module.resources : module.data;
          for (const [type, byName] of Object.entries(asObject(value, name))) {
            target[type] ??= {};
            addBlocks(target[type], asObject(byName, name), `${name}: ${kind} ${type}`);
          }
          break;
        }
        case 'terraform':
          module.terraform.push(...asArray(value, name).map((block) => asObject(block, name)));
          break;
        default:
          throw new Error(`${name}: unexpected top-level block ${kind}`);
      }
    }
  }
  return module;
}

function addBlocks(target: Record<string, JsonObject>, blocks: JsonObject, where: string): void {
  for (const [label, bodies] of Object.entries(blocks)) {
    const list = asArray(bodies, where);
    if (label in target || list.length !== 1)
      throw new Error(`${where} "${label}" is declared more than once`);
    target[label] = asObject(list[0] ?? null, where);
  }
}

// --- Narrowing helpers: each names what it expected, so a failing test says where. ---

export function asObject(value: Json | undefined, where = 'value'): JsonObject {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: expected an object, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function asArray(value: Json | undefined, where = 'value'): Json[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

export function asString(value: Json | undefined, where = 'value'): string {
  if (typeof value !== 'string') throw new Error(`${where}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

/** The single nested block `name` of a block body (HCL blocks are lists in the JSON syntax). */
export function block(body: JsonObject, name: string): JsonObject {
  const list = asArray(body[name], `block ${name}`);
  if (list.length !== 1) throw new Error(`expected one ${name} block, found ${list.length}`);
  return asObject(list[0] ?? null, `block ${name}`);
}

/** The dynamic block `name` of a block body: its for_each and its content. */
export function dynamicBlock(body: JsonObject, name: string): { forEach: string; content: JsonObject } {
  const dynamic = asObject(body.dynamic, `dynamic blocks`);
  const list = asArray(dynamic[name], `dynamic ${name}`);
  const only = asObject(list[0] ?? null, `dynamic ${name}`);
  return { forEach: asString(only.for_each, `dynamic ${name}.for_each`), content: block(only, 'content') };
}

/** The source of an expression: "${var.x}" -> "var.x". A literal string is returned as it is. */
export function expression(value: Json | undefined): string {
  const text = asString(value, 'expression');
  const match = /^\$\{([\s\S]*)\}$/.exec(text);
  return match ? match[1]!.trim() : text;
}

/**
 * Names in a list that is either literal (["A", "B"]) or an expression
 * (concat(["A"], cond ? ["B"] : [])): every quoted UPPER_CASE name it mentions.
 */
export function namesIn(value: Json | undefined): string[] {
  if (Array.isArray(value)) return value.map((item) => asString(item, 'name'));
  return [...asString(value, 'names').matchAll(/"([A-Z][A-Z0-9_]*)"/g)].map((m) => m[1]!);
}

export function resource(module: TerraformModule, type: string, name: string): JsonObject {
  const found = module.resources[type]?.[name];
  if (!found) throw new Error(`resource ${type}.${name} is not declared`);
  return found;
}

export function local(module: TerraformModule, name: string): Json {
  if (!(name in module.locals)) throw new Error(`local.${name} is not declared`);
  return module.locals[name]!;
}

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform expressions, "${...}" is HCL interpolation.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { type Json, type JsonObject, repoRoot } from './terraform.ts';

/**
 * Runs a Terraform module's own logic with the real terraform binary, without
 * any provider: every local, every count / for_each, every variable validation
 * and every precondition, with the arguments a root module (an example) passes.
 *
 * The module is parsed with HashiCorp's HCL parser (@cdktf/hcl2json, Terraform's
 * JSON configuration syntax) and written back as native HCL into a temporary
 * mirror of the repository, with every provider-backed block replaced by the
 * built-in terraform_data resource (no download, `terraform init` works offline):
 *
 *   resource "T" "N"  -> resource "terraform_data" "T__N": same count / for_each,
 *                        same preconditions and postconditions, same depends_on;
 *                        `input` holds every argument and nested block (a block is
 *                        a list of objects, a dynamic block a for expression), so
 *                        every expression in them is evaluated too. Attributes
 *                        read elsewhere that are not arguments (email, member, id,
 *                        service_config[0].uri, ...) are added to `input` as
 *                        terraform_data.evaluate_unknown.output: unknown at plan
 *                        time, as a provider's computed attributes of a resource
 *                        that does not exist yet are.
 *   data "T" "N"      -> resource "terraform_data" "data__T__N": the same, but its
 *                        computed attributes are known placeholders (a data source
 *                        whose arguments are known is read during plan).
 *   T.N / data.T.N    -> local.rsc__T__N / local.dat__T__N, the `input` of each
 *                        instance (a map for for_each, a list for count).
 *
 * Variables, locals, outputs, module calls and check blocks are kept; provider
 * blocks, required_providers, backends, provisioners and the provider-only
 * lifecycle arguments are dropped. Each module gets an output evaluate_locals
 * holding all its locals, and the root an output evaluate_modules holding every
 * module call's outputs, so a saved plan (`terraform show -json`) shows every
 * local's value, and which parts of it are unknown at plan time.
 *
 * The mirror links every other file of the repository, so file(), fileexists()
 * and filesha256() on paths built from path.module see the real files; `files`
 * replaces or hides single files.
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

// --- Parsing --------------------------------------------------------------------------

type Parse = (filename: string, contents: string) => Promise<Record<string, unknown>>;
const parserPackage = '@cdktf/hcl2json';
let parser: Promise<Parse> | undefined;
function hclParser(): Promise<Parse> {
  parser ??= (async () => {
    const module = (await import(parserPackage)) as { parse?: Parse; default?: { parse?: Parse } };
    const parse = module.parse ?? module.default?.parse;
    if (!parse) throw new Error(`${parserPackage} exports no parse()`);
    return parse;
  })();
  return parser;
}

interface ParsedFile {
  name: string;
  body: JsonObject;
}

async function parseDir(dir: string, sources: Record<string, string | null>): Promise<ParsedFile[]> {
  const parse = await hclParser();
  const names = new Set(readdirSync(join(repoRoot, dir)).filter((name) => name.endsWith('.tf')));
  for (const [path, text] of Object.entries(sources)) {
    if (posix.dirname(path) !== dir) continue;
    if (text === null) names.delete(posix.basename(path));
    else names.add(posix.basename(path));
  }
  const files: ParsedFile[] = [];
  for (const name of [...names].sort()) {
    const text = sources[posix.join(dir, name)] ?? readFileSync(join(repoRoot, dir, name), 'utf8');
    files.push({ name, body: (await parse(name, text)) as JsonObject });
  }
  return files;
}

// --- Templates and code -----------------------------------------------------------------
// The JSON syntax writes every expression as a string template: literal text plus
// ${...} interpolations and %{...} directives whose code is the source text. The
// scanner below finds the code parts (skipping strings, comments and heredocs in
// the code) and a mask of the whole string in which string literal text and
// comments are blanked, so references can be found with a regular expression.

interface Part {
  kind: 'literal' | 'code' | 'directive';
  start: number;
  end: number;
}

interface Scanned {
  masked: string;
  parts: Part[];
}

function scanTemplate(s: string): Scanned {
  const out = s.split('');
  const blank = (from: number, to: number, fill: string): void => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n') out[k] = fill;
  };
  // Code from j: returns the index of its closing '}' (or the end).
  const code = (start: number): number => {
    let j = start;
    let depth = 0;
    while (j < s.length) {
      const c = s[j]!;
      if (c === '"') {
        j = quoted(j + 1);
        continue;
      }
      if (c === '#' || (c === '/' && s[j + 1] === '/')) {
        const newline = s.indexOf('\n', j);
        const end = newline < 0 ? s.length : newline;
        blank(j, end, ' ');
        j = end;
        continue;
      }
      if (c === '/' && s[j + 1] === '*') {
        const close = s.indexOf('*/', j + 2);
        const end = close < 0 ? s.length : close + 2;
        blank(j, end, ' ');
        j = end;
        continue;
      }
      if (c === '<' && s[j + 1] === '<') {
        const heredoc = /^<<-?([A-Za-z_][\w-]*)\r?\n/.exec(s.slice(j));
        if (heredoc) {
          j = heredocBody(j + heredoc[0].length, heredoc[1]!);
          continue;
        }
      }
      if (c === '{') depth++;
      else if (c === '}') {
        if (depth === 0) return j;
        depth--;
      }
      j++;
    }
    return j;
  };
  // Template text from j up to `stop` (a closing quote) or the end; returns the
  // index after the closing quote.
  const template = (start: number, stop: '"' | null, parts?: Part[]): number => {
    let j = start;
    let literalStart = j;
    const flush = (end: number): void => {
      if (parts && end > literalStart) parts.push({ kind: 'literal', start: literalStart, end });
    };
    while (j < s.length) {
      const c = s[j]!;
      if (stop && c === '\\') {
        blank(j, j + 2, '_');
        j += 2;
        continue;
      }
      if (stop && c === stop) {
        return j + 1;
      }
      if ((c === '$' || c === '%') && s[j + 1] === c && s[j + 2] === '{') {
        blank(j, j + 3, '_');
        j += 3;
        continue;
      }
      if ((c === '$' || c === '%') && s[j + 1] === '{') {
        flush(j);
        const end = code(j + 2);
        parts?.push({ kind: c === '$' ? 'code' : 'directive', start: j + 2, end });
        j = end + 1;
        literalStart = j;
        continue;
      }
      blank(j, j + 1, '_');
      j++;
    }
    flush(s.length);
    return j;
  };
  const quoted = (start: number): number => template(start, '"');
  const heredocBody = (start: number, marker: string): number => {
    // Up to the line that is only the marker; interpolations inside are code.
    const lines = /\n[ \t]*([A-Za-z_][\w-]*)[ \t]*(?=\r?\n|$)/g;
    lines.lastIndex = start - 1;
    let end = s.length;
    for (let m = lines.exec(s); m; m = lines.exec(s)) {
      if (m[1] === marker) {
        end = m.index + 1;
        break;
      }
    }
    let j = start;
    while (j < end) {
      if ((s[j] === '$' || s[j] === '%') && s[j + 1] === '{') {
        j = code(j + 2) + 1;
        continue;
      }
      blank(j, j + 1, '_');
      j++;
    }
    return end + marker.length + (s.slice(end).match(/^[ \t]*/)?.[0].length ?? 0);
  };
  const parts: Part[] = [];
  template(0, null, parts);
  return { masked: out.join(''), parts };
}

// --- The transformation ---------------------------------------------------------------------

type Mode = 'single' | 'count' | 'for_each';
interface Instance {
  kind: 'resource' | 'data';
  type: string;
  name: string;
  mode: Mode;
  body: JsonObject;
  /** Attribute paths read from it elsewhere (after the instance key). */
  paths: Segment[][];
}
type Segment = { attr: string } | { index: number } | { key: string };

interface ModuleInfo {
  instances: Map<string, Instance>;
}

const identifier = '[A-Za-z_][\\w-]*';
const referencePattern = new RegExp(`(?<![\\w.\\-])(data\\.)?(${identifier})\\.(${identifier})`, 'g');

function instanceId(kind: 'resource' | 'data', type: string, name: string): string {
  return `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
}
function dataName(instance: Instance): string {
  return instance.kind === 'data'
    ? `data__${instance.type}__${instance.name}`
    : `${instance.type}__${instance.name}`;
}
function localName(instance: Instance): string {
  return instance.kind === 'data'
    ? `dat__${instance.type}__${instance.name}`
    : `rsc__${instance.type}__${instance.name}`;
}

/** Reads `[...]`, `.name` and `.*` segments from position p of a masked code text. */
function readTraversal(
  original: string,
  masked: string,
  p: number,
): { segments: (Segment | 'splat' | 'expr')[]; end: number } {
  const segments: (Segment | 'splat' | 'expr')[] = [];
  let j = p;
  for (;;) {
    if (masked[j] === '.' && masked[j + 1] === '*') {
      segments.push('splat');
      j += 2;
      continue;
    }
    if (masked[j] === '.') {
      const m = new RegExp(`^${identifier}`).exec(masked.slice(j + 1));
      if (!m) break;
      segments.push({ attr: m[0] });
      j += 1 + m[0].length;
      continue;
    }
    if (masked[j] === '[') {
      let depth = 0;
      let k = j;
      for (; k < masked.length; k++) {
        if (masked[k] === '[') depth++;
        else if (masked[k] === ']' && --depth === 0) break;
      }
      const inner = original.slice(j + 1, k).trim();
      if (inner === '*') segments.push('splat');
      else if (/^\d+$/.test(inner)) segments.push({ index: Number(inner) });
      else if (/^"[^"\\$%]*"$/.test(inner)) segments.push({ key: JSON.parse(inner) as string });
      else segments.push('expr');
      j = k + 1;
      continue;
    }
    break;
  }
  return { segments, end: j };
}

function recordPath(instance: Instance, segments: (Segment | 'splat' | 'expr')[]): void {
  const rest = instance.mode === 'single' ? segments : segments.slice(1);
  const path: Segment[] = [];
  for (const segment of rest) {
    if (segment === 'splat' || segment === 'expr') break;
    path.push(segment);
  }
  if (path.length > 0 && 'attr' in path[0]!) instance.paths.push(path);
}

/** Collects the attribute paths read from every resource and data source in one code text. */
function collectPaths(info: ModuleInfo, original: string, masked: string): void {
  for (const m of masked.matchAll(referencePattern)) {
    const kind = m[1] ? 'data' : 'resource';
    const instance = info.instances.get(instanceId(kind, m[2]!, m[3]!));
    if (!instance) continue;
    const { segments } = readTraversal(original, masked, m.index + m[0].length);
    recordPath(instance, segments);
  }
  // for k, v in T.N : ... v.attr ...
  const forPattern = new RegExp(
    `for\\s+(?:${identifier}\\s*,\\s*)?(${identifier})\\s+in\\s+(?:values\\()?(data\\.)?(${identifier})\\.(${identifier})\\)?\\s*:`,
    'g',
  );
  for (const m of masked.matchAll(forPattern)) {
    const instance = info.instances.get(instanceId(m[2] ? 'data' : 'resource', m[3]!, m[4]!));
    if (!instance) continue;
    const variable = new RegExp(`(?<![\\w.\\-])${m[1]}(?=[.\\[])`, 'g');
    variable.lastIndex = m.index + m[0].length;
    for (const v of masked.slice(m.index + m[0].length).matchAll(variable)) {
      const at = m.index + m[0].length + v.index + m[1]!.length;
      const { segments } = readTraversal(original, masked, at);
      // The loop variable is one instance: no instance key to skip.
      const path: Segment[] = [];
      for (const segment of segments) {
        if (segment === 'splat' || segment === 'expr') break;
        path.push(segment);
      }
      if (path.length > 0 && 'attr' in path[0]!) instance.paths.push(path);
    }
  }
}

interface RewriteContext {
  info: ModuleInfo;
  /** depends_on: references stay references, to terraform_data. */
  dependsOn?: boolean;
  /** A postcondition: self is the terraform_data, its attributes are in input. */
  self?: boolean;
}

function rewriteCode(original: string, masked: string, ctx: RewriteContext): string {
  const edits: { start: number; end: number; text: string }[] = [];
  for (const m of masked.matchAll(referencePattern)) {
    const kind = m[1] ? 'data' : 'resource';
    const instance = ctx.info.instances.get(instanceId(kind, m[2]!, m[3]!));
    if (!instance) continue;
    const text = ctx.dependsOn ? `terraform_data.${dataName(instance)}` : `local.${localName(instance)}`;
    edits.push({ start: m.index, end: m.index + m[0].length, text });
  }
  if (ctx.self) {
    for (const m of masked.matchAll(/(?<![\w.-])self\./g)) {
      edits.push({ start: m.index, end: m.index + m[0].length, text: 'self.input.' });
    }
  }
  let result = original;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}

function escapeLiteral(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    // $${ and %%{ are the same escapes in both syntaxes.
    if ((c === '$' || c === '%') && text[i + 1] === c && text[i + 2] === '{') {
      out += `${c}${c}{`;
      i += 2;
    } else if (c === '\\') out += '\\\\';
    else if (c === '"') out += '\\"';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c < ' ') out += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

/** A JSON-syntax string template as a native HCL expression, its references rewritten. */
function templateExpression(s: string, ctx: RewriteContext): string {
  const { masked, parts } = scanTemplate(s);
  const code = (part: Part): string =>
    rewriteCode(s.slice(part.start, part.end), masked.slice(part.start, part.end), ctx);
  const only = parts[0];
  if (parts.length === 1 && only?.kind === 'code') {
    const text = code(only).trim();
    // A comment in the code runs to the end of its line: close the parenthesis on the next one.
    return /#|\/\/|\/\*/.test(masked.slice(only.start, only.end)) ? `(${text}\n)` : `(${text})`;
  }
  let out = '"';
  for (const part of parts) {
    if (part.kind === 'literal') out += escapeLiteral(s.slice(part.start, part.end));
    else out += `${part.kind === 'code' ? '${' : '%{'}${code(part)}}`;
  }
  return `${out}"`;
}

/** The source of a "${...}" keyword-like expression (a type, a reference), rewritten. */
function rawCode(value: Json | undefined, ctx: RewriteContext): string {
  if (typeof value !== 'string') throw new Error(`expected an expression, got ${JSON.stringify(value)}`);
  const { masked, parts } = scanTemplate(value);
  const only = parts[0];
  if (parts.length === 1 && only?.kind === 'code') {
    return rewriteCode(value.slice(only.start, only.end), masked.slice(only.start, only.end), ctx).trim();
  }
  return value;
}

// Expression trees for `input`, so computed attributes can be merged into nested blocks.
type Expr =
  | { kind: 'raw'; text: string }
  | { kind: 'object'; entries: Map<string, Expr> }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'concat'; items: Expr[] };

function isBlockList(value: Json): value is JsonObject[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item))
  );
}

function valueExpr(value: Json, ctx: RewriteContext): Expr {
  if (value === null) return { kind: 'raw', text: 'null' };
  if (typeof value === 'string') return { kind: 'raw', text: templateExpression(value, ctx) };
  if (typeof value === 'number' || typeof value === 'boolean') return { kind: 'raw', text: String(value) };
  if (Array.isArray(value)) return { kind: 'list', items: value.map((item) => valueExpr(item, ctx)) };
  return bodyExpr(value, ctx);
}

/** A block body (or an object literal) as an object: nested blocks are lists, dynamic blocks for expressions. */
function bodyExpr(body: JsonObject, ctx: RewriteContext, skip: Set<string> = new Set()): Expr {
  const entries = new Map<string, Expr>();
  for (const [key, value] of Object.entries(body)) {
    if (skip.has(key) || key === 'dynamic') continue;
    entries.set(key, valueExpr(value, ctx));
  }
  if (
    !skip.has('dynamic') &&
    body.dynamic &&
    typeof body.dynamic === 'object' &&
    !Array.isArray(body.dynamic)
  ) {
    for (const [label, list] of Object.entries(body.dynamic)) {
      const items: Expr[] = [];
      for (const dynamic of isBlockList(list) ? list : []) {
        const iterator = typeof dynamic.iterator === 'string' ? rawCode(dynamic.iterator, ctx) : label;
        const collection = templateExpression(String(dynamic.for_each), ctx);
        const content = isBlockList(dynamic.content ?? null) ? (dynamic.content as JsonObject[])[0]! : {};
        items.push({
          kind: 'raw',
          text: `[for ${iterator} in [for key, value in ${collection} : { key = key, value = value }] : ${render(bodyExpr(content, ctx))}]`,
        });
      }
      const existing = entries.get(label);
      const dynamicItems: Expr = items.length === 1 ? items[0]! : { kind: 'concat', items };
      entries.set(label, existing ? { kind: 'concat', items: [existing, dynamicItems] } : dynamicItems);
    }
  }
  return { kind: 'object', entries };
}

function render(expr: Expr, indent = ''): string {
  const inner = `${indent}  `;
  switch (expr.kind) {
    case 'raw':
      return expr.text;
    case 'list':
      return expr.items.length === 0
        ? '[]'
        : `[\n${expr.items.map((item) => `${inner}${render(item, inner)},`).join('\n')}\n${indent}]`;
    case 'concat':
      return `concat(${expr.items.map((item) => render(item, inner)).join(', ')})`;
    case 'object':
      return expr.entries.size === 0
        ? '{}'
        : `{\n${[...expr.entries]
            .map(([key, value]) => `${inner}${JSON.stringify(key)} = ${render(value, inner)}`)
            .join('\n')}\n${indent}}`;
  }
}

/** Adds a placeholder at `path` unless the body already sets that attribute. */
function addPlaceholder(expr: Expr, path: Segment[], leaf: Expr): void {
  if (expr.kind !== 'object' || path.length === 0) return;
  const [first, ...rest] = path;
  const key = 'attr' in first! ? first.attr : 'key' in first! ? first.key : null;
  if (key === null) return;
  const existing = expr.entries.get(key);
  if (!existing) {
    expr.entries.set(key, shape(rest, leaf));
    return;
  }
  // A nested block: descend into its instance.
  const next = rest[0];
  if (existing.kind === 'list' && next && 'index' in next) {
    const item = existing.items[next.index];
    if (item) addPlaceholder(item, rest.slice(1), leaf);
  } else if (existing.kind === 'object') {
    addPlaceholder(existing, rest, leaf);
  }
}

function shape(path: Segment[], leaf: Expr): Expr {
  if (path.length === 0) return leaf;
  const [first, ...rest] = path as [Segment, ...Segment[]];
  if ('index' in first) {
    return { kind: 'list', items: Array.from({ length: first.index + 1 }, () => shape(rest, leaf)) };
  }
  return {
    kind: 'object',
    entries: new Map([['attr' in first ? first.attr : first.key, shape(rest, leaf)]]),
  };
}

const unknownLeaf: Expr = { kind: 'raw', text: 'terraform_data.evaluate_unknown.output' };
const dropped = new Set([
  'count',
  'for_each',
  'depends_on',
  'lifecycle',
  'provider',
  'provisioner',
  'connection',
]);

function pathText(path: Segment[]): string {
  return path
    .map((s) => ('attr' in s ? `.${s.attr}` : 'index' in s ? `[${s.index}]` : `["${s.key}"]`))
    .join('');
}

function renderInstance(instance: Instance, ctx: RewriteContext, dataValues: DataValues): string {
  const body = instance.body;
  const input = bodyExpr(body, ctx, dropped);
  const id = instanceId(instance.kind, instance.type, instance.name);
  const paths = [[{ attr: 'id' }] as Segment[], ...instance.paths];
  for (const path of paths) {
    let leaf = unknownLeaf;
    if (instance.kind === 'data') {
      const text = pathText(path).slice(1);
      const given = dataValues[id]?.[text];
      leaf = { kind: 'raw', text: given ?? JSON.stringify(`${id}.${text}`) };
    }
    addPlaceholder(input, path, leaf);
  }
  const lines = [`resource "terraform_data" "${dataName(instance)}" {`];
  if (body.for_each !== undefined)
    lines.push(`  for_each = ${templateExpression(String(body.for_each), ctx)}`);
  if (body.count !== undefined) lines.push(`  count = ${valueExprText(body.count, ctx)}`);
  lines.push(`  input = ${render(input, '  ')}`);
  if (Array.isArray(body.depends_on)) lines.push(`  depends_on = ${dependsOn(body.depends_on, ctx)}`);
  const conditions = lifecycleConditions(body, { ...ctx, self: true });
  if (conditions) lines.push(`  lifecycle {\n${conditions}  }`);
  lines.push('}');
  return lines.join('\n');
}

function valueExprText(value: Json, ctx: RewriteContext): string {
  return render(valueExpr(value, ctx));
}

function dependsOn(list: Json[], ctx: RewriteContext): string {
  return `[${list.map((item) => rawCode(item, { ...ctx, dependsOn: true })).join(', ')}]`;
}

function conditionBlocks(list: Json | undefined, kind: string, ctx: RewriteContext, indent: string): string {
  if (!isBlockList(list ?? null)) return '';
  return (list as JsonObject[])
    .map(
      (condition) =>
        `${indent}${kind} {\n${indent}  condition = ${valueExprText(condition.condition ?? null, ctx)}\n` +
        `${indent}  error_message = ${valueExprText(condition.error_message ?? null, ctx)}\n${indent}}\n`,
    )
    .join('');
}

function lifecycleConditions(body: JsonObject, ctx: RewriteContext): string {
  const lifecycle = isBlockList(body.lifecycle ?? null) ? (body.lifecycle as JsonObject[])[0]! : {};
  return (
    conditionBlocks(lifecycle.precondition, 'precondition', { ...ctx, self: false }, '    ') +
    conditionBlocks(lifecycle.postcondition, 'postcondition', ctx, '    ')
  );
}

function labelled(value: Json | undefined): [string, JsonObject][] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: [string, JsonObject][] = [];
  for (const [label, bodies] of Object.entries(value)) {
    for (const body of isBlockList(bodies) ? bodies : []) out.push([label, body]);
  }
  return out;
}

interface Transformed {
  files: Map<string, string>;
  /** Relative directories of the local modules it calls. */
  moduleSources: string[];
}

type DataValues = Record<string, Record<string, string>>;
type ModuleArguments = Record<string, Record<string, string | null>>;

function transformModule(
  parsed: ParsedFile[],
  options: { root: boolean; dataValues: DataValues; moduleArguments: ModuleArguments },
): Transformed {
  const info: ModuleInfo = { instances: new Map() };
  for (const { body } of parsed) {
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries((body[kind] ?? {}) as JsonObject)) {
        for (const [name, instanceBody] of labelled(byName)) {
          const mode: Mode =
            instanceBody.for_each !== undefined
              ? 'for_each'
              : instanceBody.count !== undefined
                ? 'count'
                : 'single';
          info.instances.set(instanceId(kind, type, name), {
            kind,
            type,
            name,
            mode,
            body: instanceBody,
            paths: [],
          });
        }
      }
    }
  }
  // Every string of the module, scanned for attribute reads.
  const visit = (value: Json): void => {
    if (typeof value === 'string') {
      const { masked, parts } = scanTemplate(value);
      for (const part of parts) {
        if (part.kind !== 'literal')
          collectPaths(info, value.slice(part.start, part.end), masked.slice(part.start, part.end));
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  for (const { body } of parsed) visit(body);

  const ctx: RewriteContext = { info };
  const files = new Map<string, string>();
  const moduleSources: string[] = [];
  const locals: string[] = [];
  const moduleCalls: string[] = [];
  for (const { name, body } of parsed) {
    const out: string[] = [];
    for (const [kind, value] of Object.entries(body)) {
      switch (kind) {
        case 'terraform':
          for (const block of isBlockList(value) ? value : []) {
            if (block.required_version !== undefined)
              out.push(`terraform {\n  required_version = ${valueExprText(block.required_version, ctx)}\n}`);
          }
          break;
        case 'variable':
          for (const [label, variable] of labelled(value)) {
            const lines = [`variable "${label}" {`];
            for (const [key, attribute] of Object.entries(variable)) {
              if (key === 'validation')
                lines.push(conditionBlocks(attribute, 'validation', ctx, '  ').trimEnd());
              else if (key === 'type') lines.push(`  type = ${rawCode(attribute, ctx)}`);
              else lines.push(`  ${key} = ${valueExprText(attribute, ctx)}`);
            }
            lines.push('}');
            out.push(lines.join('\n'));
          }
          break;
        case 'locals':
          for (const block of isBlockList(value) ? value : []) {
            const entries = Object.entries(block);
            locals.push(...entries.map(([key]) => key));
            out.push(
              `locals {\n${entries.map(([key, local]) => `  ${key} = ${render(valueExpr(local, ctx), '  ')}`).join('\n')}\n}`,
            );
          }
          break;
        case 'output':
          for (const [label, output] of labelled(value)) {
            const lines = [`output "${label}" {`];
            for (const [key, attribute] of Object.entries(output)) {
              if (key === 'precondition')
                lines.push(conditionBlocks(attribute, 'precondition', ctx, '  ').trimEnd());
              else if (key === 'depends_on' && Array.isArray(attribute))
                lines.push(`  depends_on = ${dependsOn(attribute, ctx)}`);
              else lines.push(`  ${key} = ${valueExprText(attribute, ctx)}`);
            }
            lines.push('}');
            out.push(lines.join('\n'));
          }
          break;
        case 'module':
          for (const [label, call] of labelled(value)) {
            const source = String(call.source ?? '');
            if (!source.startsWith('./') && !source.startsWith('../'))
              throw new Error(
                `${name}: module "${label}" has source ${source}; only local modules can be evaluated`,
              );
            moduleSources.push(source);
            moduleCalls.push(label);
            const overrides = options.moduleArguments[label] ?? {};
            const lines = [`module "${label}" {`];
            for (const [key, attribute] of Object.entries(call)) {
              if (key === 'providers' || key in overrides) continue;
              if (key === 'depends_on' && Array.isArray(attribute))
                lines.push(`  depends_on = ${dependsOn(attribute, ctx)}`);
              else lines.push(`  ${key} = ${render(valueExpr(attribute, ctx), '  ')}`);
            }
            for (const [key, text] of Object.entries(overrides))
              if (text !== null) lines.push(`  ${key} = ${text}`);
            lines.push('}');
            out.push(lines.join('\n'));
          }
          break;
        case 'check':
          for (const [label, check] of labelled(value)) {
            out.push(`check "${label}" {\n${conditionBlocks(check.assert, 'assert', ctx, '  ')}}`);
          }
          break;
        case 'resource':
        case 'data':
          for (const [type, byName] of Object.entries(value as JsonObject)) {
            for (const [label] of labelled(byName)) {
              const instance = info.instances.get(instanceId(kind, type, label))!;
              out.push(renderInstance(instance, ctx, options.dataValues));
            }
          }
          break;
        default:
          // provider, moved, import, removed, ephemeral: nothing to evaluate without a provider.
          break;
      }
    }
    files.set(name, `${out.join('\n\n')}\n`);
  }

  const extra: string[] = [];
  if (info.instances.size > 0) {
    extra.push('resource "terraform_data" "evaluate_unknown" {\n  input = "known after apply"\n}');
    const wrappers = [...info.instances.values()].map((instance) => {
      const address = `terraform_data.${dataName(instance)}`;
      const value =
        instance.mode === 'for_each'
          ? `{ for key, instance in ${address} : key => instance.input }`
          : instance.mode === 'count'
            ? `[for instance in ${address} : instance.input]`
            : `${address}.input`;
      return `  ${localName(instance)} = ${value}`;
    });
    extra.push(`locals {\n${wrappers.join('\n')}\n}`);
  }
  extra.push(
    `output "evaluate_locals" {\n  value = {\n${locals.map((key) => `    ${key} = local.${key}`).join('\n')}\n  }\n}`,
  );
  if (options.root) {
    extra.push(
      `output "evaluate_modules" {\n  value = {\n${moduleCalls.map((label) => `    ${label} = module.${label}`).join('\n')}\n  }\n}`,
    );
  }
  files.set('zz_evaluate.tf', `${extra.join('\n\n')}\n`);
  return { files, moduleSources };
}

// --- The mirror and the run ----------------------------------------------------------------------

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
  const overlay = new Map(
    Object.entries(options.files ?? {}).map(([path, content]) => [posix.normalize(path), content]),
  );
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

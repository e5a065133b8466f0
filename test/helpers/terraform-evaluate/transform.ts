// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform expressions, "${...}" is HCL interpolation.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { type Json, type JsonObject, loadParser, metaArguments, repoRoot } from '../terraform.ts';
import {
  identifier,
  type Part,
  type Step,
  scanTemplate,
  type Traversal,
  traversals,
} from '../terraform-expressions.ts';

/**
 * The transformation behind evaluateModule (./index.ts), which runs a Terraform
 * module's own logic with the real terraform binary, without any provider: every local, every count / for_each, every variable validation
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

// --- Parsing --------------------------------------------------------------------------

export interface ParsedFile {
  name: string;
  body: JsonObject;
}

/** The .tf files of one module directory, `sources` replacing or leaving out some, each parsed to the JSON syntax. */
export async function parseDir(dir: string, sources: Record<string, string | null>): Promise<ParsedFile[]> {
  const parse = await loadParser();
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

/** The literal steps of a traversal, up to the first splat or computed index. */
function literalPath(steps: Step[]): Segment[] {
  const path: Segment[] = [];
  for (const step of steps) {
    if ('splat' in step || 'expr' in step) break;
    path.push(step);
  }
  return path;
}

/** The resource or data source a traversal starts with, and how many of its steps name it. */
function referencedInstance(
  info: ModuleInfo,
  t: Traversal,
): { instance: Instance; named: number } | undefined {
  const [first, second] = t.steps;
  if (!first || !('attr' in first)) return undefined;
  const named = t.root === 'data' && second && 'attr' in second ? 2 : 1;
  const id =
    named === 2
      ? instanceId('data', first.attr, (second as { attr: string }).attr)
      : instanceId('resource', t.root, first.attr);
  const instance = info.instances.get(id);
  return instance ? { instance, named } : undefined;
}

function recordPath(instance: Instance, path: Segment[]): void {
  if (path.length > 0 && 'attr' in path[0]!) instance.paths.push(path);
}

/** Collects the attribute paths read from every resource and data source in one code text. */
function collectPaths(info: ModuleInfo, original: string, masked: string): void {
  const found = traversals(original, masked);
  for (const t of found) {
    const referenced = referencedInstance(info, t);
    if (!referenced) continue;
    const { instance, named } = referenced;
    // After the instance key, if it has count or for_each.
    recordPath(instance, literalPath(t.steps.slice(instance.mode === 'single' ? named : named + 1)));
  }
  // for k, v in T.N : ... v.attr ...
  const forPattern = new RegExp(
    `for\\s+(?:${identifier}\\s*,\\s*)?(${identifier})\\s+in\\s+(?:values\\()?(data\\.)?(${identifier})\\.(${identifier})\\)?\\s*:`,
    'g',
  );
  for (const m of masked.matchAll(forPattern)) {
    const instance = info.instances.get(instanceId(m[2] ? 'data' : 'resource', m[3]!, m[4]!));
    if (!instance) continue;
    const after = m.index + m[0].length;
    // The loop variable is one instance: no instance key to skip.
    for (const t of found)
      if (t.start >= after && t.root === m[1] && t.steps.length > 0)
        recordPath(instance, literalPath(t.steps));
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
  for (const t of traversals(original, masked)) {
    const referenced = referencedInstance(ctx.info, t);
    if (!referenced) continue;
    const { instance, named } = referenced;
    const text = ctx.dependsOn ? `terraform_data.${dataName(instance)}` : `local.${localName(instance)}`;
    edits.push({ start: t.start, end: t.stepEnds[named - 1]!, text });
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
function bodyExpr(body: JsonObject, ctx: RewriteContext, skip: ReadonlySet<string> = new Set()): Expr {
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

function pathText(path: Segment[]): string {
  return path
    .map((s) => ('attr' in s ? `.${s.attr}` : 'index' in s ? `[${s.index}]` : `["${s.key}"]`))
    .join('');
}

function renderInstance(instance: Instance, ctx: RewriteContext, dataValues: DataValues): string {
  const body = instance.body;
  const input = bodyExpr(body, ctx, metaArguments);
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

export interface Transformed {
  files: Map<string, string>;
  /** Relative directories of the local modules it calls. */
  moduleSources: string[];
}

export type DataValues = Record<string, Record<string, string>>;
export type ModuleArguments = Record<string, Record<string, string | null>>;

export function transformModule(
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

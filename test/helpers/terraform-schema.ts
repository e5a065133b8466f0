import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type {
  AttributeSchema,
  BlockSchema,
  NestedBlockSchema,
  ProviderSchemaFixture,
} from '../../local/terraform-schema/regenerate.ts';
import { type Json, type JsonObject, metaArguments, repoRoot, type TerraformModule } from './terraform.ts';
import { traversals as readTraversals, scanTemplate } from './terraform-expressions.ts';

/**
 * Checks a Terraform module, as test/helpers/terraform.ts parses it, against the
 * provider schemas in test/fixtures/terraform-provider-schema.json (written by
 * `npm run terraform:schema`), the way `terraform validate` would after an init:
 *
 * - every resource and data block: a known type; only its schema's arguments and
 *   blocks (plus the meta-arguments); its required arguments and blocks present
 *   (a dynamic block counts as its block); no computed-only attribute set; literal
 *   values of the right type, converted as Terraform converts them ("10" is a
 *   number, "true" a bool, an object is never a string); no block given more often
 *   than its max_items;
 * - every reference inside a "${...}" expression: var.X, local.X, module.X,
 *   data.T.N and T.N are declared in the module; the attributes named after a
 *   resource or data source (T.N.attr, T.N[k].block[0].attr) are in its schema;
 *   instance keys where count/for_each needs them and not otherwise;
 * - every module call with a local source: only the called module's variables,
 *   all of those without a default, and module.X.Y only for its outputs.
 *
 * Each finding names the file, the block (type.name) and the argument's path.
 */

export const providerSchemaPath = join(repoRoot, 'test/fixtures/terraform-provider-schema.json');

export function loadProviderSchema(path = providerSchemaPath): ProviderSchemaFixture {
  return JSON.parse(readFileSync(path, 'utf8')) as ProviderSchemaFixture;
}

/** Arguments of a module block that are not the called module's variables. */
const moduleMetaArguments = new Set(['source', 'version', 'count', 'for_each', 'depends_on', 'providers']);

interface Context {
  module: TerraformModule;
  schema: ProviderSchemaFixture;
  modules: Map<string, TerraformModule>;
  findings: string[];
}

/**
 * All findings for one module. `modules` holds the modules its module blocks may
 * call, by absolute directory; a call whose source is not there is not checked.
 */
export function checkModule(
  module: TerraformModule,
  schema: ProviderSchemaFixture,
  modules: Map<string, TerraformModule> = new Map(),
): string[] {
  const context: Context = { module, schema, modules, findings: [] };
  for (const kind of ['resource', 'data'] as const) {
    const declared = kind === 'resource' ? module.resources : module.data;
    const schemas = kind === 'resource' ? schema.resource_schemas : schema.data_source_schemas;
    for (const [type, byName] of Object.entries(declared)) {
      for (const [name, body] of Object.entries(byName)) {
        const label = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
        const report = reporter(context, fileOf(module, `${kind}\\s+"${type}"\\s+"${name}"`), label);
        const found = schemas[type];
        if (!found) {
          const providers = Object.values(schema.providers)
            .map((v) => `${v.source} ${v.version}`)
            .join(', ');
          report(
            '',
            `unknown ${kind === 'data' ? 'data source' : 'resource'} type "${type}" (not in ${providers}; if it is new, run \`npm run terraform:schema\`)`,
          );
        } else checkBody(body, found.block, '', report, true);
        checkReferences(context, body, report, new Set());
      }
    }
  }
  for (const [name, body] of Object.entries(module.modules)) {
    const report = reporter(context, fileOf(module, `module\\s+"${name}"`), `module.${name}`);
    checkModuleCall(context, body, report);
    checkReferences(context, body, report, new Set());
  }
  for (const [name, body] of Object.entries(module.outputs))
    checkReferences(
      context,
      body,
      reporter(context, fileOf(module, `output\\s+"${name}"`), `output.${name}`),
      new Set(),
    );
  for (const [name, body] of Object.entries(module.variables))
    checkReferences(
      context,
      body,
      reporter(context, fileOf(module, `variable\\s+"${name}"`), `variable.${name}`),
      new Set(),
    );
  for (const [name, value] of Object.entries(module.locals))
    checkReferences(context, value, reporter(context, localFile(module, name), `local.${name}`), new Set());
  for (const [name, body] of Object.entries(module.providers))
    checkReferences(
      context,
      body,
      reporter(context, fileOf(module, `provider\\s+"${name}"`), `provider.${name}`),
      new Set(),
    );
  return context.findings.sort();
}

type Report = (path: string, message: string) => void;

function reporter(context: Context, file: string | undefined, label: string): Report {
  const dir = relative(repoRoot, context.module.dir);
  const where = file ? `${dir}/${file}` : `${dir}/*.tf`;
  return (path, message) => context.findings.push(`${where}: ${label}${path ? `: ${path}` : ''}: ${message}`);
}

/** The .tf file that declares a block (its header matched by a regular expression source). */
function fileOf(module: TerraformModule, header: string): string | undefined {
  const pattern = new RegExp(`^\\s*${header}`, 'm');
  return Object.keys(module.files).find((name) => pattern.test(module.files[name]!));
}

/** The .tf file whose locals block defines `name`. */
function localFile(module: TerraformModule, name: string): string | undefined {
  const entry = new RegExp(`^\\s*${name}\\s*=`, 'm');
  return Object.keys(module.files).find((file) => {
    const text = module.files[file]!;
    for (const m of text.matchAll(/^locals\s*\{/gm)) {
      let depth = 0;
      let end = m.index;
      for (; end < text.length; end++) {
        if (text[end] === '{') depth++;
        else if (text[end] === '}' && --depth === 0) break;
      }
      if (entry.test(text.slice(m.index + m[0].length, end))) return true;
    }
    return false;
  });
}

// --- Arguments and blocks ---

function kindOf(value: Json | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value === 'boolean' ? 'bool' : typeof value} (${JSON.stringify(value)})`;
}

function checkBody(
  body: JsonObject,
  block: BlockSchema,
  path: string,
  report: Report,
  topLevel: boolean,
): void {
  const at = (name: string) => (path ? `${path}.${name}` : name);
  const dynamicNames = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    if (topLevel && metaArguments.has(key)) continue;
    if (key === 'dynamic') {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        report(at('dynamic'), 'expected dynamic "NAME" { for_each = ..., content { ... } } blocks');
        continue;
      }
      for (const [name, list] of Object.entries(value)) {
        dynamicNames.add(name);
        const nested = block.block_types[name];
        if (!nested) {
          report(
            at(`dynamic "${name}"`),
            block.attributes[name]
              ? `"${name}" is an argument, not a block: a dynamic block cannot set it`
              : `unknown block type "${name}"${suggest(name, block)}`,
          );
          continue;
        }
        for (const [i, item] of (Array.isArray(list) ? list : [list]).entries()) {
          const where = at(`dynamic "${name}"${Array.isArray(list) && list.length > 1 ? `[${i}]` : ''}`);
          if (!item || typeof item !== 'object' || Array.isArray(item)) {
            report(where, 'expected a dynamic block body');
            continue;
          }
          if (!('for_each' in item)) report(where, 'a dynamic block needs for_each');
          const contents = item.content;
          if (!Array.isArray(contents) || contents.length !== 1) {
            report(where, 'a dynamic block needs exactly one content block');
            continue;
          }
          for (const key of Object.keys(item))
            if (!['for_each', 'iterator', 'labels', 'content'].includes(key))
              report(where, `unknown argument "${key}" of a dynamic block`);
          const content = contents[0];
          if (content && typeof content === 'object' && !Array.isArray(content))
            checkBody(content, nested.block, `${where}.content`, report, false);
        }
      }
      continue;
    }
    const attribute = block.attributes[key];
    if (attribute) {
      if (attribute.computed)
        report(at(key), `"${key}" is computed-only: the provider sets it, a configuration may not`);
      else checkValue(value, attribute.type, at(key), report);
      continue;
    }
    const nested = block.block_types[key];
    if (nested) {
      checkBlocks(value, nested, key, at(key), report);
      continue;
    }
    report(at(key), `unknown argument "${key}"${suggest(key, block)}`);
  }
  for (const [name, attribute] of Object.entries(block.attributes))
    if (attribute.required && (body[name] === undefined || body[name] === null))
      report(at(name), `required argument "${name}" is not set`);
  for (const [name, nested] of Object.entries(block.block_types))
    if ((nested.min_items ?? 0) > 0 && body[name] === undefined && !dynamicNames.has(name))
      report(at(name), `required block "${name}" is missing`);
}

function checkBlocks(
  value: Json | undefined,
  nested: NestedBlockSchema,
  name: string,
  path: string,
  report: Report,
): void {
  if (!Array.isArray(value)) {
    report(path, `"${name}" is a block: write ${name} { ... }, not ${name} = ${kindOf(value)}`);
    return;
  }
  if (nested.max_items !== undefined && value.length > nested.max_items)
    report(path, `block "${name}" is given ${value.length} times; at most ${nested.max_items} allowed`);
  for (const [i, item] of value.entries()) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      report(`${path}[${i}]`, `expected a block body, got ${kindOf(item)}`);
      continue;
    }
    checkBody(item, nested.block, `${path}[${i}]`, report, false);
  }
}

/** Close names, so a typo's finding says what was meant. */
function suggest(name: string, block: BlockSchema): string {
  const names = [...Object.keys(block.attributes), ...Object.keys(block.block_types)];
  const word = (n: string) => n.split('_')[0];
  const close = names
    .map((n) => ({ n, d: distance(n, name) }))
    .filter(
      ({ n, d }) =>
        d <= Math.max(3, Math.floor(name.length / 3)) || (word(n) === word(name) && d <= name.length / 2),
    )
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, 2);
  return close.length ? ` (did you mean ${close.map(({ n }) => `"${n}"`).join(' or ')}?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

// --- Literal values, converted as Terraform converts them ---

/** A string in Terraform's JSON syntax is a template: with ${ or %{ it is an expression. */
function isExpression(value: string): boolean {
  return /(^|[^$])\$\{|(^|[^%])%\{/.test(value);
}

/** cty's string-to-number conversion: a decimal number, optionally signed, with an exponent. */
const numberString = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
/** cty's string-to-bool conversion: "true"/"false", and "1"/"0". */
const boolStrings = new Set(['true', 'false', '1', '0']);

function checkValue(value: Json | undefined, type: string, path: string, report: Report): void {
  if (value === null || value === undefined || type === 'any') return;
  if (typeof value === 'string' && isExpression(value)) return;
  const expected = mismatch(value, type, path, report);
  if (expected) report(path, `expected ${expected}, got ${kindOf(value)}`);
}

/** What a literal should have been, if it does not convert to `type`; elements are checked (and reported) one by one. */
function mismatch(value: Json, type: string, path: string, report: Report): string | undefined {
  const collection = /^(list|set|map)\((.*)\)$/.exec(type);
  if (collection) {
    const [, kind, element] = collection;
    if (kind === 'map') {
      if (typeof value !== 'object' || Array.isArray(value)) return type;
      for (const [key, item] of Object.entries(value as JsonObject))
        checkValue(item, element!, `${path}["${key}"]`, report);
    } else {
      if (!Array.isArray(value)) return type;
      for (const [i, item] of value.entries()) checkValue(item, element!, `${path}[${i}]`, report);
    }
    return undefined;
  }
  switch (type) {
    case 'string': // numbers and bools convert to strings
      return typeof value === 'object' ? 'a string' : undefined;
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && numberString.test(value))
        ? undefined
        : 'a number';
    case 'bool':
      return typeof value === 'boolean' || (typeof value === 'string' && boolStrings.has(value))
        ? undefined
        : 'a bool';
    default:
      return typeof value === 'object' ? undefined : type;
  }
}

// --- References inside expressions ---

/**
 * The code of every interpolation and directive in a template (each followed by
 * a newline), with the literal text of quoted strings and heredocs in it left
 * out ("x" is "") and comments blanked: what references can appear in.
 */
export function expressionCode(template: string): string {
  const { masked, parts } = scanTemplate(template, literalFill);
  return parts
    .filter((part) => part.kind !== 'literal')
    .map((part) => `${masked.slice(part.start, part.end).replaceAll(literalFill, '')}\n`)
    .join('');
}
/** What scanTemplate blanks literal text with, so expressionCode can leave it out. */
const literalFill = '\u0000';

/** A step as the checks below read it: an index or key is its source text ("0", "\"\"" for a string key). */
type Step = { attr: string } | { index: string } | { splat: true };

interface Traversal {
  root: string;
  steps: Step[];
  text: string;
}

/** Every traversal (name.attr[index]...) in expression code, from its root name on. */
export function traversals(code: string): Traversal[] {
  return readTraversals(code).map((t) => ({
    root: t.root,
    steps: t.steps.map((step): Step => {
      if ('index' in step) return { index: String(step.index) };
      if ('key' in step) return { index: JSON.stringify(step.key) };
      if ('expr' in step) return { index: step.expr };
      return step;
    }),
    text: t.text,
  }));
}

const resourceType = /^[a-z][a-z0-9]*_[a-z0-9_]+$/;

/** Walks every string of a block body; dynamic blocks bring their iterator into scope. */
function checkReferences(
  context: Context,
  value: Json | undefined,
  report: Report,
  scope: Set<string>,
): void {
  if (typeof value === 'string') {
    if (isExpression(value)) checkExpression(context, value, report, scope);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) checkReferences(context, item, report, scope);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    if (key === 'dynamic' && item && typeof item === 'object' && !Array.isArray(item)) {
      for (const [name, list] of Object.entries(item)) {
        for (const entry of Array.isArray(list) ? list : [list]) {
          if (!entry || typeof entry !== 'object' || Array.isArray(entry)) continue;
          const iterator =
            typeof entry.iterator === 'string' ? entry.iterator.replace(/^\$\{(.*)\}$/, '$1') : name;
          checkReferences(context, entry.for_each, report, scope);
          checkReferences(context, entry.content, report, new Set([...scope, iterator]));
        }
      }
    } else checkReferences(context, item, report, scope);
  }
}

function checkExpression(context: Context, template: string, report: Report, outer: Set<string>): void {
  const { module } = context;
  const code = expressionCode(template);
  const scope = new Set(outer);
  for (const m of code.matchAll(/\bfor\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\b/g)) {
    scope.add(m[1]!);
    if (m[2]) scope.add(m[2]);
  }
  for (const t of traversals(code)) {
    if (scope.has(t.root)) continue;
    const first = t.steps[0];
    const name = first && 'attr' in first ? first.attr : undefined;
    switch (t.root) {
      case 'var':
        if (name && !(name in module.variables)) report('', `${t.text}: no variable "${name}" is declared`);
        break;
      case 'local':
        if (name && !(name in module.locals)) report('', `${t.text}: no local value "${name}" is declared`);
        break;
      case 'module':
        if (name) checkModuleReference(context, t, name, report);
        break;
      case 'data': {
        const second = t.steps[1];
        const dataName = second && 'attr' in second ? second.attr : undefined;
        if (!name || !dataName) break;
        const body = module.data[name]?.[dataName];
        if (!body) report('', `${t.text}: no data "${name}" "${dataName}" is declared`);
        else {
          const schema = context.schema.data_source_schemas[name];
          if (schema)
            checkAttributeSteps(t, `data.${name}.${dataName}`, body, schema.block, t.steps.slice(2), report);
        }
        break;
      }
      default: {
        if (!resourceType.test(t.root) || !name) break;
        const body = module.resources[t.root]?.[name];
        if (!body) {
          report('', `${t.text}: no resource "${t.root}" "${name}" is declared`);
          break;
        }
        const schema = context.schema.resource_schemas[t.root];
        if (schema) checkAttributeSteps(t, `${t.root}.${name}`, body, schema.block, t.steps.slice(1), report);
      }
    }
  }
}

/** The steps after T.N: an instance key if (and only if) count/for_each is set, then schema names. */
function checkAttributeSteps(
  t: Traversal,
  label: string,
  body: JsonObject,
  block: BlockSchema,
  steps: Step[],
  report: Report,
): void {
  const repeated = 'count' in body ? 'count' : 'for_each' in body ? 'for_each' : undefined;
  let rest = steps;
  const head = rest[0];
  if (head && !('attr' in head)) {
    if (!repeated) {
      report('', `${t.text}: ${label} has no count or for_each, so it takes no instance key`);
      return;
    }
    rest = rest.slice(1);
  } else if (head && repeated) {
    report(
      '',
      `${t.text}: ${label} has ${repeated}: its attributes need an instance key (${label}[...].${head.attr})`,
    );
    return;
  }
  let current: { block?: BlockSchema; attributes?: Record<string, AttributeSchema> } = { block };
  let path = label;
  for (let i = 0; i < rest.length; i++) {
    const step = rest[i]!;
    if (!('attr' in step)) return; // an index or splat into something the walk does not follow
    const attributes = current.block?.attributes ?? current.attributes ?? {};
    const blocks = current.block?.block_types ?? {};
    const attribute = attributes[step.attr];
    const nested = blocks[step.attr];
    if (!attribute && !nested) {
      const known = [...Object.keys(attributes), ...Object.keys(blocks)].sort();
      report('', `${t.text}: ${path} has no attribute or block "${step.attr}" (it has ${known.join(', ')})`);
      return;
    }
    path = `${path}.${step.attr}`;
    const collection = nested
      ? nested.nesting
      : attribute!.attributes
        ? attribute!.type.startsWith('set')
          ? 'set'
          : 'list'
        : undefined;
    if (!collection) return; // a primitive, list or map attribute: its elements are not in the schema
    const next = rest[i + 1];
    if (collection !== 'single') {
      if (next && 'attr' in next) {
        report(
          '',
          `${t.text}: ${path} is a ${collection} of blocks: index it (${path}[0].${next.attr}) or use a splat`,
        );
        return;
      }
      if (next && collection === 'set' && 'index' in next) {
        report('', `${t.text}: ${path} is a set: it cannot be indexed; use one(...) or a for expression`);
        return;
      }
      if (next) i++;
    }
    current = nested ? { block: nested.block } : { attributes: attribute!.attributes! };
  }
}

// --- Module calls ---

function calledModule(context: Context, body: JsonObject): TerraformModule | undefined {
  const source = body.source;
  if (typeof source !== 'string' || !(source.startsWith('./') || source.startsWith('../'))) return undefined;
  const dir = resolve(context.module.dir, source);
  return context.modules.get(isAbsolute(dir) ? dir : resolve(dir));
}

function checkModuleCall(context: Context, body: JsonObject, report: Report): void {
  if (typeof body.source !== 'string') {
    report('source', 'a module block needs a literal source');
    return;
  }
  const called = calledModule(context, body);
  if (!called) return;
  const calledDir = relative(repoRoot, called.dir) || '.';
  for (const key of Object.keys(body)) {
    if (moduleMetaArguments.has(key)) continue;
    if (!(key in called.variables)) report(key, `the module at ${calledDir} declares no variable "${key}"`);
  }
  for (const [name, variable] of Object.entries(called.variables))
    if (!('default' in variable) && !(name in body))
      report(
        name,
        `required variable "${name}" of the module at ${calledDir} is not set (it has no default)`,
      );
}

function checkModuleReference(context: Context, t: Traversal, name: string, report: Report): void {
  const body = context.module.modules[name];
  if (!body) {
    report('', `${t.text}: no module "${name}" is declared`);
    return;
  }
  const called = calledModule(context, body);
  if (!called) return;
  let rest = t.steps.slice(1);
  if ('for_each' in body || 'count' in body) rest = rest.slice(1);
  const output = rest[0];
  if (output && 'attr' in output && !(output.attr in called.outputs))
    report(
      '',
      `${t.text}: the module at ${relative(repoRoot, called.dir) || '.'} has no output "${output.attr}"`,
    );
}

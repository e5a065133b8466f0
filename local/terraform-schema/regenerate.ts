/**
 * Regenerates test/fixtures/terraform-provider-schema.json: the provider schema
 * of every resource and data source type the Terraform module (terraform/**\/*.tf)
 * uses, so test/integration/terraform/provider-schema.test.ts can check the module
 * against the real providers without `terraform init` (no provider downloads here).
 *
 *   npm run terraform:schema             rewrite the fixture
 *   npm run terraform:schema -- --check  exit 1 if the committed fixture differs
 *
 * Source: the prebuilt cdktf provider packages, fetched with `npm pack` into a
 * temporary directory (never installed) and unpacked with the system's tar. Each
 * is generated from `terraform providers schema -json` of one provider version,
 * recorded in its package.json (cdktf.provider) and in every registry link of its
 * docs. Which package serves a type: Terraform's own default, the type name up to
 * its first underscore is the provider's local name (PROVIDERS below).
 *
 * How the schema is read back from a package (cdktf's generator rules, checked
 * against the manifest as it is read; anything that does not fit stops the script):
 *
 * - The type's class: the .jsii class whose docs.summary is "Represents a {@link
 *   https://registry.terraform.io/providers/<ns>/<provider>/<version>/docs/resources/<x> <type>}"
 *   (docs/data-sources/ for a data source); its base is cdktf.TerraformResource
 *   or cdktf.TerraformDataSource.
 * - Arguments and blocks: the properties of the struct (a `datatype` interface)
 *   that is the type of the class initializer's `config` parameter. Its own
 *   properties only: the meta-arguments come from cdktf.TerraformMetaArguments.
 *   A property without `optional` is required (for a block: at least one).
 * - Block or attribute: a property whose type is a struct, or a list of structs
 *   (IResolvable aside), is a block; every other property is an attribute. A bare
 *   struct (or struct | IResolvable) is a block of at most one (max_items 1, which
 *   cdktf turns into a single object); a list of structs has no upper bound the
 *   manifest can tell. The generated bindings (lib/<module>/index.js, the file
 *   the class's locationInModule names) say the same with `isBlock` in their
 *   synthesizeHclAttributes / <struct>ToHclTerraform tables, which the script
 *   requires to agree.
 * - Terraform names: the manifest has only camelCase; the snake_case name is the
 *   key of the same tables (`value: ...(struct.camelName)` under `snake_name:`).
 * - Attribute types: the jsii type (string, number, boolean | IResolvable -> bool,
 *   any/json -> any, arrays and maps of those). The manifest writes list and set
 *   alike (both arrays); the table's `type: "set"` tells them apart, and so does a
 *   block's nesting (list, set, or single for type "struct", e.g. timeouts).
 * - Computed-only attributes (set by the provider, never by the configuration):
 *   the getters (immutable properties) of the resource class, or of a block's
 *   <Struct>OutputReference class, that are neither a property of the config
 *   struct nor an `...Input` getter. Their snake_case name and type come from the
 *   getter's body in the bindings: this.get<Kind>Attribute('name'),
 *   cdktf.Fn.tolist(...) for a set, or a field built as new <Class>(this, "name",
 *   wrapsSet) for maps and computed lists of objects, whose <Item>OutputReference
 *   class gives the nested computed attributes. (The manifest alone would not
 *   do: it types a computed bool as cdktf.IResolvable and has no snake_case names.)
 *
 * What the packages do not carry: the exact min_items of a list block (only
 * whether it is required: recorded as min_items 1), the max_items of a list
 * block other than 1, whether an optional argument is also computed, validation
 * rules (allowed values, patterns) and deprecations.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../..');
const terraformDir = join(repoRoot, 'terraform');
export const fixturePath = join(repoRoot, 'test/fixtures/terraform-provider-schema.json');

/** Provider local name (the prefix of its types) -> the prebuilt package that carries its schema. */
const PROVIDERS: Record<string, { package: string; version: string }> = {
  google: { package: '@cdktf/provider-google', version: '16.12.1' },
  archive: { package: '@cdktf/provider-archive', version: '11.0.1' },
  time: { package: '@cdktf/provider-time', version: '11.0.1' },
};

const usage = `Usage: node local/terraform-schema/regenerate.ts [--check | --help]

Writes ${relative(repoRoot, fixturePath)} from the cdktf provider packages
(${Object.values(PROVIDERS)
  .map((p) => `${p.package}@${p.version}`)
  .join(', ')}), fetched with npm pack,
for the resource and data source types terraform/**/*.tf uses.
  --check  write nothing; exit 1 if the committed fixture differs from a fresh one
  --help   this text`;

class Failure extends Error {}

// --- The fixture's shape (also read by test/helpers/terraform-schema.ts) ---

export interface AttributeSchema {
  /** string, number, bool, any, list(T), set(T), map(T), list(object), set(object) */
  type: string;
  required?: true;
  optional?: true;
  /** Computed-only: the provider sets it, the configuration may not. */
  computed?: true;
  /** Nested attributes of a computed list of objects. */
  attributes?: Record<string, AttributeSchema>;
}

export interface BlockSchema {
  attributes: Record<string, AttributeSchema>;
  block_types: Record<string, NestedBlockSchema>;
}

export interface NestedBlockSchema {
  nesting: 'list' | 'set' | 'single';
  min_items?: number;
  max_items?: number;
  block: BlockSchema;
}

export interface ProviderSchemaFixture {
  description: string;
  providers: Record<string, { source: string; version: string; package: string; package_version: string }>;
  resource_schemas: Record<string, { provider: string; block: BlockSchema }>;
  data_source_schemas: Record<string, { provider: string; block: BlockSchema }>;
}

// --- Which types the module uses ---

type Parse = (filename: string, contents: string) => Promise<Record<string, unknown>>;

interface UsedTypes {
  resource: Map<string, string>; // type -> first file using it
  data: Map<string, string>;
}

function tfFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...tfFiles(path));
    else if (entry.endsWith('.tf')) found.push(path);
  }
  return found;
}

async function usedTypes(): Promise<UsedTypes> {
  const module = (await import('@cdktf/hcl2json')) as { parse?: Parse; default?: { parse?: Parse } };
  const parse = module.parse ?? module.default?.parse;
  if (!parse) throw new Failure('@cdktf/hcl2json exports no parse(): run `npm install`.');
  const used: UsedTypes = { resource: new Map(), data: new Map() };
  for (const path of tfFiles(terraformDir)) {
    const file = relative(repoRoot, path);
    const parsed = await parse(file, readFileSync(path, 'utf8'));
    for (const kind of ['resource', 'data'] as const) {
      const byType = parsed[kind];
      if (!byType || typeof byType !== 'object') continue;
      for (const type of Object.keys(byType)) if (!used[kind].has(type)) used[kind].set(type, file);
    }
  }
  return used;
}

// --- The jsii manifest ---

interface TypeRef {
  primitive?: string;
  fqn?: string;
  collection?: { kind: 'array' | 'map'; elementtype: TypeRef };
  union?: { types: TypeRef[] };
}

interface JsiiProperty {
  name: string;
  type: TypeRef;
  optional?: boolean;
  immutable?: boolean;
  static?: boolean;
}

interface JsiiType {
  fqn: string;
  name: string;
  kind: 'class' | 'interface' | 'enum';
  datatype?: boolean;
  base?: string;
  docs?: { summary?: string };
  initializer?: { parameters?: { name: string; type: TypeRef }[] };
  properties?: JsiiProperty[];
  locationInModule?: { filename: string };
}

interface Package {
  provider: string;
  name: string;
  version: string;
  dir: string;
  source: string;
  providerVersion: string;
  types: Record<string, JsiiType>;
  /** "resource:google_x" / "data:google_x" -> class fqn */
  classes: Map<string, string>;
  js: Map<string, string>;
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Failure(`${command} ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

function fetchPackage(provider: string, work: string): Package {
  const spec = PROVIDERS[provider]!;
  const dir = join(work, provider);
  mkdirSync(dir);
  const packed = JSON.parse(
    run('npm', ['pack', `${spec.package}@${spec.version}`, '--json', '--pack-destination', dir], work),
  ) as { filename: string }[];
  const tarball = join(dir, packed[0]!.filename);
  // The google tarball unpacks to ~300 MB (the manifest is 95 MB): take the manifest first,
  // then only the binding files of the classes used.
  run('tar', ['-xzf', tarball, '-C', dir, 'package/.jsii', 'package/package.json'], work);
  const packageJson = JSON.parse(readFileSync(join(dir, 'package/package.json'), 'utf8')) as {
    name: string;
    version: string;
    cdktf?: { provider?: { name?: string; version?: string } };
  };
  const jsii = JSON.parse(readFileSync(join(dir, 'package/.jsii'), 'utf8')) as {
    name: string;
    version: string;
    types: Record<string, JsiiType>;
  };
  if (jsii.name !== spec.package || jsii.version !== spec.version || packageJson.version !== spec.version)
    throw new Failure(`${tarball} is ${jsii.name}@${jsii.version}, not ${spec.package}@${spec.version}`);
  const source = packageJson.cdktf?.provider?.name;
  const providerVersion = packageJson.cdktf?.provider?.version;
  if (!source || !providerVersion) throw new Failure(`${spec.package}: package.json has no cdktf.provider`);
  const classes = new Map<string, string>();
  const link =
    /^Represents a \{@link https:\/\/registry\.terraform\.io\/providers\/([^/]+\/[^/]+)\/([^/]+)\/docs\/(resources|data-sources)\/\S+ (\w+)\}/;
  for (const type of Object.values(jsii.types)) {
    if (type.kind !== 'class') continue;
    const match = link.exec(type.docs?.summary ?? '');
    if (!match) continue;
    const [, registrySource, version, kind, tfType] = match;
    const base = kind === 'resources' ? 'cdktf.TerraformResource' : 'cdktf.TerraformDataSource';
    if (type.base !== base) throw new Failure(`${type.fqn}: a ${kind} class whose base is ${type.base}`);
    if (`registry.terraform.io/${registrySource}` !== source || version !== providerVersion)
      throw new Failure(
        `${type.fqn} documents ${registrySource} ${version}, package.json ${source} ${providerVersion}`,
      );
    classes.set(`${kind === 'resources' ? 'resource' : 'data'}:${tfType}`, type.fqn);
  }
  return {
    provider,
    name: spec.package,
    version: spec.version,
    dir,
    source,
    providerVersion,
    types: jsii.types,
    classes,
    js: new Map(),
  };
}

/** Unpacks the bindings of the given classes (one index.js per jsii submodule). */
function unpackBindings(pkg: Package, classFqns: string[], tarball: string): void {
  const files = new Set<string>();
  for (const fqn of classFqns) files.add(bindingFile(pkg, fqn));
  run('tar', ['-xzf', tarball, '-C', pkg.dir, ...[...files].map((f) => `package/${f}`)], pkg.dir);
  for (const file of files) pkg.js.set(file, readFileSync(join(pkg.dir, 'package', file), 'utf8'));
}

function bindingFile(pkg: Package, fqn: string): string {
  const location = pkg.types[fqn]?.locationInModule?.filename;
  const match = location && /^src\/(.+)\.ts$/.exec(location);
  if (!match) throw new Failure(`${pkg.name}: ${fqn} has no source location in the manifest`);
  return `lib/${match[1]}.js`;
}

// --- The bindings' tables and getters ---

interface HclEntry {
  snake: string;
  isBlock: boolean;
  /** simple | list | set | map | struct */
  type: string;
}

function sliceBetween(text: string, start: string, end: RegExp, what: string): string {
  const from = text.indexOf(start);
  if (from < 0) throw new Failure(`bindings: no ${what}`);
  end.lastIndex = from + start.length;
  const to = end.exec(text);
  return text.slice(from, to ? to.index : text.length);
}

/** camelName -> entry of a synthesizeHclAttributes / <struct>ToHclTerraform table. */
function hclTable(body: string): Map<string, HclEntry> {
  const entries = new Map<string, HclEntry>();
  const entry =
    /(\w+): \{\s*value: [^\n]*\((?:this\._|struct\.|struct!\.)(\w+)(?:\.internalValue)?\),\s*isBlock: (true|false),\s*type: "(\w+)",/g;
  for (const m of body.matchAll(entry))
    entries.set(m[2]!, { snake: m[1]!, isBlock: m[3] === 'true', type: m[4]! });
  return entries;
}

function classBody(js: string, className: string): string {
  return sliceBetween(js, `class ${className} extends `, /\nexports\.\w+ = \w+;/g, `class ${className}`);
}

function structTable(js: string, structName: string): Map<string, HclEntry> {
  const fn = `${structName[0]!.toLowerCase()}${structName.slice(1)}ToHclTerraform`;
  return hclTable(sliceBetween(js, `function ${fn}(struct) {`, /\n}\n/g, `function ${fn}`));
}

interface Getter {
  snake: string;
  type: string;
  /** class of a computed list/object's items, for their nested attributes */
  itemClass?: string;
}

const accessorTypes: Record<string, string> = {
  String: 'string',
  Number: 'number',
  Boolean: 'bool',
  List: 'list(string)',
  NumberList: 'list(number)',
  StringMap: 'map(string)',
  NumberMap: 'map(number)',
  BooleanMap: 'map(bool)',
  AnyMap: 'map(any)',
  Any: 'any',
};
const mapClasses: Record<string, string> = {
  StringMap: 'map(string)',
  NumberMap: 'map(number)',
  BooleanMap: 'map(bool)',
  AnyMap: 'map(any)',
  StringMapList: 'list(map(string))',
  NumberMapList: 'list(map(number))',
  BooleanMapList: 'list(map(bool))',
  AnyMapList: 'list(map(any))',
};

/** How a class's getter `camel` reads its attribute: its Terraform name and type. */
function getter(body: string, camel: string, where: string): Getter {
  const get = new RegExp(`\\n    get ${camel}\\(\\) \\{\\n        return ([^\\n]*);\\n    \\}`).exec(body);
  if (!get) throw new Failure(`${where}: no getter ${camel} in the bindings`);
  const expr = get[1]!;
  let m = /^(cdktf\.Fn\.tolist\()?this\.get(\w*)Attribute\('([^']+)'\)\)?$/.exec(expr);
  if (m) {
    let type = accessorTypes[m[2]!];
    if (!type) throw new Failure(`${where}.${m[3]}: unknown accessor get${m[2]}Attribute`);
    if (m[1]) type = type.replace(/^list\(/, 'set(');
    return { snake: m[3]!, type };
  }
  m = /^this\._(\w+)$/.exec(expr);
  if (m) {
    const field = new RegExp(`this\\._${m[1]} = new ([\\w.]+)\\(this, "([^"]+)"(?:, (true|false))?\\);`).exec(
      body,
    );
    if (!field) throw new Failure(`${where}: cannot tell what this._${m[1]} is`);
    const [, cls, snake, wrapsSet] = field;
    if (cls!.startsWith('cdktf.')) {
      const type = mapClasses[cls!.slice(6)];
      if (!type) throw new Failure(`${where}.${snake}: unknown class ${cls}`);
      return { snake: snake!, type };
    }
    if (cls!.endsWith('List'))
      return {
        snake: snake!,
        type: wrapsSet === 'true' ? 'set(object)' : 'list(object)',
        itemClass: `${cls!.slice(0, -4)}OutputReference`,
      };
    if (cls!.endsWith('OutputReference')) return { snake: snake!, type: 'list(object)', itemClass: cls! };
    throw new Failure(`${where}.${snake}: unknown class ${cls}`);
  }
  throw new Failure(`${where}: cannot read getter ${camel}: ${expr}`);
}

// --- Building the schema ---

function withoutResolvable(ref: TypeRef): TypeRef {
  if (!ref.union) return ref;
  const rest = ref.union.types.filter((t) => t.fqn !== 'cdktf.IResolvable');
  if (rest.length !== 1) throw new Failure(`unexpected union type ${JSON.stringify(ref)}`);
  return rest[0]!;
}

function attributeType(ref: TypeRef, entry: HclEntry, where: string): string {
  const t = withoutResolvable(ref);
  if (t.primitive) {
    const primitive = { string: 'string', number: 'number', boolean: 'bool', any: 'any', json: 'any' }[
      t.primitive
    ];
    if (!primitive) throw new Failure(`${where}: unknown primitive ${t.primitive}`);
    return primitive;
  }
  if (t.fqn === 'cdktf.IResolvable') return 'any';
  if (t.collection) {
    const element = attributeType(t.collection.elementtype, { ...entry, type: 'simple' }, where);
    if (t.collection.kind === 'map') return `map(${element})`;
    if (entry.type !== 'list' && entry.type !== 'set')
      throw new Failure(`${where}: an array the bindings call ${entry.type}`);
    return `${entry.type}(${element})`;
  }
  throw new Failure(`${where}: unknown attribute type ${JSON.stringify(ref)}`);
}

function isStruct(pkg: Package, ref: TypeRef): boolean {
  const t = ref.fqn ? pkg.types[ref.fqn] : undefined;
  return t?.kind === 'interface' && t.datatype === true;
}

/**
 * The schema of one block: the config struct's properties (arguments and blocks)
 * and the computed-only getters of the class that reads it back.
 */
function buildBlock(
  pkg: Package,
  js: string,
  structFqn: string,
  readerFqn: string,
  where: string,
  topLevel: boolean,
): BlockSchema {
  const struct = pkg.types[structFqn];
  const reader = pkg.types[readerFqn];
  if (!struct?.datatype) throw new Failure(`${where}: ${structFqn} is not a struct in the manifest`);
  if (reader?.kind !== 'class') throw new Failure(`${where}: no class ${readerFqn} in the manifest`);
  const table = topLevel
    ? hclTable(
        sliceBetween(
          classBody(js, reader.name),
          'synthesizeHclAttributes() {',
          /\n {4}}\n/g,
          'synthesizeHclAttributes',
        ),
      )
    : structTable(js, struct.name);
  const readerBody = classBody(js, reader.name);
  const block: BlockSchema = { attributes: {}, block_types: {} };
  const configured = new Set<string>();
  for (const property of struct.properties ?? []) {
    configured.add(property.name);
    const entry = table.get(property.name);
    if (!entry) throw new Failure(`${where}: ${property.name} is not in the bindings' table`);
    const path = `${where}.${entry.snake}`;
    const type = withoutResolvable(property.type);
    const element = type.collection?.kind === 'array' ? type.collection.elementtype : type;
    const structured = isStruct(pkg, element);
    if (structured !== entry.isBlock)
      throw new Failure(
        `${path}: the manifest says ${structured ? 'block' : 'attribute'}, the bindings ${entry.isBlock ? 'block' : 'attribute'}`,
      );
    if (structured) {
      const single = element === type;
      const nesting = entry.type === 'struct' ? 'single' : entry.type;
      if (nesting !== 'list' && nesting !== 'set' && nesting !== 'single')
        throw new Failure(`${path}: block nesting ${entry.type}`);
      if (nesting === 'single' && !single) throw new Failure(`${path}: a single block that is a list`);
      const nested: NestedBlockSchema = {
        nesting,
        block: buildBlock(pkg, js, element.fqn!, `${element.fqn}OutputReference`, path, false),
      };
      if (!property.optional) nested.min_items = 1;
      if (single) nested.max_items = 1;
      block.block_types[entry.snake] = nested;
    } else {
      const attribute: AttributeSchema = { type: attributeType(property.type, entry, path) };
      if (property.optional) attribute.optional = true;
      else attribute.required = true;
      block.attributes[entry.snake] = attribute;
    }
  }
  Object.assign(block.attributes, computedAttributes(pkg, readerBody, reader, configured, where));
  return block;
}

function computedAttributes(
  pkg: Package,
  body: string,
  reader: JsiiType,
  configured: Set<string>,
  where: string,
): Record<string, AttributeSchema> {
  const attributes: Record<string, AttributeSchema> = {};
  for (const property of reader.properties ?? []) {
    if (property.static || !property.immutable || property.name === 'internalValue') continue;
    if (property.name.endsWith('Input') || configured.has(property.name)) continue;
    const read = getter(body, property.name, where);
    const attribute: AttributeSchema = { type: read.type, computed: true };
    if (read.itemClass) {
      const itemFqn = `${reader.fqn.slice(0, reader.fqn.lastIndexOf('.'))}.${read.itemClass}`;
      const item = pkg.types[itemFqn];
      if (!item) throw new Failure(`${where}.${read.snake}: no class ${itemFqn} in the manifest`);
      attribute.attributes = computedAttributes(
        pkg,
        readerBodyOf(pkg, item),
        item,
        new Set(),
        `${where}.${read.snake}`,
      );
    }
    if (attributes[read.snake]) throw new Failure(`${where}.${read.snake} is read by two getters`);
    attributes[read.snake] = attribute;
  }
  return attributes;
}

function readerBodyOf(pkg: Package, type: JsiiType): string {
  const js = pkg.js.get(bindingFile(pkg, type.fqn));
  if (!js) throw new Failure(`${type.fqn}: bindings not unpacked`);
  return classBody(js, type.name);
}

function typeSchema(pkg: Package, kind: 'resource' | 'data', tfType: string): BlockSchema {
  const fqn = pkg.classes.get(`${kind}:${tfType}`)!;
  const cls = pkg.types[fqn]!;
  const config = cls.initializer?.parameters?.find((p) => p.name === 'config')?.type.fqn;
  if (!config) throw new Failure(`${fqn}: its initializer has no config struct`);
  const js = pkg.js.get(bindingFile(pkg, fqn))!;
  return buildBlock(pkg, js, config, fqn, `${kind === 'data' ? 'data.' : ''}${tfType}`, true);
}

// --- Output ---

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  return value;
}

export async function generate(): Promise<string> {
  const used = await usedTypes();
  const byProvider = new Map<string, { kind: 'resource' | 'data'; type: string; file: string }[]>();
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, file] of used[kind]) {
      const provider = type.slice(0, type.indexOf('_'));
      if (!PROVIDERS[provider])
        throw new Failure(
          `${file}: ${kind} "${type}": no package for provider "${provider}" (known: ${Object.keys(PROVIDERS).join(', ')}); add it to PROVIDERS in local/terraform-schema/regenerate.ts`,
        );
      if (!byProvider.has(provider)) byProvider.set(provider, []);
      byProvider.get(provider)!.push({ kind, type, file });
    }
  }
  const fixture: ProviderSchemaFixture = {
    description:
      'Provider schemas of the resource and data source types terraform/**/*.tf uses, read from the cdktf prebuilt provider packages. Generated by `npm run terraform:schema`; do not edit.',
    providers: {},
    resource_schemas: {},
    data_source_schemas: {},
  };
  const work = mkdtempSync(join(tmpdir(), 'terraform-schema-'));
  try {
    for (const [provider, types] of [...byProvider].sort(([a], [b]) => a.localeCompare(b))) {
      const pkg = fetchPackage(provider, work);
      const missing = types.filter((t) => !pkg.classes.has(`${t.kind}:${t.type}`));
      if (missing.length)
        throw new Failure(
          missing
            .map(
              (t) =>
                `${t.file}: ${t.kind} "${t.type}" is not in ${pkg.name}@${pkg.version} (${pkg.source} ${pkg.providerVersion})`,
            )
            .join('\n'),
        );
      const tarball = join(pkg.dir, readdirSync(pkg.dir).find((f) => f.endsWith('.tgz'))!);
      unpackBindings(
        pkg,
        types.map((t) => pkg.classes.get(`${t.kind}:${t.type}`)!),
        tarball,
      );
      fixture.providers[provider] = {
        source: pkg.source,
        version: pkg.providerVersion,
        package: pkg.name,
        package_version: pkg.version,
      };
      for (const t of types) {
        const target = t.kind === 'resource' ? fixture.resource_schemas : fixture.data_source_schemas;
        target[t.type] = { provider, block: typeSchema(pkg, t.kind, t.type) };
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return `${JSON.stringify(sortKeys(fixture), null, 2)}\n`;
}

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((a) => a !== '--check' && a !== '--help' && a !== '-h');
  if (unknown.length) {
    process.stderr.write(
      `regenerate.ts: unknown argument ${unknown[0]}; the only options are --check and --help.\n`,
    );
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const text = await generate();
  const where = relative(repoRoot, fixturePath);
  if (args.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(fixturePath, 'utf8');
    } catch {}
    if (committed === text) {
      process.stdout.write(`${where} is up to date.\n`);
      return 0;
    }
    process.stderr.write(`${where} differs from the provider packages: run \`npm run terraform:schema\`.\n`);
    return 1;
  }
  writeFileSync(fixturePath, text);
  process.stdout.write(`wrote ${where} (${text.length} bytes)\n`);
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof Failure) {
        process.stderr.write(`regenerate.ts: ${error.message}\n`);
        process.exitCode = 1;
      } else throw error;
    },
  );
}

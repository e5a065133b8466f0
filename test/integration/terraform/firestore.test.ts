// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform expressions, "${...}" is HCL interpolation.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collections } from '../../../shared/store/documents.ts';
import {
  asArray,
  asObject,
  asString,
  block,
  expression,
  type JsonObject,
  loadModule,
  local,
  repoRoot,
  resource,
} from '../../helpers/terraform.ts';

// docs/console.md: retention by TTL on expireAt; monotonically
// increasing fields nobody filters on are exempted from indexing; composite
// indexes for the console's queries (docs/console.md) and the report.

const ttlCollections = [
  'messages',
  'events',
  'userMessages',
  'userEvents',
  'agentEvents',
  'unknownEvents',
  'deadLetters',
  'ingestion',
  'outcomes',
];

async function firestore() {
  const module = await loadModule();
  const exemptions = asObject(local(module, 'index_exemptions'));
  const exempt = (collection: string) => asArray(exemptions[collection] ?? []).map((f) => asString(f));
  return { module, exemptions, exempt };
}

/** Every field a query in shared/ filters or orders on: where('f', ...), orderBy('f'). */
function queriedFields(): Set<string> {
  const fields = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(join(repoRoot, path), 'utf8');
        for (const m of text.matchAll(/\.(?:where|orderBy)\(\s*'([^']+)'/g)) fields.add(m[1]!);
      }
    }
  };
  walk('shared');
  return fields;
}

/** docs/console.md, "Composite indexes": id -> collection and "field ASC|DESC" list. */
function documentedIndexes(): Map<string, { collection: string; fields: string[] }> {
  const doc = readFileSync(join(repoRoot, 'docs/console.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Composite indexes'));
  const indexes = new Map<string, { collection: string; fields: string[] }>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const id = cells[1];
    if (!id || !/^[IR]\d+$/.test(id)) continue;
    const spec = cells[2]!;
    const collection = /collection `(\w+)`/.exec(spec)?.[1] ?? 'messages';
    const fields = [...spec.matchAll(/`([\w.]+)` (ASC|DESC)/g)].map((m) => `${m[1]} ${m[2]}`);
    indexes.set(id, { collection, fields });
  }
  return indexes;
}

describe('terraform Firestore retention', () => {
  it('puts a TTL policy on expireAt in every collection that has one', async () => {
    const { module } = await firestore();
    expect(asArray(local(module, 'ttl_collections'))).toEqual(ttlCollections);
    const known = Object.values(collections) as string[];
    for (const c of ttlCollections) expect(known, c).toContain(c);
    const ttl = resource(module, 'google_firestore_field', 'ttl');
    expect(expression(ttl.for_each)).toBe('toset(local.ttl_collections)');
    expect(ttl.field).toBe('expireAt');
    expect(block(ttl, 'ttl_config')).toEqual({});
    // expireAt grows monotonically and nobody queries it: no single-field index either.
    expect(block(ttl, 'index_config')).toEqual({});
  });

  it('keeps optOuts (current state, no expireAt) out of TTL', async () => {
    const { module } = await firestore();
    expect(asArray(local(module, 'ttl_collections'))).not.toContain('optOuts');
  });

  it('targets the configured database everywhere', async () => {
    const { module } = await firestore();
    for (const [type, name] of [
      ['google_firestore_field', 'ttl'],
      ['google_firestore_field', 'exempt'],
      ['google_firestore_index', 'composite'],
    ] as const) {
      expect(expression(resource(module, type, name).database), `${type}.${name}`).toBe(
        'var.firestore.database_id',
      );
    }
    const core = asObject(asObject(local(module, 'env_by_section')).core);
    expect(expression(core.FIRESTORE_DATABASE)).toBe('var.firestore.database_id');
    const db = resource(module, 'google_firestore_database', 'this');
    expect(expression(db.count)).toBe('var.firestore.create_database ? 1 : 0');
    expect(db.type).toBe('FIRESTORE_NATIVE');
  });
});

describe('terraform Firestore index exemptions', () => {
  it('never exempts dueAt (the sweep queries it) nor createdAt (the report and console filter on it)', async () => {
    const { exemptions } = await firestore();
    for (const [collection, fields] of Object.entries(exemptions)) {
      expect(asArray(fields), collection).not.toContain('dueAt');
      expect(asArray(fields), collection).not.toContain('createdAt');
    }
    expect(queriedFields()).toContain('dueAt');
    expect(queriedFields()).toContain('createdAt');
  });

  it('exempts no field any query in shared/ filters or orders on', async () => {
    const { exemptions } = await firestore();
    const queried = queriedFields();
    for (const [collection, fields] of Object.entries(exemptions)) {
      for (const field of asArray(fields))
        expect(queried.has(asString(field)), `${collection}.${field}`).toBe(false);
    }
  });

  it('exempts the monotonically increasing timestamps nobody filters on', async () => {
    const { exempt } = await firestore();
    expect(exempt('messages')).toContain('updatedAt');
    expect(exempt('events')).toEqual(expect.arrayContaining(['receivedAt', 'sendTime', 'at']));
    // The console orders dead letters and unknown payloads by receivedAt: those stay indexed.
    expect(exempt('deadLetters')).not.toContain('receivedAt');
    expect(exempt('unknownEvents')).not.toContain('receivedAt');
    // I7 orders userMessages by sendTime.
    expect(exempt('userMessages')).not.toContain('sendTime');
  });

  it('exempts every field docs/console.md lists as exempt', async () => {
    const { exempt } = await firestore();
    expect(exempt('messages')).toEqual(
      expect.arrayContaining([
        'updatedAt',
        'requestHash',
        'revocation.reason',
        'fallback.reason',
        'fallback.text',
        'escalation.reason',
        'escalation.text',
      ]),
    );
    for (const c of ['events', 'userMessages', 'userEvents', 'agentEvents', 'unknownEvents']) {
      expect(exempt(c), c).toContain('payload');
    }
    expect(exempt('deadLetters')).toEqual(expect.arrayContaining(['data', 'attributes']));
  });

  it('removes all single-field indexes of an exempted field', async () => {
    const { module } = await firestore();
    const field = resource(module, 'google_firestore_field', 'exempt');
    expect(expression(field.for_each)).toContain('local.index_exemptions');
    expect(block(field, 'index_config')).toEqual({});
    expect(field.ttl_config).toBeUndefined();
  });
});

describe('terraform Firestore creation order', () => {
  const dependsOn = (body: JsonObject) => asArray(body.depends_on ?? []).map((d) => expression(d));

  it('creates the TTL policies, then the exemptions, then the composite indexes, never side by side', async () => {
    const { module } = await firestore();
    const ttl = resource(module, 'google_firestore_field', 'ttl');
    const exempt = resource(module, 'google_firestore_field', 'exempt');
    const composite = resource(module, 'google_firestore_index', 'composite');
    for (const body of [ttl, exempt, composite]) {
      expect(dependsOn(body)).toEqual(expect.arrayContaining(['google_firestore_database.this']));
    }
    expect(dependsOn(exempt)).toContain('google_firestore_field.ttl');
    expect(dependsOn(composite)).toEqual(
      expect.arrayContaining(['google_firestore_field.ttl', 'google_firestore_field.exempt']),
    );
    expect(dependsOn(ttl)).not.toContain('google_firestore_field.exempt');
  });

  it('relies on a provider that retries the 409s index writes answer under contention', async () => {
    const { module } = await firestore();
    // google_firestore_index retries "underlying data changed" and "cross-transaction contention"
    // since 5.9.0, google_firestore_field the first since 5.5.0 (#16329, #16599, #16664).
    const [settings] = module.terraform;
    const providers = asObject(asArray(settings!.required_providers)[0]);
    const minimum = /^>=\s*(\d+)\.(\d+)/.exec(asString(asObject(providers.google).version));
    expect(minimum).not.toBeNull();
    const [major, minor] = [Number(minimum![1]), Number(minimum![2])];
    expect(major > 5 || (major === 5 && minor >= 9)).toBe(true);
    expect(module.files['firestore.tf']).toMatch(/#16329, #16599/);
  });
});

describe('terraform Firestore composite indexes', () => {
  it('declares every index docs/console.md lists, field for field', async () => {
    const { module } = await firestore();
    const documented = documentedIndexes();
    expect(documented.size).toBeGreaterThanOrEqual(17);
    const declared = {
      ...asObject(local(module, 'console_indexes')),
      ...asObject(local(module, 'report_indexes')),
    };
    expect(Object.keys(declared).sort()).toEqual([...documented.keys()].sort());
    for (const [id, spec] of documented) {
      expect(declared[id], id).toEqual({ collection: spec.collection, fields: spec.fields });
    }
  });

  it('backs the operator queries docs/console.md lists', async () => {
    const { module } = await firestore();
    const consoleIndexes = asObject(local(module, 'console_indexes'));
    const fields = Object.values(consoleIndexes).map((i) => asArray(asObject(i).fields).join(', '));
    // "pending and past deadline"
    expect(fields).toContain('status ASC, deadline ASC');
    // "revoked today for agent X"
    expect(fields).toContain('agentId ASC, revocation.state ASC, revocation.confirmedAt ASC');
  });

  it('declares no index twice', async () => {
    const { module } = await firestore();
    const all = Object.values({
      ...asObject(local(module, 'console_indexes')),
      ...asObject(local(module, 'report_indexes')),
    }).map((i) => JSON.stringify(i));
    expect(new Set(all).size).toBe(all.length);
  });

  it('declares the grouped report indexes for each report_group_fields entry', async () => {
    const { module } = await firestore();
    expect(module.variables.report_group_fields!.default).toEqual([
      'agentId',
      'labels.kind',
      'messageTrafficType',
    ]);
    const grouped = expression(local(module, 'report_group_indexes'));
    for (const shape of [
      '["${g} ASC", "createdAt ASC"]',
      '["${g} ASC", "${x} ASC", "createdAt ASC"]',
      '["${g} ASC", "createdAt ASC", "${y} ASC"]',
      '["${g} ASC", "${y} ASC"]',
    ]) {
      expect(grouped).toContain(shape);
    }
    expect(asArray(local(module, 'report_equality_fields'))).toEqual([
      'status',
      'send.state',
      'revocation.state',
      'fallback.state',
      'duplicateDelivery',
      'lateDelivery',
      'escalation.state',
      'escalation.readAfterNudge',
      'capabilityCheck.outcome',
    ]);
    expect(asArray(local(module, 'report_summed_fields'))).toEqual([
      'revocation.attempts',
      'fallback.attempts',
      'send.latencyMs',
      'redrives',
    ]);
  });

  it('quotes label keys that are not simple field names in index field paths', async () => {
    const { module } = await firestore();
    const index = resource(module, 'google_firestore_index', 'composite');
    const dynamic = asObject(asArray(asObject(index.dynamic).fields)[0]);
    const path = expression(block(dynamic, 'content').field_path);
    // Firestore field paths: names other than [A-Za-z_][A-Za-z0-9_]* go in backticks.
    const simple = /can\(regex\("(\^\[A-Za-z_\]\[A-Za-z0-9_\]\*\$)", name\)\) \? name : "`\$\{name\}`"/.exec(
      path,
    );
    expect(simple, path).not.toBeNull();
    const quote = (field: string) =>
      field
        .split('.')
        .map((name) => (new RegExp(simple![1]!).test(name) ? name : `\`${name}\``))
        .join('.');
    expect(quote('labels.kind')).toBe('labels.kind');
    expect(quote('labels.campaign-id')).toBe('labels.`campaign-id`');
    expect(quote('revocation.confirmedAt')).toBe('revocation.confirmedAt');
    expect(path).toContain('split(".", split(" ", fields.value)[0])');
  });

  it('accepts as report_group_fields exactly the label names the messages API accepts', async () => {
    const { module } = await firestore();
    const [validation] = asArray(module.variables.report_group_fields!.validation);
    const condition = expression(asObject(validation).condition);
    // HCL string escapes: "\\." in the .tf file is the regex \.
    const tf = /regex\("(\^labels[^"]*)"/.exec(condition);
    expect(tf, condition).not.toBeNull();
    const tfRegex = new RegExp(tf![1]!.replaceAll('\\\\', '\\'));
    const request = readFileSync(join(repoRoot, 'shared/messages/request.ts'), 'utf8');
    const label = /z\.string\(\)\.regex\(\/(.+?)\/, 'label names/.exec(request);
    expect(label).not.toBeNull();
    const apiRegex = new RegExp(label![1]!);
    for (const key of [
      'kind',
      'campaign-id',
      'A_b-9',
      'x'.repeat(63),
      'x'.repeat(64),
      '0x',
      '-x',
      '_x',
      'a.b',
      'a`b',
      'a b',
      '',
    ]) {
      expect(tfRegex.test(`labels.${key}`), key).toBe(apiRegex.test(key));
    }
  });

  it('creates each index from its "field ASC|DESC" list', async () => {
    const { module } = await firestore();
    const index = resource(module, 'google_firestore_index', 'composite');
    expect(expression(index.for_each)).toBe('local.composite_indexes');
    expect(index.query_scope).toBe('COLLECTION');
    expect(expression(local(module, 'composite_indexes'))).toBe(
      'merge(local.console_indexes, local.report_indexes, local.report_group_indexes)',
    );
  });
});

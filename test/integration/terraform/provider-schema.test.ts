// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform expressions, "${...}" is HCL interpolation.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asArray,
  asObject,
  type JsonObject,
  loadModule,
  type TerraformModule,
  terraformDir,
} from '../../helpers/terraform.ts';
import {
  checkModule,
  expressionCode,
  loadProviderSchema,
  traversals,
} from '../../helpers/terraform-schema.ts';

// The module against the schemas of the providers it pins (google 6.x, time),
// read from test/fixtures/terraform-provider-schema.json: `npm run
// terraform:schema` regenerates it from the cdktf prebuilt provider packages.

const schema = loadProviderSchema();
const exampleDir = join(terraformDir, 'examples/minimal');

let root: TerraformModule;
let example: TerraformModule;
let modules: Map<string, TerraformModule>;

beforeAll(async () => {
  root = await loadModule();
  example = await loadModule(exampleDir);
  modules = new Map([
    [root.dir, root],
    [example.dir, example],
  ]);
});

/** Findings for a copy of the root module (or the example) changed by `plant`. */
function findingsWith(
  plant: (module: TerraformModule) => void,
  which: 'root' | 'example' = 'root',
): string[] {
  const copy = structuredClone(which === 'root' ? root : example);
  plant(copy);
  const called = new Map(modules);
  called.set(copy.dir, copy);
  return checkModule(copy, schema, called);
}

/** Each expected finding (exact text or pattern) matches exactly one finding, and there are no others. */
function expectFindings(findings: string[], expected: (string | RegExp)[]): void {
  expect(findings, findings.join('\n')).toHaveLength(expected.length);
  for (const e of expected)
    expect(
      findings.filter((f) => (typeof e === 'string' ? f === e : e.test(f))),
      `${e}\nin\n${findings.join('\n')}`,
    ).toHaveLength(1);
}

function body(module: TerraformModule, type: string, name: string): JsonObject {
  const found = module.resources[type]?.[name];
  if (!found) throw new Error(`the module has no ${type}.${name} any more: update this test`);
  return found;
}

function firstBlock(parent: JsonObject, name: string): JsonObject {
  return asObject(asArray(parent[name], name)[0] ?? null, name);
}

describe('terraform module against the provider schemas', () => {
  it('has a schema for exactly the types the .tf files use (else run `npm run terraform:schema`)', async () => {
    const found: TerraformModule[] = [];
    const walk = async (dir: string) => {
      if (readdirSync(dir).some((f) => f.endsWith('.tf'))) found.push(await loadModule(dir));
      for (const entry of readdirSync(dir).sort())
        if (!entry.startsWith('.') && statSync(join(dir, entry)).isDirectory()) await walk(join(dir, entry));
    };
    await walk(terraformDir);
    const resources = [...new Set(found.flatMap((m) => Object.keys(m.resources)))].sort();
    const data = [...new Set(found.flatMap((m) => Object.keys(m.data)))].sort();
    expect(Object.keys(schema.resource_schemas).sort(), 'resource types').toEqual(resources);
    expect(Object.keys(schema.data_source_schemas).sort(), 'data source types').toEqual(data);
    for (const [type, { provider }] of [
      ...Object.entries(schema.resource_schemas),
      ...Object.entries(schema.data_source_schemas),
    ])
      expect(schema.providers[provider], type).toBeDefined();
    expect(schema.providers.google?.version).toMatch(/^6\./);
  });

  it('finds nothing wrong in terraform/', () => {
    expect(checkModule(root, schema, modules)).toEqual([]);
  });

  it('finds nothing wrong in terraform/examples/minimal, which calls the module', () => {
    expect(Object.keys(example.modules)).toContain('rbm_lifecycle');
    expect(checkModule(example, schema, modules)).toEqual([]);
  });
});

describe('terraform schema checker', () => {
  it('reads references out of templates, nested quoted templates included', () => {
    const code = expressionCode(
      'a ${coalesce(var.x, "${local.y}-z")} b %{ if data.t_u.n.id != "" }c%{ endif }$${var.not}',
    );
    expect(
      traversals(code)
        .filter((t) => t.steps.length)
        .map((t) => t.text),
    ).toEqual(['var.x', 'local.y', 'data.t_u.n.id']);
    const [sched] = traversals(expressionCode('${google_x.fn["sweep"].service_config[0].uri}'));
    expect(sched?.steps).toEqual([
      { attr: 'fn' },
      { index: '""' },
      { attr: 'service_config' },
      { index: '0' },
      { attr: 'uri' },
    ]);
  });

  it('reports an unknown resource type', () => {
    const findings = findingsWith((m) => {
      m.resources.google_storage_buckett = { extra: { name: 'b', location: 'US' } };
    });
    expectFindings(findings, [
      /google_storage_buckett\.extra: unknown resource type "google_storage_buckett"/,
    ]);
  });

  it('reports an unknown data source type', () => {
    const findings = findingsWith((m) => {
      m.data.google_projects = { p: {} };
    });
    expectFindings(findings, [/data\.google_projects\.p: unknown data source type/]);
  });

  it('reports an unknown argument, at the top and in a nested block, naming file, resource and path', () => {
    const findings = findingsWith((m) => {
      body(m, 'google_storage_bucket', 'source').uniform_bucket_access = true;
      const fn = body(m, 'google_cloudfunctions2_function', 'fn');
      firstBlock(firstBlock(fn, 'build_config'), 'source').storage_bucket = [{}];
    });
    expectFindings(findings, [
      /^terraform\/source\.tf: google_storage_bucket\.source: uniform_bucket_access: unknown argument "uniform_bucket_access" \(did you mean "uniform_bucket_level_access"\?\)$/,
      /^terraform\/functions\.tf: google_cloudfunctions2_function\.fn: build_config\[0\]\.source\[0\]\.storage_bucket: unknown argument "storage_bucket" \(did you mean "storage_source"\?\)/,
    ]);
  });

  it('reports a missing required argument and a missing required block, and counts a dynamic block', () => {
    const findings = findingsWith((m) => {
      delete body(m, 'google_storage_bucket', 'source').location;
      body(m, 'google_cloud_tasks_queue', 'queue').name = null;
      const index = body(m, 'google_firestore_index', 'composite');
      expect(asObject(index.dynamic).fields).toBeDefined(); // present as a dynamic block only: no finding
    });
    expectFindings(findings, [
      'terraform/source.tf: google_storage_bucket.source: location: required argument "location" is not set',
      'terraform/tasks.tf: google_cloud_tasks_queue.queue: name: required argument "name" is not set',
    ]);
    const noFields = findingsWith((m) => {
      delete body(m, 'google_firestore_index', 'composite').dynamic;
    });
    expectFindings(noFields, [
      'terraform/firestore.tf: google_firestore_index.composite: fields: required block "fields" is missing',
    ]);
  });

  it('reports a computed-only attribute that is set', () => {
    const findings = findingsWith((m) => {
      const fn = body(m, 'google_cloudfunctions2_function', 'fn');
      fn.url = 'https://example.com';
      firstBlock(fn, 'service_config').uri = '${var.region}';
    });
    expectFindings(findings, [
      /functions\.tf: google_cloudfunctions2_function\.fn: url: "url" is computed-only/,
      /functions\.tf: google_cloudfunctions2_function\.fn: service_config\[0\]\.uri: "uri" is computed-only/,
    ]);
  });

  it('reports literals of the wrong type, and converts strings the way Terraform does', () => {
    const findings = findingsWith((m) => {
      const bucket = body(m, 'google_storage_bucket', 'source');
      bucket.force_destroy = 'yes'; // bool: only "true"/"false" (and "1"/"0") convert
      bucket.labels = 'team=a'; // map
      bucket.name = { a: 1 }; // string
      bucket.cors = [{ method: 'GET', origin: 5, max_age_seconds: '1h' }]; // list(string), list(string), number
      bucket.requester_pays = 1; // a number never converts to bool
      const queue = body(m, 'google_cloud_tasks_queue', 'queue');
      firstBlock(queue, 'stackdriver_logging_config').sampling_ratio = '0.5'; // converts: fine
      const sched = body(m, 'google_cloud_scheduler_job', 'sweep');
      firstBlock(sched, 'retry_config').retry_count = '3'; // converts: fine
      sched.paused = 'false'; // converts: fine
    });
    expectFindings(findings, [
      'terraform/source.tf: google_storage_bucket.source: name: expected a string, got an object',
      'terraform/source.tf: google_storage_bucket.source: force_destroy: expected a bool, got a string ("yes")',
      'terraform/source.tf: google_storage_bucket.source: labels: expected map(string), got a string ("team=a")',
      'terraform/source.tf: google_storage_bucket.source: cors[0].max_age_seconds: expected a number, got a string ("1h")',
      'terraform/source.tf: google_storage_bucket.source: cors[0].method: expected list(string), got a string ("GET")',
      'terraform/source.tf: google_storage_bucket.source: requester_pays: expected a bool, got a number (1)',
      'terraform/source.tf: google_storage_bucket.source: cors[0].origin: expected list(string), got a number (5)',
    ]);
  });

  it('reports a block of at most one given twice, and a block written as an argument', () => {
    const findings = findingsWith((m) => {
      const sched = body(m, 'google_cloud_scheduler_job', 'sweep');
      asArray(sched.retry_config).push({ retry_count: 1 });
      body(m, 'google_firestore_field', 'exempt').index_config = {};
    });
    expectFindings(findings, [
      'terraform/firestore.tf: google_firestore_field.exempt: index_config: "index_config" is a block: write index_config { ... }, not index_config = an object',
      'terraform/scheduler.tf: google_cloud_scheduler_job.sweep: retry_config: block "retry_config" is given 2 times; at most 1 allowed',
    ]);
  });

  it('reports references to undeclared variables, locals, resources, data sources and modules', () => {
    const findings = findingsWith((m) => {
      const bucket = body(m, 'google_storage_bucket', 'source');
      bucket.location = '${var.regoin}';
      bucket.name = '${local.bucket_nam}-x';
      bucket.project = '${google_service_account.nobody.project}';
      bucket.storage_class = '${google_storage_buckets.source.name}';
      bucket.rpo = '${data.google_project.other.number}';
      bucket.force_destroy = '${module.nothing.x}';
    });
    expectFindings(findings, [
      'terraform/source.tf: google_storage_bucket.source: module.nothing.x: no module "nothing" is declared',
      'terraform/source.tf: google_storage_bucket.source: var.regoin: no variable "regoin" is declared',
      'terraform/source.tf: google_storage_bucket.source: local.bucket_nam: no local value "bucket_nam" is declared',
      'terraform/source.tf: google_storage_bucket.source: google_service_account.nobody.project: no resource "google_service_account" "nobody" is declared',
      'terraform/source.tf: google_storage_bucket.source: data.google_project.other.number: no data "google_project" "other" is declared',
      'terraform/source.tf: google_storage_bucket.source: google_storage_buckets.source.name: no resource "google_storage_buckets" "source" is declared',
    ]);
  });

  it('checks the references in locals, outputs and variable validations too', () => {
    const findings = findingsWith((m) => {
      expect(m.locals.source_manifest, 'local.source_manifest (update this test if it moved)').toBeDefined();
      m.locals.source_manifest = '${trimsuffix(local.source_archiv, ".zip")}.json';
      const [output] = Object.keys(m.outputs);
      asObject(m.outputs[output!]).value = '${google_storage_bucket.source.urll}';
      const validation = asObject(asArray(asObject(m.variables.iam_propagation_wait).validation)[0] ?? null);
      validation.condition = '${can(regex("^[0-9]+s$", var.iam_propagation_wiat))}';
    });
    expectFindings(findings, [
      /^terraform\/source\.tf: local\.source_manifest: local\.source_archiv: no local value "source_archiv" is declared$/,
      /^terraform\/outputs\.tf: output\.\w+: google_storage_bucket\.source\.urll: google_storage_bucket\.source has no attribute or block "urll"/,
      'terraform/variables.tf: variable.iam_propagation_wait: var.iam_propagation_wiat: no variable "iam_propagation_wiat" is declared',
    ]);
  });

  it('reports unknown attributes of resources and data sources, first step and nested, and instance-key mistakes', () => {
    const findings = findingsWith((m) => {
      const object = body(m, 'google_storage_bucket_object', 'source');
      object.bucket = '${google_storage_bucket.source.nmae}';
      object.content_type = '${data.google_project.this.numbr}';
      const sched = body(m, 'google_cloud_scheduler_job', 'sweep');
      firstBlock(sched, 'http_target').uri =
        '${google_cloudfunctions2_function.fn["sweep"].service_config[0].url}';
      sched.description = '${google_cloudfunctions2_function.fn["sweep"].service_config.uri}';
      sched.region = '${google_service_account.scheduler[0].email}';
      sched.project = '${google_service_account.fn.email}';
    });
    const dataProject = Object.keys(root.data.google_project ?? {});
    expect(dataProject, 'data "google_project" "this" (update this test if it was renamed)').toContain(
      'this',
    );
    expectFindings(findings, [
      /^terraform\/scheduler\.tf: google_cloud_scheduler_job\.sweep: google_cloudfunctions2_function\.fn\[""\]\.service_config\.uri: google_cloudfunctions2_function\.fn\.service_config is a list of blocks: index it/,
      'terraform/scheduler.tf: google_cloud_scheduler_job.sweep: google_service_account.fn.email: google_service_account.fn has for_each: its attributes need an instance key (google_service_account.fn[...].email)',
      'terraform/scheduler.tf: google_cloud_scheduler_job.sweep: google_service_account.scheduler[0].email: google_service_account.scheduler has no count or for_each, so it takes no instance key',
      /^terraform\/scheduler\.tf: google_cloud_scheduler_job\.sweep: google_cloudfunctions2_function\.fn\[""\]\.service_config\[0\]\.url: google_cloudfunctions2_function\.fn\.service_config has no attribute or block "url" \(it has .*\buri\b/,
      /^terraform\/source\.tf: google_storage_bucket_object\.source: google_storage_bucket\.source\.nmae: google_storage_bucket\.source has no attribute or block "nmae"/,
      /^terraform\/source\.tf: google_storage_bucket_object\.source: data\.google_project\.this\.numbr: data\.google_project\.this has no attribute or block "numbr" \(it has .*\bnumber\b/,
    ]);
  });

  it('reports a module call with an unknown variable, a missing required variable, and an unknown output', () => {
    const findings = findingsWith((m) => {
      const call = asObject(m.modules.rbm_lifecycle);
      call.regoin = '${var.region}';
      delete call.project_id;
      asObject(m.outputs.webhook_url).value = '${module.rbm_lifecycle.webhook_uri}';
    }, 'example');
    expectFindings(findings, [
      'terraform/examples/minimal/main.tf: module.rbm_lifecycle: regoin: the module at terraform declares no variable "regoin"',
      'terraform/examples/minimal/main.tf: module.rbm_lifecycle: project_id: required variable "project_id" of the module at terraform is not set (it has no default)',
      'terraform/examples/minimal/main.tf: output.webhook_url: module.rbm_lifecycle.webhook_uri: the module at terraform has no output "webhook_uri"',
    ]);
  });
});

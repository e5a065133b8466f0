// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform expressions, "${...}" is HCL interpolation.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  asArray,
  asObject,
  asString,
  expression,
  loadModule,
  terraformDir,
} from '../../helpers/terraform.ts';

// The module's shape, terraform-google-modules style: typed, described inputs;
// described outputs; pinned versions; a runnable example that calls the module.

const root = () => loadModule();
const example = () => loadModule(join(terraformDir, 'examples/minimal'));

describe('terraform module layout', () => {
  it('parses every .tf file with HashiCorp HCL and has the standard files', async () => {
    const module = await root();
    const files = Object.keys(module.files);
    expect(files).toEqual(expect.arrayContaining(['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']));
    expect(files).toEqual(
      readdirSync(terraformDir)
        .filter((f) => f.endsWith('.tf'))
        .sort(),
    );
  });

  it('declares no provider block (the caller configures providers) and pins versions', async () => {
    const module = await root();
    expect(module.providers).toEqual({});
    const [settings] = module.terraform;
    expect(module.terraform).toHaveLength(1);
    expect(asString(settings!.required_version)).toMatch(/^>= ?1\.([5-9]|\d\d)/);
    const providers = asObject(asArray(settings!.required_providers)[0], 'required_providers');
    expect(asObject(providers.google).source).toBe('hashicorp/google');
    expect(asString(asObject(providers.google).version)).toMatch(/< ?8/);
    // The archive is built by `npm run package`, not by the archive provider.
    expect(providers.archive).toBeUndefined();
  });
});

describe.each([
  ['the module', root],
  ['examples/minimal', example],
])('%s: inputs and outputs', (_name, load) => {
  it('gives every variable a type and a description', async () => {
    const module = await load();
    expect(Object.keys(module.variables).length).toBeGreaterThan(0);
    for (const [name, variable] of Object.entries(module.variables)) {
      expect(variable.type, `variable ${name} has no type`).toBeDefined();
      expect(asString(variable.description, `variable ${name}`).trim().length, name).toBeGreaterThan(10);
    }
  });

  it('gives every output a description', async () => {
    const module = await load();
    expect(Object.keys(module.outputs).length).toBeGreaterThan(0);
    for (const [name, output] of Object.entries(module.outputs)) {
      expect(asString(output.description, `output ${name}`).trim().length, name).toBeGreaterThan(10);
    }
  });
});

describe('terraform outputs', () => {
  it('exposes the webhook URL to register, the messages URL, the queues and the service accounts', async () => {
    const { outputs } = await root();
    expect(expression(outputs.webhook_url!.value)).toBe(
      'google_cloudfunctions2_function.fn["webhook"].service_config[0].uri',
    );
    expect(asString(outputs.webhook_url!.description)).toMatch(/RBM Developer Console/);
    expect(expression(outputs.messages_url!.value)).toBe(
      'google_cloudfunctions2_function.fn["messages"].service_config[0].uri',
    );
    expect(expression(outputs.queues!.value)).toContain('google_cloud_tasks_queue.queue');
    for (const name of ['function_service_accounts', 'tasks_service_account', 'scheduler_service_account']) {
      expect(outputs, name).toHaveProperty(name);
    }
  });
});

describe('terraform variables', () => {
  it('validates the inputs whose bad values would only fail at deploy or at cold start', async () => {
    const { variables } = await root();
    for (const name of [
      'project_id',
      'name_prefix',
      'rbm_region',
      'sms_provider',
      'secrets',
      'messages_invokers',
      'queue_retry',
      'queue_rate_limits',
      'retention_days',
      'sweep_bound_seconds',
      'function_settings',
      'firestore',
    ]) {
      expect(variables[name]?.validation, `variable ${name} has no validation`).toBeDefined();
    }
  });

  it('takes secrets as Secret Manager ids, never as values', async () => {
    const { variables, resources } = await root();
    const type = expression(variables.secrets!.type);
    expect(type).toMatch(
      /rbm_client_token\s+= object\(\{ secret = string, version = optional\(string, "latest"\) \}\)/,
    );
    expect(type).not.toMatch(/value|data/);
    // No resource writes a secret version: no secret value can reach the state.
    expect(resources.google_secret_manager_secret_version).toBeUndefined();
    for (const [name, variable] of Object.entries(variables)) {
      expect(variable.sensitive, `variable ${name} should not carry a secret value`).toBeUndefined();
    }
  });

  it('types the queue retry policy as an object with optional() defaults', async () => {
    const { variables } = await root();
    const type = expression(variables.queue_retry!.type);
    expect(type).toMatch(/revoke\s+= optional\(object\(\{/);
    expect(type).toMatch(/max_attempts\s+= optional\(number, 10\)/);
    expect(type).toMatch(/fallback = optional\(object\(\{/);
  });

  it('maps rbm_region to the documented RBM hosts', async () => {
    const module = await root();
    expect(module.variables.rbm_region!.default).toBe('global');
    const base = expression(module.locals.rbm_api_base_url);
    expect(base).toContain('"https://rcsbusinessmessaging.googleapis.com"');
    expect(base).toContain('"https://${var.rbm_region}-rcsbusinessmessaging.googleapis.com"');
  });
});

describe('terraform APIs', () => {
  it('enables every API the module calls, Cloud Resource Manager included', async () => {
    const module = await root();
    const services = asArray(module.locals.services).map((s) => asString(s));
    // data.google_project (projects.get) and google_project_iam_member (get/setIamPolicy).
    expect(Object.keys(module.data.google_project ?? {})).toEqual(['this']);
    expect(Object.keys(module.resources.google_project_iam_member ?? {}).length).toBeGreaterThan(0);
    expect(services).toContain('cloudresourcemanager.googleapis.com');
    for (const api of [
      'cloudfunctions.googleapis.com',
      'cloudbuild.googleapis.com',
      'run.googleapis.com',
      'artifactregistry.googleapis.com',
      'cloudtasks.googleapis.com',
      'cloudscheduler.googleapis.com',
      'firestore.googleapis.com',
      'iam.googleapis.com',
      'secretmanager.googleapis.com',
      'storage.googleapis.com',
    ]) {
      expect(services, api).toContain(api);
    }
    // The data source is read at plan time, before any API is enabled: the comment says so.
    expect(module.files['main.tf']).toMatch(/read during plan, before anything here is enabled/);
  });
});

describe('examples/minimal', () => {
  it('calls the module from ../.. with every required input', async () => {
    const [module, ex] = await Promise.all([root(), example()]);
    const calls = Object.values(ex.modules);
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.source).toBe('../..');
    const required = Object.entries(module.variables)
      .filter(([, v]) => !('default' in v))
      .map(([name]) => name);
    expect(required.sort()).toEqual(['agent_id', 'project_id', 'secrets', 'sms_provider']);
    for (const name of required) expect(call, `example does not set ${name}`).toHaveProperty(name);
    for (const name of Object.keys(call).filter((k) => k !== 'source')) {
      expect(module.variables, `example sets unknown input ${name}`).toHaveProperty(name);
    }
  });

  it('configures the google provider and re-exports the URLs to register', async () => {
    const ex = await example();
    expect(expression(ex.providers.google?.project)).toBe('var.project_id');
    expect(expression(ex.outputs.webhook_url!.value)).toMatch(/^module\.\w+\.webhook_url$/);
    expect(expression(ex.outputs.messages_url!.value)).toMatch(/^module\.\w+\.messages_url$/);
  });
});

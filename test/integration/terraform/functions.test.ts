// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform expressions, "${...}" is HCL interpolation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepRetry } from '../../../local/stack/sweep-schedule.ts';
import { loadConfig } from '../../../shared/config/index.ts';
import { configSections, type SectionName, secretNames } from '../../../shared/config/schema.ts';
import {
  asArray,
  asObject,
  asString,
  block,
  dynamicBlock,
  expression,
  type JsonObject,
  loadModule,
  local,
  namesIn,
  repoRoot,
  resource,
} from '../../helpers/terraform.ts';

// The six functions as Terraform deploys them, checked against what the code
// and docs/configuration.md say each one needs.

const functionNames = ['webhook', 'messages', 'revoke', 'fallback', 'sweep', 'outcomes'] as const;
type FunctionName = (typeof functionNames)[number];

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

/** createRuntime('<name>', [...sections]) in functions/<name>/index.ts, plus core. */
function codeSections(name: FunctionName): string[] {
  const match = /createRuntime\('(\w+)', \[([^\]]*)\]\)/.exec(read(`functions/${name}/index.ts`));
  if (!match) throw new Error(`functions/${name}/index.ts: no createRuntime call`);
  expect(match[1]).toBe(name);
  return ['core', ...[...match[2]!.matchAll(/'(\w+)'/g)].map((m) => m[1]!)];
}

/** docs/configuration.md: the section table ("used by") and the variable table. */
function documentedConfig() {
  const doc = read('docs/configuration.md');
  const rows = doc
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  const usedBy = new Map<string, string[]>();
  const variables: Array<{ names: string[]; section: string; required: boolean; secret: boolean }> = [];
  for (const cells of rows) {
    if (cells.length === 2 && cells[0] !== 'section') {
      const users = cells[1] === 'every function' ? [...functionNames] : cells[1]!.split(/,\s*/);
      usedBy.set(cells[0]!, users);
    } else if (cells.length === 4 && cells[0] !== 'variable') {
      variables.push({
        names: [...cells[0]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!),
        section: cells[1]!,
        required: cells[2] === '(required)',
        secret: cells[3]!.includes('**secret**'),
      });
    }
  }
  return { usedBy, variables };
}

/** Variables with neither a default nor optional() in the zod schema. */
function requiredBySchema(section: SectionName): string[] {
  const shape = configSections[section].shape as Record<
    string,
    { safeParse(v: unknown): { success: boolean } }
  >;
  return Object.keys(shape).filter((key) => !shape[key]!.safeParse(undefined).success);
}

async function deployed() {
  const module = await loadModule();
  const functions = asObject(local(module, 'functions'), 'local.functions');
  const envBySection = asObject(local(module, 'env_by_section'), 'local.env_by_section');
  const secretRefs = asObject(local(module, 'secret_refs'), 'local.secret_refs');
  const fn = (name: string) => asObject(functions[name], `local.functions.${name}`);
  const sections = (name: string) => asArray(fn(name).sections).map((s) => asString(s));
  const plainEnv = (name: string) =>
    Object.fromEntries(
      sections(name).flatMap((s) => Object.entries(asObject(envBySection[s], `env_by_section.${s}`))),
    );
  const secretEnv = (name: string) => namesIn(fn(name).secrets);
  return { module, functions, envBySection, secretRefs, fn, sections, plainEnv, secretEnv };
}

// A plausible value for every variable Terraform may set, to prove the schema
// accepts the set of names each function receives.
const placeholders: Record<string, string> = {
  GOOGLE_CLOUD_PROJECT: 'my-project',
  FIRESTORE_DATABASE: '(default)',
  LOG_LEVEL: 'info',
  RETENTION_DAYS: '90',
  RBM_AGENT_ID: 'my-agent',
  RBM_API_BASE_URL: 'https://rcsbusinessmessaging.googleapis.com',
  RBM_TIMEOUT_MS: '10000',
  RBM_SERVICE_ACCOUNT_KEY: JSON.stringify({
    client_email: 'rbm@p.iam.gserviceaccount.com',
    private_key: 'k',
  }),
  CAPABILITY_CHECK: 'off',
  CAPABILITY_CHECK_TIMEOUT_MS: '2000',
  RBM_REGIONAL_BASE_URL_TEMPLATE: 'https://{region}-rcsbusinessmessaging.googleapis.com',
  RBM_REGION_BY_CALLING_CODE: '',
  RBM_CLIENT_TOKEN: 'client-token',
  RBM_CLIENT_TOKEN_PREVIOUS: 'previous-token',
  WEBHOOK_MAX_BODY_BYTES: '1048576',
  WEBHOOK_READ_RECEIPTS: 'false',
  TASKS_LOCATION: 'us-central1',
  REVOKE_QUEUE: 'rbm-revoke',
  FALLBACK_QUEUE: 'rbm-fallback',
  QUEUE_SHARDS: '1',
  REVOKE_URL: 'https://rbm-revoke-123456789012.us-central1.run.app',
  FALLBACK_URL: 'https://rbm-fallback-123456789012.us-central1.run.app',
  TASKS_SERVICE_ACCOUNT: 'rbm-tasks-invoker@my-project.iam.gserviceaccount.com',
  REVOKE_MAX_ATTEMPTS: '10',
  FALLBACK_MAX_ATTEMPTS: '10',
  SMS_PROVIDER: 'http',
  SMS_TIMEOUT_MS: '10000',
  SMS_HTTP_URL: 'https://sms.example.com/v1/messages',
  SMS_HTTP_SECRET: 'hmac-secret',
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'twilio-token',
  TWILIO_FROM: '+15550001111',
  TWILIO_MESSAGING_SERVICE_SID: `MG${'b'.repeat(32)}`,
  TWILIO_BASE_URL: 'https://api.twilio.com',
  SWEEP_BOUND_SECONDS: '300',
  SWEEP_BATCH_SIZE: '200',
  OUTCOME_PUSH: 'true',
  OUTCOME_CALLBACK_URL: 'https://business.example/rbm/outcomes',
  OUTCOME_SIGNING_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
  OUTCOME_TIMEOUT_MS: '10000',
  OUTCOME_MAX_ATTEMPTS: '20',
  OUTCOME_MAX_AGE_HOURS: '24',
  OUTCOME_REDRIVE_SECONDS: '600',
  OUTCOME_PUBSUB_TOPIC: 'projects/my-project/topics/rbm-outcomes',
  INGESTION_LAG_TOLERANCE_SECONDS: '10',
  INGESTION_ACTIVE_WITHIN_SECONDS: '30',
  INGESTION_RECHECK_SECONDS: '10',
  INGESTION_MAX_DEFER_SECONDS: '300',
};

describe('terraform functions', () => {
  it('deploys the six entry points of functions/index.ts, one resource per entry point', async () => {
    const { module, functions } = await deployed();
    const index = read('functions/index.ts');
    const registered = [...index.matchAll(/^\s+(\w+): \(\) => import\('\.\/(\w+)\/index\.ts'\)/gm)].map(
      (m) => m[1],
    );
    expect([...registered].sort()).toEqual([...functionNames].sort());
    expect(Object.keys(functions).sort()).toEqual([...functionNames].sort());
    for (const name of functionNames) {
      // The outcomes function is an Eventarc (CloudEvent) target; the others are HTTP.
      const kind = name === 'outcomes' ? 'cloudEvent' : 'http';
      expect(read(`functions/${name}/index.ts`)).toMatch(new RegExp(`ff\\.${kind}\\(\\s*'${name}'`));
    }

    expect(Object.keys(module.resources.google_cloudfunctions2_function ?? {})).toEqual(['fn']);
    const fn = resource(module, 'google_cloudfunctions2_function', 'fn');
    expect(expression(fn.for_each)).toBe('local.functions');
    // FUNCTION_TARGET is the entry point, which functions/index.ts uses to load one function.
    expect(expression(block(fn, 'build_config').entry_point)).toBe('each.key');
  });

  it('runs every function on nodejs24, the newest GA runtime (docs/deploy.md)', async () => {
    const { module } = await deployed();
    const build = block(resource(module, 'google_cloudfunctions2_function', 'fn'), 'build_config');
    expect(build.runtime).toBe('nodejs24');
    expect(Object.values(module.files).join('\n')).not.toMatch(/nodejs(1\d|2[0-3])\b/);
  });

  it('builds all six from the one content-addressed source archive', async () => {
    const { module } = await deployed();
    const storage = block(
      block(block(resource(module, 'google_cloudfunctions2_function', 'fn'), 'build_config'), 'source'),
      'storage_source',
    );
    expect(expression(storage.object)).toBe('google_storage_bucket_object.source.name');
    const object = resource(module, 'google_storage_bucket_object', 'source');
    expect(asString(object.name)).toContain('filesha256(local.source_archive)');
    expect(expression(object.source)).toBe('local.source_archive');
  });

  it('gives each function exactly the config sections it loads, as docs/configuration.md says', async () => {
    const { sections } = await deployed();
    const { usedBy } = documentedConfig();
    for (const name of functionNames) {
      expect(sections(name), name).toEqual(codeSections(name));
      const documented = [...usedBy].filter(([, users]) => users.includes(name)).map(([s]) => s);
      expect([...sections(name)].sort(), `${name} per docs/configuration.md`).toEqual(documented.sort());
    }
  });

  it('sets every variable a function needs, plain or from Secret Manager, and only known ones', async () => {
    const { sections, plainEnv, secretEnv } = await deployed();
    const { variables } = documentedConfig();
    for (const name of functionNames) {
      const given = new Set([...Object.keys(plainEnv(name)), ...secretEnv(name)]);
      const mine = sections(name);
      for (const section of mine) {
        for (const variable of requiredBySchema(section as SectionName)) {
          expect(given.has(variable), `${name} lacks required ${variable}`).toBe(true);
        }
      }
      for (const doc of variables.filter((v) => v.required && mine.includes(v.section))) {
        for (const variable of doc.names) expect(given.has(variable), `${name} lacks ${variable}`).toBe(true);
      }
      const known = new Set(mine.flatMap((s) => Object.keys(configSections[s as SectionName].shape)));
      for (const variable of given)
        expect(known.has(variable), `${name} gets unknown ${variable}`).toBe(true);
    }
  });

  it('hands each function an environment its config schema accepts (per SMS provider)', async () => {
    const { sections, plainEnv, secretEnv } = await deployed();
    for (const provider of ['http', 'twilio']) {
      const notMine = provider === 'http' ? /^TWILIO_/ : /^SMS_HTTP_/;
      for (const name of functionNames) {
        const env: Record<string, string> = { SMS_PROVIDER: provider };
        for (const key of [...Object.keys(plainEnv(name)), ...secretEnv(name)]) {
          if (notMine.test(key) || key === 'SMS_PROVIDER') continue;
          const value = placeholders[key];
          if (value === undefined) throw new Error(`no placeholder for ${key}`);
          env[key] = value;
        }
        expect(
          () => loadConfig(sections(name) as SectionName[], env),
          `${name} with ${provider}`,
        ).not.toThrow();
      }
    }
  });

  it('keeps every secret out of the plain environment', async () => {
    const { module, envBySection, secretRefs, secretEnv } = await deployed();
    const { variables } = documentedConfig();
    // Every secret of the schema but the sandbox-only RBM_ACCESS_TOKEN is documented as one.
    const documentedSecrets = new Set(variables.filter((v) => v.secret).flatMap((v) => v.names));
    for (const secret of secretNames) {
      if (secret !== 'RBM_ACCESS_TOKEN') expect(documentedSecrets.has(secret), secret).toBe(true);
    }

    for (const [section, env] of Object.entries(envBySection)) {
      for (const key of Object.keys(asObject(env))) {
        expect(secretNames.has(key), `${key} is a secret but is in env_by_section.${section}`).toBe(false);
      }
    }
    // Every mounted secret is a schema secret, and each has a Secret Manager reference.
    for (const name of functionNames) {
      for (const key of secretEnv(name)) {
        expect(secretNames.has(key), key).toBe(true);
        expect(secretRefs).toHaveProperty(key);
      }
    }
    // RBM_ACCESS_TOKEN is for the local sandbox only: never deployed.
    expect(Object.values(module.files).join('\n')).not.toContain('RBM_ACCESS_TOKEN');
    expect(Object.values(module.files).join('\n')).not.toContain('TASKS_EMULATOR_HOST');

    const config = block(resource(module, 'google_cloudfunctions2_function', 'fn'), 'service_config');
    const envExpr = expression(config.environment_variables);
    expect(envExpr).toContain('local.env_by_section[section]');
    expect(envExpr).not.toMatch(/secret/i);
    const secrets = dynamicBlock(config, 'secret_environment_variables');
    expect(secrets.forEach).toContain('local.secret_refs[key]');
    expect(expression(secrets.content.secret)).toBe('secret_environment_variables.value.secret');
    expect(expression(secrets.content.version)).toBe('secret_environment_variables.value.version');
    expect(config.secret_volumes).toBeUndefined();
  });

  it('mounts for each function only secrets of the sections it loads', async () => {
    const { sections, secretEnv, fn } = await deployed();
    const shapes = (name: FunctionName) =>
      new Set(sections(name).flatMap((s) => Object.keys(configSections[s as SectionName].shape)));
    for (const name of functionNames) {
      for (const key of secretEnv(name)) expect(shapes(name).has(key), `${name} mounts ${key}`).toBe(true);
    }
    expect(secretEnv('sweep')).toEqual(['OUTCOME_SIGNING_SECRET']);
    expect(secretEnv('outcomes')).toEqual(['OUTCOME_SIGNING_SECRET']);
    expect(secretEnv('fallback').sort()).toEqual(['SMS_HTTP_SECRET', 'TWILIO_AUTH_TOKEN']);
    // The public webhook holds the RBM key only when it sends READ receipts.
    const webhook = expression(fn('webhook').secrets);
    expect(webhook).toMatch(/var\.webhook_read_receipts \? \["RBM_SERVICE_ACCOUNT_KEY"\] : \[\]/);
  });

  it('points REVOKE_URL and FALLBACK_URL at predictable URLs, not at the function resources (no cycle)', async () => {
    const { module, envBySection } = await deployed();
    const tasks = asObject(envBySection.tasks);
    expect(expression(tasks.REVOKE_URL)).toBe('local.function_urls.revoke');
    expect(expression(tasks.FALLBACK_URL)).toBe('local.function_urls.fallback');
    const urls = expression(local(module, 'function_urls'));
    expect(urls).toContain('https://${service}-${data.google_project.this.number}.${var.region}.run.app');
    expect(urls).not.toContain('google_cloudfunctions2_function');
    // Nothing the functions' configuration reads may depend on the functions themselves.
    for (const name of ['env_by_section', 'secret_refs', 'functions', 'function_urls', 'service_names']) {
      expect(JSON.stringify(local(module, name)), name).not.toContain('google_cloudfunctions2_function');
    }
  });
});

describe('terraform function environment at plan time', () => {
  /** Names of the locals an expression reads, e.g. local.queues.revoke.name -> queues. */
  const localsIn = (text: string) => [...text.matchAll(/\blocal\.(\w+)/g)].map((m) => m[1]!);

  it('builds every environment value from inputs, locals and data sources, never from a resource attribute', async () => {
    const { module } = await deployed();
    // Everything env_by_section reads, following locals to the end.
    const seen = new Set<string>();
    const pending = ['env_by_section', 'env_unset'];
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const text = JSON.stringify(local(module, name));
      // A managed resource's attribute (google_x.y.attr) is unknown until it exists
      // (hashicorp/terraform-provider-google#18747); data.google_project is read during plan.
      expect(text, `local.${name}`).not.toMatch(/(?<!data\.)\bgoogle_[a-z0-9_]+\.[a-z0-9_]+/);
      pending.push(...localsIn(text));
    }
    expect(seen).toContain('function_urls');
    expect(seen).toContain('tasks_account_email');
  });

  it('computes the tasks service account email from the same account_id the account is created with', async () => {
    const { module, envBySection } = await deployed();
    expect(expression(asObject(envBySection.tasks).TASKS_SERVICE_ACCOUNT)).toBe('local.tasks_account_email');
    expect(local(module, 'tasks_account_email')).toBe(
      '${local.tasks_account_id}@${var.project_id}.iam.gserviceaccount.com',
    );
    expect(local(module, 'tasks_account_id')).toBe('${var.name_prefix}-tasks-invoker');
    expect(resource(module, 'google_service_account', 'tasks').account_id).toBe('${local.tasks_account_id}');
  });

  it('filters the environment by key against a list computed from inputs, never by value', async () => {
    const { module, envBySection } = await deployed();
    const config = block(resource(module, 'google_cloudfunctions2_function', 'fn'), 'service_config');
    const env = expression(config.environment_variables);
    expect(env).toContain('if !contains(local.env_unset, key)');
    expect(env).not.toMatch(/value\s*!=\s*null/);
    // env_unset looks at the sms section only, whose values all come from variables.
    const unset = expression(local(module, 'env_unset'));
    expect(unset).toContain('[for key, value in local.env_by_section.sms : key if value == null]');
    // And the deployment's callback URL when none is given (messages may name their own).
    expect(unset).toContain('var.outcomes.callback_url == "" ? ["OUTCOME_CALLBACK_URL"] : []');
    // And the topic unless outcome push publishes to one.
    expect(unset).toContain('var.outcomes.enabled && var.outcomes.pubsub ? [] : ["OUTCOME_PUBSUB_TOPIC"]');
    for (const value of Object.values(asObject(envBySection.sms))) {
      expect(expression(value)).not.toMatch(/\blocal\.|\bgoogle_|\bdata\./);
    }
    // No other section has a null to leave out.
    for (const [section, values] of Object.entries(envBySection)) {
      if (section === 'sms') continue;
      expect(JSON.stringify(values), section).not.toMatch(/\bnull\b/);
    }
  });
});

describe('terraform invokers and ingress', () => {
  async function invokers() {
    const { module } = await deployed();
    return { module, invokers: asObject(local(module, 'invokers')) };
  }

  it('makes the webhook public and only the webhook', async () => {
    const { module, invokers: all } = await invokers();
    expect(all.webhook).toEqual({ public: 'allUsers' });
    for (const name of functionNames.filter((n) => n !== 'webhook')) {
      expect(JSON.stringify(all[name])).not.toMatch(/allUsers|allAuthenticatedUsers/);
    }
    // No other IAM grant anywhere in the module goes to the public.
    for (const [type, byName] of Object.entries(module.resources)) {
      for (const [name, body] of Object.entries(byName)) {
        const members = JSON.stringify([body.member, body.members]);
        expect(members, `${type}.${name}`).not.toMatch(/allUsers|allAuthenticatedUsers/);
      }
    }
  });

  it('lets only the right caller invoke each private function', async () => {
    const { module, invokers: all } = await invokers();
    expect(expression(all.messages)).toBe(
      '{ for member in toset(var.messages_invokers) : member => member }',
    );
    expect(all.revoke).toEqual({ tasks: '${google_service_account.tasks.member}' });
    expect(all.fallback).toEqual({ tasks: '${google_service_account.tasks.member}' });
    expect(all.sweep).toEqual({ scheduler: '${google_service_account.scheduler.member}' });
    expect(all.outcomes).toEqual({ eventarc: '${google_service_account.eventarc.member}' });

    const binding = resource(module, 'google_cloud_run_v2_service_iam_member', 'invoker');
    expect(binding.role).toBe('roles/run.invoker');
    expect(expression(binding.for_each)).toContain('local.invokers');
    expect(expression(binding.name)).toBe('google_cloudfunctions2_function.fn[each.value.function].name');
    const validation = JSON.stringify(module.variables.messages_invokers!.validation);
    expect(validation).toContain('serviceAccount|user|group');
  });

  it('keeps the task and scheduler targets off the public network', async () => {
    const { module } = await deployed();
    const functions = asObject(local(module, 'functions'));
    const ingress = (name: string) => asObject(functions[name]).ingress;
    expect(ingress('webhook')).toBe('ALLOW_ALL');
    for (const name of ['revoke', 'fallback', 'sweep', 'outcomes']) {
      expect(expression(ingress(name))).toBe(
        'var.internal_only_task_targets ? "ALLOW_INTERNAL_ONLY" : "ALLOW_ALL"',
      );
    }
    expect(module.variables.internal_only_task_targets!.default).toBe(true);
  });

  it("retries a failed sweep run as the local stack's schedule does", async () => {
    const { module } = await deployed();
    const retry = block(resource(module, 'google_cloud_scheduler_job', 'sweep'), 'retry_config');
    expect({
      retryCount: retry.retry_count,
      minBackoffMs: Number.parseInt(String(retry.min_backoff_duration), 10) * 1000,
      maxBackoffMs: Number.parseInt(String(retry.max_backoff_duration), 10) * 1000,
      maxDoublings: retry.max_doublings,
    }).toEqual(sweepRetry);
    expect(sweepRetry.retryCount).toBeLessThanOrEqual(5); // Scheduler refuses more
  });
});

describe('terraform service accounts and roles', () => {
  it('runs each function as its own service account', async () => {
    const { module } = await deployed();
    const config = block(resource(module, 'google_cloudfunctions2_function', 'fn'), 'service_config');
    expect(expression(config.service_account_email)).toBe('google_service_account.fn[each.key].email');
    expect(expression(resource(module, 'google_service_account', 'fn').for_each)).toBe('local.functions');
  });

  it('grants project-wide only Firestore to the functions (and the documented build and Eventarc roles)', async () => {
    const { module } = await deployed();
    const project = module.resources.google_project_iam_member ?? {};
    expect(Object.keys(project).sort()).toEqual(['build', 'eventarc_receiver', 'firestore_user']);
    // The outcomes trigger's identity receives events; no function's own account gets it.
    expect(project.eventarc_receiver!.role).toBe('roles/eventarc.eventReceiver');
    expect(expression(project.eventarc_receiver!.member)).toBe('google_service_account.eventarc.member');
    const firestore = project.firestore_user!;
    expect(firestore.role).toBe('roles/datastore.user');
    expect(expression(firestore.member)).toBe('google_service_account.fn[each.key].member');
    const build = expression(project.build!.for_each);
    for (const role of [
      'roles/logging.logWriter',
      'roles/artifactregistry.writer',
      'roles/storage.objectAdmin',
    ]) {
      expect(build).toContain(role);
    }
    expect(expression(project.build!.member)).toBe('google_service_account.build[0].member');
  });

  it('lets a function create tasks only if it schedules, and delete them only where it cancels', async () => {
    const { module, fn } = await deployed();
    for (const name of functionNames) {
      const schedules = read(`functions/${name}/index.ts`).includes('lazyScheduler(config)');
      expect(asArray(fn(name).enqueues).length > 0, `${name} enqueues`).toBe(schedules);
    }
    expect(fn('webhook').cancels).toEqual(['revoke']);
    for (const name of ['messages', 'revoke', 'fallback', 'sweep', 'outcomes'])
      expect(fn(name).cancels).toEqual([]);

    const queueIam = expression(resource(module, 'google_cloud_tasks_queue_iam_member', 'function').for_each);
    // Every shard of each kind the function schedules into or cancels in (terraform-binary.test.ts plans it).
    expect(queueIam).toContain('for queue, shard in local.queue_shards');
    expect(queueIam).toContain('if contains(f.enqueues, shard.kind)');
    expect(queueIam).toContain('role = "roles/cloudtasks.enqueuer"');
    expect(queueIam).toContain('if contains(f.cancels, shard.kind)');
    expect(queueIam).toContain('role = "roles/cloudtasks.taskDeleter"');

    const actAs = resource(module, 'google_service_account_iam_member', 'act_as_tasks');
    expect(actAs.role).toBe('roles/iam.serviceAccountUser');
    expect(expression(actAs.service_account_id)).toBe('google_service_account.tasks.name');
    expect(expression(actAs.for_each)).toContain('length(f.enqueues) > 0');
  });

  it('grants each function access only to the secrets it mounts, with the accessor role', async () => {
    const { module } = await deployed();
    const grants = expression(local(module, 'secret_grants'));
    expect(grants).toContain('for key in f.secrets');
    expect(grants).toContain('local.secret_refs[key].secret');
    const accessor = resource(module, 'google_secret_manager_secret_iam_member', 'accessor');
    expect(accessor.role).toBe('roles/secretmanager.secretAccessor');
    expect(expression(accessor.for_each)).toBe('local.secret_grants');
    expect(expression(accessor.member)).toBe('google_service_account.fn[each.value.function].member');
    expect(Object.keys(module.resources.google_secret_manager_secret_iam_member ?? {})).toEqual(['accessor']);
  });

  it('builds the functions only after the grants they need, and after a wait for IAM to propagate', async () => {
    const { module } = await deployed();
    const dependsOn = asArray(resource(module, 'google_cloudfunctions2_function', 'fn').depends_on).map((d) =>
      expression(d),
    );
    expect(dependsOn).toContain('time_sleep.iam_propagation');
    const wait = resource(module, 'time_sleep', 'iam_propagation');
    expect(asArray(wait.depends_on).map((d) => expression(d))).toEqual(
      expect.arrayContaining([
        'google_secret_manager_secret_iam_member.accessor',
        'google_project_iam_member.firestore_user',
        'google_project_iam_member.build',
      ]),
    );
    // IAM changes typically take 2 minutes; the provider's own example waits 60 s.
    expect(expression(wait.create_duration)).toBe('var.iam_propagation_wait');
    expect(asObject(module.variables.iam_propagation_wait).default).toBe('90s');
    // The wait repeats when the grants change, never on a code change.
    expect(Object.keys(asObject(wait.triggers)).sort()).toEqual([
      'build_account',
      'functions',
      'secret_grants',
    ]);
    expect(JSON.stringify(wait.triggers)).not.toMatch(/source|archive/);
  });
});

describe('terraform function guards', () => {
  it('refuses at plan time an SMS provider without its settings and any secret in plain env', async () => {
    const { module } = await deployed();
    const lifecycle = block(resource(module, 'google_cloudfunctions2_function', 'fn'), 'lifecycle');
    const conditions = asArray(lifecycle.precondition).map((p) =>
      expression(asObject(p as JsonObject).condition),
    );
    expect(conditions.some((c) => c.includes('local.sms_configured'))).toBe(true);
    expect(conditions.some((c) => c.includes('keys(local.secret_refs)'))).toBe(true);
    const sms = expression(local(module, 'sms_configured'));
    for (const setting of [
      'var.sms.http_url',
      'var.secrets.sms_http_secret',
      'var.sms.twilio_account_sid',
      'var.secrets.twilio_auth_token',
      'var.sms.twilio_from',
      'var.sms.twilio_messaging_service_sid',
    ]) {
      expect(sms).toContain(setting);
    }
  });
});

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform expressions, "${...}" is HCL interpolation.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asArray,
  asObject,
  asString,
  type JsonObject,
  loadModule,
  repoRoot,
  terraformDir,
} from '../../helpers/terraform.ts';
import {
  type EvaluateOptions,
  type Evaluation,
  evaluateModule,
  parseProviders,
  runTerraform,
  terraformBinary,
  terraformEnv,
  unknownPaths,
} from '../../helpers/terraform-evaluate/index.ts';

// The module checked by the real terraform binary, when there is one: its
// formatting, its provider requirements, and its own logic (every local,
// count, for_each, validation and precondition) evaluated by a plan of the
// example in which every provider resource is the built-in terraform_data
// (test/helpers/terraform-evaluate/). No provider is downloaded.

const example = 'terraform/examples/minimal';
const moduleCall = 'module.rbm_lifecycle';
const noBinary = 'skipped: no terraform binary found on PATH (`command -v terraform` found nothing)';
const title = (name: string) => (terraformBinary ? name : `${name} (${noBinary})`);

if (!terraformBinary) console.info(`terraform-binary.test.ts: every test ${noBinary}`);

/** ">= 6.0, < 8.0" as `terraform providers` prints it: ">= 6.0.0, < 8.0.0". */
function normalizeConstraint(constraint: string): string {
  return constraint
    .split(',')
    .map((term) =>
      term.trim().replace(/\d+(\.\d+)*/, (version) => {
        const parts = version.split('.');
        while (parts.length < 3) parts.push('0');
        return parts.join('.');
      }),
    )
    .join(', ');
}

/** required_providers of a module's terraform blocks: registry address -> normalized constraint. */
function requiredProviders(terraform: JsonObject[]): Map<string, string> {
  const required = new Map<string, string>();
  for (const block of terraform) {
    for (const list of block.required_providers ? asArray(block.required_providers) : []) {
      for (const [name, value] of Object.entries(asObject(list))) {
        const spec = asObject(value, `required_providers.${name}`);
        const source = asString(spec.source ?? `hashicorp/${name}`);
        const address = source.split('/').length === 2 ? `registry.terraform.io/${source}` : source;
        required.set(address, normalizeConstraint(asString(spec.version ?? '')));
      }
    }
  }
  return required;
}

const sha256 = (path: string) =>
  createHash('sha256')
    .update(readFileSync(join(repoRoot, path)))
    .digest('hex');

// The archive `npm run package` writes (variable source_archive's default). The
// evaluation gets a stand-in archive and a manifest of real files, so it does not
// depend on whether (or how recently) anyone ran `npm run package`.
const archive = 'dist/rbm-lifecycle-source.zip';
const manifest = 'dist/rbm-lifecycle-source.json';
const freshArchive = () => ({
  [archive]: 'PK stand-in archive',
  [manifest]: JSON.stringify({ files: { 'package.json': sha256('package.json') } }),
});

const projectNumber = '123456789012';
const baseline: EvaluateOptions = {
  root: example,
  variables: { project_id: 'my-project' },
  dataValues: { 'data.google_project.this': { number: JSON.stringify(projectNumber) } },
  files: freshArchive(),
};

describe.skipIf(!terraformBinary)('terraform binary: formatting and providers', () => {
  // Terraform's CLI configuration and data directory (the module manifest of `terraform get`), outside the repository.
  let scratch = '';
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tf-providers-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it(title('terraform fmt -check -recursive finds nothing to reformat in terraform/'), async () => {
    const run = await runTerraform(
      ['fmt', '-check', '-recursive', '-diff', '-no-color', 'terraform'],
      repoRoot,
      terraformEnv(join(scratch, 'fmt')),
    );
    expect(run.stderr).toBe('');
    expect(run.code, `terraform fmt would change:\n${run.stdout}`).toBe(0);
  });

  describe('terraform providers lists exactly the providers versions.tf requires', () => {
    it(title('the module, which needs no init for it'), async () => {
      const module = await loadModule(terraformDir);
      const required = requiredProviders(module.terraform);
      expect([...required.keys()]).toContain('registry.terraform.io/hashicorp/google');
      const run = await runTerraform(
        ['providers', '-no-color'],
        terraformDir,
        terraformEnv(join(scratch, 'm')),
      );
      expect(run.code, run.stderr).toBe(0);
      // Equal, not only contained: a resource of an undeclared provider would be listed without a constraint.
      expect(Object.fromEntries(parseProviders(run.stdout).get('') ?? [])).toEqual(
        Object.fromEntries(required),
      );
    });

    it(
      title(
        'the example and the module it calls, after `terraform get` (modules only, no provider download)',
      ),
      async () => {
        const dir = join(repoRoot, example);
        const env = terraformEnv(join(scratch, 'e'));
        const get = await runTerraform(['get', '-no-color'], dir, env);
        expect(get.code, get.stderr).toBe(0);
        const run = await runTerraform(['providers', '-no-color'], dir, env);
        expect(run.code, run.stderr).toBe(0);
        const tree = parseProviders(run.stdout);
        const moduleRequired = requiredProviders((await loadModule(terraformDir)).terraform);
        const exampleRequired = requiredProviders((await loadModule(dir)).terraform);
        expect(Object.fromEntries(tree.get('') ?? [])).toEqual(Object.fromEntries(exampleRequired));
        expect(Object.fromEntries(tree.get(moduleCall) ?? [])).toEqual(Object.fromEntries(moduleRequired));
        expect(
          Object.fromEntries(exampleRequired),
          'the example pins the same providers, with the same constraints, as the module',
        ).toEqual(Object.fromEntries(moduleRequired));
      },
    );
  });
});

describe.skipIf(!terraformBinary)(
  "terraform binary: the module's logic, planned with the example's arguments",
  () => {
    const runs = new Map<string, Promise<Evaluation>>();
    const evaluate = (name: string, options: EvaluateOptions): Promise<Evaluation> => {
      let run = runs.get(name);
      if (!run) {
        run = evaluateModule(options);
        runs.set(name, run);
      }
      return run;
    };

    const scenarios: Record<string, EvaluateOptions> = {
      baseline,
      'sms http without http_url': { ...baseline, moduleArguments: { rbm_lifecycle: { sms: '{}' } } },
      'sms twilio without settings': {
        ...baseline,
        moduleArguments: { rbm_lifecycle: { sms_provider: '"twilio"' } },
      },
      'three queue shards': {
        ...baseline,
        moduleArguments: {
          rbm_lifecycle: {
            queue_shards: '3',
            queue_rate_limits: '{ revoke = { max_dispatches_per_second = 1000 } }',
          },
        },
      },
      'one queue past 500 dispatches/s': {
        ...baseline,
        moduleArguments: {
          rbm_lifecycle: { queue_rate_limits: '{ revoke = { max_dispatches_per_second = 1000 } }' },
        },
      },
      'outcome push on': {
        ...baseline,
        moduleArguments: {
          rbm_lifecycle: {
            outcomes:
              '{ enabled = true, callback_url = "https://business.example/rbm/outcomes", pubsub = true }',
            secrets:
              '{ rbm_client_token = { secret = "rbm-client-token", version = "1" }, rbm_service_account_key = { secret = "rbm-service-account-key" }, sms_http_secret = { secret = "sms-http-secret" }, outcome_signing_secret = { secret = "outcome-signing-secret" } }',
          },
        },
      },
      'outcome push on without its secret': {
        ...baseline,
        moduleArguments: { rbm_lifecycle: { outcomes: '{ enabled = true }' } },
      },
      'bad project_id': { ...baseline, variables: { project_id: 'My_Project' } },
      'bad name_prefix': { ...baseline, moduleArguments: { rbm_lifecycle: { name_prefix: '"rbm-"' } } },
      'no archive': { ...baseline, files: { [archive]: null, [manifest]: null } },
      'stale archive': {
        ...baseline,
        files: {
          ...freshArchive(),
          [manifest]: JSON.stringify({ files: { 'package.json': '0'.repeat(64) } }),
        },
      },
    };
    // All of them at once: each is init + plan + show in its own temporary mirror.
    beforeAll(() => {
      for (const [name, options] of Object.entries(scenarios)) void evaluate(name, options).catch(() => {});
    });

    const planned = async (): Promise<Evaluation> => {
      const evaluation = await evaluate('baseline', baseline);
      expect(evaluation.ok, `the plan failed:\n${evaluation.log}`).toBe(true);
      return evaluation;
    };
    const keys = (evaluation: Evaluation, id: string) =>
      evaluation
        .instances(id, moduleCall)
        .map((instance) => String(instance.key))
        .sort();
    const failure = async (name: string) => {
      const evaluation = await evaluate(name, scenarios[name]!);
      expect(evaluation.ok, `${name}: the plan should fail`).toBe(false);
      return evaluation.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => `${d.summary}: ${d.detail}`)
        .join('\n');
    };

    it(title('plans: every local, count, for_each, validation and precondition evaluates'), async () => {
      const evaluation = await planned();
      expect(evaluation.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(evaluation.plan?.resource_changes?.length).toBeGreaterThan(50);
    });

    it(
      title(
        'for_each keys: six functions and their accounts, two queues, one composite index per local entry',
      ),
      async () => {
        const evaluation = await planned();
        const { values } = evaluation.locals('rbm_lifecycle');
        const functions = ['fallback', 'messages', 'outcomes', 'revoke', 'sweep', 'webhook'];
        expect(Object.keys(asObject(values.functions)).sort()).toEqual(functions);
        expect(keys(evaluation, 'google_cloudfunctions2_function.fn')).toEqual(functions);
        expect(keys(evaluation, 'google_service_account.fn')).toEqual(functions);
        expect(keys(evaluation, 'google_project_iam_member.firestore_user')).toEqual(functions);
        expect(keys(evaluation, 'google_cloud_tasks_queue.queue')).toEqual(['fallback', 'revoke']);

        const composite = Object.keys(asObject(values.composite_indexes));
        const groups = asArray(
          values.report_group_fields ?? ['agentId', 'labels.kind', 'messageTrafficType'],
        ).length;
        const windowed =
          Object.keys(asObject(values.console_indexes)).length +
          Object.keys(asObject(values.report_indexes)).length +
          // per group field: G + createdAt, G + each equality field, G + each summed field with and without the window
          groups *
            (1 +
              asArray(values.report_equality_fields).length +
              2 * asArray(values.report_summed_fields).length);
        expect(composite).toHaveLength(windowed);
        expect(keys(evaluation, 'google_firestore_index.composite')).toEqual([...composite].sort());
        expect(keys(evaluation, 'google_firestore_field.ttl')).toEqual(
          asArray(values.ttl_collections).map(String).sort(),
        );
        // The example creates the database (count = 1).
        expect(keys(evaluation, 'google_firestore_database.this')).toEqual(['0']);
      },
    );

    it(title("each function's environment_variables map is fully known at plan time"), async () => {
      const evaluation = await planned();
      const functions = evaluation.instances('google_cloudfunctions2_function.fn', moduleCall);
      expect(functions).toHaveLength(6);
      const [tasks] = evaluation.instances('google_service_account.tasks', moduleCall);
      const tasksAccountId = asString(asObject(tasks?.input ?? null).account_id);
      const { values } = evaluation.locals('rbm_lifecycle');
      const secretNames = Object.keys(asObject(values.secret_refs));
      for (const fn of functions) {
        const serviceConfig = asObject(asArray(asObject(fn.input).service_config)[0] ?? null);
        const unknown = unknownPaths(fn.unknown);
        // The evaluation does mark a provider's computed attributes unknown: the runtime account's email is.
        expect(unknown, `${fn.key}: service_account_email`).toContain(
          'service_config[0].service_account_email',
        );
        expect(
          unknown.filter((path) => path.startsWith('service_config[0].environment_variables')),
          `${fn.key}: an unknown value in service_config.environment_variables makes the provider plan the whole map ` +
            'unknown and fail with "Provider produced inconsistent final plan" ' +
            '(hashicorp/terraform-provider-google#18747, #22497): every value must derive from known inputs',
        ).toEqual([]);
        const env = asObject(serviceConfig.environment_variables, `${fn.key}: environment_variables`);
        for (const [key, value] of Object.entries(env)) {
          expect(typeof value, `${fn.key}: ${key} is a string, never null`).toBe('string');
          expect(secretNames, `${fn.key}: ${key} is a secret`).not.toContain(key);
        }
        // The values the tasks rely on agree with what the module creates.
        if ('TASKS_SERVICE_ACCOUNT' in env) {
          expect(env.TASKS_SERVICE_ACCOUNT).toBe(`${tasksAccountId}@my-project.iam.gserviceaccount.com`);
        }
        for (const [variable, target] of [
          ['REVOKE_URL', 'revoke'],
          ['FALLBACK_URL', 'fallback'],
        ] as const) {
          if (!(variable in env)) continue;
          const [targetFn] = evaluation
            .instances('google_cloudfunctions2_function.fn', moduleCall)
            .filter((other) => other.key === target);
          const name = asString(asObject(targetFn?.input ?? null).name);
          expect(env[variable]).toBe(`https://${name}-${projectNumber}.us-central1.run.app`);
        }
      }
    });

    it(
      title('control: the check above does catch an environment value that is unknown at plan time'),
      async () => {
        // TASKS_SERVICE_ACCOUNT read from the account resource again, as before the fix.
        const module = await loadModule(terraformDir);
        const [file] = Object.entries(module.files).filter(([, text]) =>
          /TASKS_SERVICE_ACCOUNT\s*=/.test(text),
        );
        expect(file, 'no .tf file sets TASKS_SERVICE_ACCOUNT: update this control').toBeDefined();
        const [name, text] = file!;
        const evaluation = await evaluateModule({
          ...baseline,
          sources: {
            [`terraform/${name}`]: text.replace(
              /(TASKS_SERVICE_ACCOUNT\s*=\s*)[^\n]+/,
              '$1google_service_account.tasks.email',
            ),
          },
        });
        expect(evaluation.ok, evaluation.log).toBe(true);
        const functions = evaluation.instances('google_cloudfunctions2_function.fn', moduleCall);
        expect(functions).toHaveLength(6);
        for (const fn of functions) {
          const unknown = unknownPaths(fn.unknown).filter((path) =>
            path.startsWith('service_config[0].environment_variables'),
          );
          // The fallback and outcomes load no tasks section (they schedule nothing), so they never see the value.
          if (fn.key === 'fallback' || fn.key === 'outcomes')
            expect(unknown, `${fn.key} has no tasks settings`).toEqual([]);
          else expect(unknown.length, `${fn.key}: the planted unknown value is seen`).toBeGreaterThan(0);
        }
      },
    );

    it(title('the locals the environment is built from are known at plan time'), async () => {
      const evaluation = await planned();
      const { values, unknown } = evaluation.locals('rbm_lifecycle');
      const unknownLocals = unknownPaths(unknown);
      console.info(`locals (partly) unknown at plan time: ${unknownLocals.join(', ') || 'none'}`);
      expect(Object.keys(values).length).toBeGreaterThan(10);
      for (const name of [
        'env_by_section',
        'env_unset',
        'function_urls',
        'service_names',
        'queues',
        'functions',
      ]) {
        if (!(name in values) && !(name in unknown)) continue;
        expect(
          unknownLocals.filter(
            (path) => path === name || path.startsWith(`${name}.`) || path.startsWith(`${name}[`),
          ),
          `local.${name}`,
        ).toEqual([]);
      }
    });

    it(
      title('secrets are mounted only where configured: fallback gets the http secret, sweep none'),
      async () => {
        const evaluation = await planned();
        const mounted = Object.fromEntries(
          evaluation
            .instances('google_cloudfunctions2_function.fn', moduleCall)
            .map((fn) => [
              fn.key,
              asArray(
                asObject(asArray(asObject(fn.input).service_config)[0] ?? null)
                  .secret_environment_variables ?? [],
              ).map((s) => asString(asObject(s).key)),
            ]),
        );
        expect(mounted).toEqual({
          fallback: ['SMS_HTTP_SECRET'],
          messages: ['RBM_SERVICE_ACCOUNT_KEY'],
          // Outcome push is off in the example: no signing key anywhere.
          outcomes: [],
          revoke: ['RBM_SERVICE_ACCOUNT_KEY'],
          sweep: [],
          webhook: ['RBM_CLIENT_TOKEN'],
        });
      },
    );

    it(title('one queue of each kind by default, under the keys and names it always had'), async () => {
      const evaluation = await planned();
      expect(keys(evaluation, 'google_cloud_tasks_queue.queue')).toEqual(['fallback', 'revoke']);
    });

    it(
      title('queue_shards 3: three queues of each kind, the rate limits split, every grant on each'),
      async () => {
        const evaluation = await evaluate('three queue shards', scenarios['three queue shards']!);
        expect(evaluation.ok, evaluation.log).toBe(true);
        const queues = Object.fromEntries(
          evaluation
            .instances('google_cloud_tasks_queue.queue', moduleCall)
            .map((queue) => [String(queue.key), asObject(queue.input)]),
        );
        expect(Object.keys(queues).sort()).toEqual([
          'fallback',
          'fallback-1',
          'fallback-2',
          'revoke',
          'revoke-1',
          'revoke-2',
        ]);
        expect(queues['revoke-2']!.name).toBe('rbm-revoke-2');
        expect(queues.fallback!.name).toBe('rbm-fallback');
        const limits = (key: string) => asObject(asArray(queues[key]!.rate_limits)[0] ?? null);
        // 1,000/s in total, a third per queue; the fallback's default 20/s and 50 concurrent likewise.
        expect(limits('revoke-1').max_dispatches_per_second).toBeCloseTo(1000 / 3);
        expect(limits('fallback').max_dispatches_per_second).toBeCloseTo(20 / 3);
        expect(limits('fallback').max_concurrent_dispatches).toBe(17);
        const grants = keys(evaluation, 'google_cloud_tasks_queue_iam_member.function');
        for (const queue of Object.keys(queues)) {
          expect(grants).toContain(`messages/${queue}/enqueuer`);
          expect(grants).toContain(`sweep/${queue}/enqueuer`);
        }
        expect(grants.filter((grant) => grant.endsWith('/taskDeleter'))).toEqual([
          'webhook/revoke-1/taskDeleter',
          'webhook/revoke-2/taskDeleter',
          'webhook/revoke/taskDeleter',
        ]);
        for (const fn of evaluation.instances('google_cloudfunctions2_function.fn', moduleCall)) {
          const env = asObject(
            asObject(asArray(asObject(fn.input).service_config)[0] ?? null).environment_variables ?? {},
          );
          if (fn.key !== 'fallback' && fn.key !== 'outcomes')
            expect(env.QUEUE_SHARDS, String(fn.key)).toBe('3');
        }
      },
    );

    it(
      title('outcome push off (the default): no trigger, OUTCOME_PUSH false, no signing secret mounted'),
      async () => {
        const evaluation = await planned();
        const byKey = new Map(
          evaluation
            .instances('google_cloudfunctions2_function.fn', moduleCall)
            .map((fn) => [fn.key, asObject(fn.input)]),
        );
        expect(asArray(byKey.get('outcomes')?.event_trigger ?? [])).toEqual([]);
        expect(evaluation.instances('google_pubsub_topic.outcomes', moduleCall)).toEqual([]);
        for (const [key, input] of byKey) {
          const config = asObject(asArray(input.service_config)[0] ?? null);
          expect(asObject(config.environment_variables).OUTCOME_PUSH, String(key)).toBe('false');
          expect(JSON.stringify(config.secret_environment_variables ?? []), String(key)).not.toContain(
            'OUTCOME',
          );
        }
      },
    );

    it(
      title(
        'outcome push on: the Firestore trigger, its identity (event receiver, sole invoker), the secret',
      ),
      async () => {
        const evaluation = await evaluate('outcome push on', scenarios['outcome push on']!);
        expect(evaluation.ok, evaluation.log).toBe(true);
        const byKey = new Map(
          evaluation
            .instances('google_cloudfunctions2_function.fn', moduleCall)
            .map((fn) => [fn.key, asObject(fn.input)]),
        );
        const triggers = asArray(byKey.get('outcomes')?.event_trigger ?? []).map((t) => asObject(t));
        expect(triggers).toHaveLength(1);
        const trigger = triggers[0]!;
        expect(trigger).toMatchObject({
          event_type: 'google.cloud.firestore.document.v1.created',
          retry_policy: 'RETRY_POLICY_RETRY',
          // The example's database location: Firestore events come from there.
          trigger_region: 'nam5',
        });
        const filters = asArray(trigger.event_filters).map((f) => asObject(f));
        expect(filters).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ attribute: 'database', value: '(default)' }),
            expect.objectContaining({
              attribute: 'document',
              value: 'outcomes/{outcomeId}',
              operator: 'match-path-pattern',
            }),
          ]),
        );
        for (const [key, input] of byKey) {
          if (key !== 'outcomes') expect(asArray(input.event_trigger ?? []), String(key)).toEqual([]);
          const config = asObject(asArray(input.service_config)[0] ?? null);
          const env = asObject(config.environment_variables);
          expect(env.OUTCOME_PUSH, String(key)).toBe('true');
          const secrets = JSON.stringify(config.secret_environment_variables ?? []);
          // The function that pushes and the sweep that re-drives sign; nobody else holds the key.
          expect(secrets.includes('OUTCOME_SIGNING_SECRET'), String(key)).toBe(
            key === 'outcomes' || key === 'sweep',
          );
          if (key === 'outcomes' || key === 'sweep') {
            expect(env.OUTCOME_CALLBACK_URL).toBe('https://business.example/rbm/outcomes');
            expect(Object.keys(env)).toEqual(
              expect.arrayContaining(['OUTCOME_TIMEOUT_MS', 'OUTCOME_MAX_ATTEMPTS', 'OUTCOME_MAX_AGE_HOURS']),
            );
          }
        }
        const receiver = evaluation.instances('google_project_iam_member.eventarc_receiver', moduleCall);
        expect(receiver.map((r) => asObject(r.input).role)).toEqual(['roles/eventarc.eventReceiver']);
        const invokers = evaluation
          .instances('google_cloud_run_v2_service_iam_member.invoker', moduleCall)
          .map((i) => String(i.key))
          .filter((key) => key.startsWith('outcomes/'));
        expect(invokers).toEqual(['outcomes/eventarc']);
        const accessors = evaluation
          .instances('google_secret_manager_secret_iam_member.accessor', moduleCall)
          .map((i) => String(i.key))
          .filter((key) => key.endsWith('/outcome-signing-secret'))
          .sort();
        expect(accessors).toEqual(['outcomes/outcome-signing-secret', 'sweep/outcome-signing-secret']);
        // outcomes.pubsub: the topic, published to by the two functions that deliver the outbox, named in their environment.
        const [topic] = evaluation.instances('google_pubsub_topic.outcomes', moduleCall);
        expect(asObject(topic?.input ?? null).name).toBe('rbm-outcomes');
        const publishers = evaluation.instances(
          'google_pubsub_topic_iam_member.outcomes_publisher',
          moduleCall,
        );
        expect(publishers.map((p) => String(p.key)).sort()).toEqual(['outcomes', 'sweep']);
        for (const p of publishers) expect(asObject(p.input).role).toBe('roles/pubsub.publisher');
        for (const key of ['outcomes', 'sweep']) {
          const config = asObject(asArray(byKey.get(key)?.service_config)[0] ?? null);
          expect(asObject(config.environment_variables).OUTCOME_PUBSUB_TOPIC).toBe(
            'projects/my-project/topics/rbm-outcomes',
          );
        }
      },
    );

    describe('planted mistakes stop the plan with their own message', () => {
      const preconditionMessage = async (resource: string, mentions: string): Promise<string> => {
        const module = await loadModule(terraformDir);
        const [type, name] = resource.split('.');
        const body = module.resources[type!]?.[name!];
        const lifecycle = asObject(asArray(body?.lifecycle ?? [])[0] ?? null);
        const found = asArray(lifecycle.precondition)
          .map((p) => asObject(p))
          .find((p) => asString(p.condition).includes(mentions));
        return asString(found?.error_message ?? null);
      };
      const validationMessage = async (variable: string, index = 0): Promise<string> => {
        const module = await loadModule(terraformDir);
        const validation = asArray(module.variables[variable]?.validation ?? []);
        return asString(asObject(validation[index] ?? null).error_message);
      };

      it(title('sms_provider http without sms.http_url: the fallback precondition'), async () => {
        const message = (
          await preconditionMessage('google_cloudfunctions2_function.fn', 'sms_configured')
        ).replace('${var.sms_provider}', 'http');
        expect(await failure('sms http without http_url')).toContain(message);
      });

      it(title('sms_provider twilio without its settings: the fallback precondition'), async () => {
        const message = (
          await preconditionMessage('google_cloudfunctions2_function.fn', 'sms_configured')
        ).replace('${var.sms_provider}', 'twilio');
        expect(await failure('sms twilio without settings')).toContain(message);
      });

      it(
        title('1,000 revoke dispatches/s on one queue: the queue precondition asks for shards'),
        async () => {
          const errors = await failure('one queue past 500 dispatches/s');
          expect(errors).toContain('Queue rbm-revoke would get 1000 dispatches/s');
          expect(errors).toContain('raise queue_shards');
        },
      );

      it(title('outcome push on without a signing secret: the outcomes precondition'), async () => {
        const message = await preconditionMessage(
          'google_cloudfunctions2_function.fn',
          'var.secrets.outcome_signing_secret',
        );
        expect(message).toContain('secrets.outcome_signing_secret');
        expect(await failure('outcome push on without its secret')).toContain(message);
      });

      it(title("a project_id that is no project id: the variable's validation"), async () => {
        expect(await failure('bad project_id')).toContain(await validationMessage('project_id'));
      });

      it(title("a name_prefix ending with a hyphen: the variable's validation"), async () => {
        expect(await failure('bad name_prefix')).toContain(await validationMessage('name_prefix'));
      });

      it(title('no source archive: the upload precondition names the command to run'), async () => {
        const errors = await failure('no archive');
        expect(errors).toContain('No source archive at ');
        expect(errors).toContain(archive);
      });

      it(title('a manifest whose file hash differs from the repository: the archive is stale'), async () => {
        const errors = await failure('stale archive');
        expect(errors).toContain(
          'The source archive is older than the code (package.json changed since it was built)',
        );
      });
    });
  },
);

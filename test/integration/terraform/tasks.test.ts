// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform expressions, "${...}" is HCL interpolation.
import { describe, expect, it } from 'vitest';
import { configSections } from '../../../shared/config/schema.ts';
import { asObject, block, expression, loadModule, local, resource } from '../../helpers/terraform.ts';

// docs/deploy.md, Cloud Tasks: queues, retry policy and rate limits live in
// Terraform; the handlers learn their last try from the same max_attempts.

describe('terraform Cloud Tasks queues', () => {
  it('declares rbm-revoke and rbm-fallback from local.queues', async () => {
    const module = await loadModule();
    const queues = asObject(local(module, 'queues'));
    expect(Object.keys(queues).sort()).toEqual(['fallback', 'revoke']);
    expect(asObject(queues.revoke).name).toBe('${var.name_prefix}-revoke');
    expect(asObject(queues.fallback).name).toBe('${var.name_prefix}-fallback');
    expect(module.variables.name_prefix!.default).toBe('rbm');
    const queue = resource(module, 'google_cloud_tasks_queue', 'queue');
    // Each kind as queue_shards queues, shard 0 under the kind's own key and name (terraform-binary.test.ts).
    expect(expression(queue.for_each)).toBe('local.queue_shards');
    expect(expression(local(module, 'queue_shards'))).toContain('for kind, queue in local.queues');
    expect(expression(queue.name)).toBe('each.value.name');
    expect(expression(queue.location)).toBe('var.region');
  });

  it('wires max_attempts to the queue and to REVOKE_MAX_ATTEMPTS / FALLBACK_MAX_ATTEMPTS from one value', async () => {
    const module = await loadModule();
    const queues = asObject(local(module, 'queues'));
    expect(asObject(queues.revoke).retry).toBe('${var.queue_retry.revoke}');
    expect(asObject(queues.fallback).retry).toBe('${var.queue_retry.fallback}');

    const retry = block(resource(module, 'google_cloud_tasks_queue', 'queue'), 'retry_config');
    expect(expression(retry.max_attempts)).toBe('each.value.retry.max_attempts');
    for (const setting of ['min_backoff', 'max_backoff', 'max_doublings']) {
      expect(expression(retry[setting])).toBe(`each.value.retry.${setting}`);
    }

    const envBySection = asObject(local(module, 'env_by_section'));
    const tasksEnv = asObject(envBySection.tasks);
    expect(expression(asObject(envBySection.revokeTarget).REVOKE_MAX_ATTEMPTS)).toBe(
      'tostring(local.queues.revoke.retry.max_attempts)',
    );
    expect(expression(asObject(envBySection.fallbackTarget).FALLBACK_MAX_ATTEMPTS)).toBe(
      'tostring(local.queues.fallback.retry.max_attempts)',
    );
    expect(expression(tasksEnv.REVOKE_QUEUE)).toBe('local.queues.revoke.name');
    expect(expression(tasksEnv.FALLBACK_QUEUE)).toBe('local.queues.fallback.name');
    expect(expression(tasksEnv.TASKS_LOCATION)).toBe('var.region');
    expect(expression(tasksEnv.TASKS_SERVICE_ACCOUNT)).toBe('local.tasks_account_email');
  });

  it('refuses an unlimited retry budget (-1): a handler must know its last try', async () => {
    const module = await loadModule();
    const validation = JSON.stringify(module.variables.queue_retry!.validation);
    expect(validation).toContain('r.max_attempts >= 1');
  });

  it('sets the rate limits from variables', async () => {
    const module = await loadModule();
    const queues = asObject(local(module, 'queues'));
    expect(asObject(queues.revoke).rate_limits).toBe('${var.queue_rate_limits.revoke}');
    const limits = block(resource(module, 'google_cloud_tasks_queue', 'queue'), 'rate_limits');
    expect(expression(limits.max_dispatches_per_second)).toBe(
      'each.value.rate_limits.max_dispatches_per_second',
    );
    expect(expression(limits.max_concurrent_dispatches)).toBe(
      'each.value.rate_limits.max_concurrent_dispatches',
    );
  });
});

describe('terraform sweep schedule', () => {
  it('calls the sweep every minute with an OIDC token of the scheduler service account', async () => {
    const module = await loadModule();
    expect(module.variables.sweep_schedule!.default).toBe('* * * * *');
    const job = resource(module, 'google_cloud_scheduler_job', 'sweep');
    expect(expression(job.schedule)).toBe('var.sweep_schedule');
    const target = block(job, 'http_target');
    expect(target.http_method).toBe('POST');
    expect(expression(target.uri)).toBe('google_cloudfunctions2_function.fn["sweep"].service_config[0].uri');
    const oidc = block(target, 'oidc_token');
    expect(expression(oidc.service_account_email)).toBe('google_service_account.scheduler.email');
    expect(expression(oidc.audience)).toBe(expression(target.uri));
    // The scheduler account is the sweep's only invoker (terraform-functions tests).
    expect(asObject(local(module, 'invokers')).sweep).toEqual({
      scheduler: '${google_service_account.scheduler.member}',
    });
  });

  it('passes SWEEP_BOUND_SECONDS from the variable', async () => {
    const module = await loadModule();
    const sweepEnv = asObject(asObject(local(module, 'env_by_section')).sweep);
    expect(expression(sweepEnv.SWEEP_BOUND_SECONDS)).toBe('tostring(var.sweep_bound_seconds)');
    expect(module.variables.sweep_bound_seconds!.default).toBe(300);
  });

  it('passes the INGESTION_* settings from their variables, with the schema defaults', async () => {
    const module = await loadModule();
    const ingestionEnv = asObject(asObject(local(module, 'env_by_section')).ingestion);
    const defaults = configSections.ingestion.parse({});
    for (const [name, value] of Object.entries(defaults)) {
      const variable = name.toLowerCase();
      expect(expression(ingestionEnv[name]), name).toBe(`tostring(var.${variable})`);
      expect(module.variables[variable]?.default, variable).toBe(value);
      expect(module.variables[variable]?.validation, variable).toBeDefined();
    }
  });
});

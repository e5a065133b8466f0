import { describe, expect, it } from 'vitest';
import { smsProviderNames, smsProviders } from '../../../shared/sms/providers.ts';
import { asArray, asObject, expression, loadModule, local } from '../../helpers/terraform.ts';

/*
 * HCL cannot import the provider registry (shared/sms/providers.ts), so this
 * test holds Terraform to it: the module accepts exactly the registry's
 * provider names, and for each provider sets exactly its plain variables and
 * mounts exactly its secrets, and nothing of another provider's.
 */

/** `var.sms_provider == "NAME" ? ... : null` -> NAME; anything else -> undefined (set for every provider). */
function onlyFor(value: unknown): string | undefined {
  return /^var\.sms_provider\s*==\s*"([^"]+)"\s*\?/.exec(expression(value as string))?.[1];
}

describe('Terraform follows the SMS provider registry', () => {
  it('accepts as sms_provider exactly the registry names', async () => {
    const module = await loadModule();
    const [validation] = asArray(module.variables.sms_provider!.validation);
    const condition = expression(asObject(validation).condition);
    const listed = /contains\(\[([^\]]*)\],\s*var\.sms_provider\)/.exec(condition);
    expect(listed, condition).not.toBeNull();
    const names = [...listed![1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(names.sort()).toEqual([...smsProviderNames].sort());
  });

  it("sets each provider's plain variables only when it is chosen, and no others", async () => {
    const module = await loadModule();
    const sms = asObject(asObject(local(module, 'env_by_section')).sms);
    const shared = Object.keys(sms).filter((key) => onlyFor(sms[key]) === undefined);
    expect(shared.sort()).toEqual(['SMS_PROVIDER', 'SMS_TIMEOUT_MS']);
    for (const name of smsProviderNames) {
      const set = Object.keys(sms).filter((key) => onlyFor(sms[key]) === name);
      expect(set.sort(), name).toEqual(Object.keys(smsProviders[name].settings).sort());
    }
  });

  it("mounts each provider's secrets only when it is chosen", async () => {
    const module = await loadModule();
    const refs = asObject(local(module, 'secret_refs'));
    for (const name of smsProviderNames) {
      const mounted = Object.keys(refs).filter((key) => onlyFor(refs[key]) === name);
      expect(mounted.sort(), name).toEqual(Object.keys(smsProviders[name].secrets).sort());
    }
  });

  it('checks at plan time that the chosen provider is configured, for every provider', async () => {
    const module = await loadModule();
    const check = expression(local(module, 'sms_configured') as string);
    for (const name of smsProviderNames) {
      for (const variable of [
        ...Object.keys(smsProviders[name].secrets),
        ...Object.keys(smsProviders[name].settings),
      ]) {
        if (variable === 'TWILIO_BASE_URL') continue; // defaulted, never required
        const input = variable.toLowerCase().replace(/^sms_/, '');
        expect(check, `${name}: ${variable}`).toContain(input);
      }
    }
  });
});

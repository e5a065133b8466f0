import type { z } from 'zod';
import { type ConfigSections, configSections, type SectionName, secretNames } from './schema.ts';

export type { SectionName } from './schema.ts';
export { configSections, secretNames } from './schema.ts';

type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void
  ? I
  : never;

export type Config<S extends SectionName> = UnionToIntersection<z.output<ConfigSections[S]>>;

/** Thrown at cold start when the environment is incomplete; names every bad variable. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Reads and validates the variables of the given sections. Throws one
 * ConfigError listing every missing or malformed variable, so a bad deploy
 * fails at cold start with a message that says what to fix.
 */
export function loadConfig<S extends SectionName>(
  sections: readonly S[],
  env: NodeJS.ProcessEnv = process.env,
): Config<S> {
  const problems: string[] = [];
  const merged: Record<string, unknown> = {};
  for (const name of sections) {
    const result = configSections[name].safeParse(env);
    if (result.success) {
      Object.assign(merged, result.data);
      continue;
    }
    for (const issue of result.error.issues) {
      const variable = String(issue.path[0] ?? name);
      problems.push(describeProblem(variable, env[variable], issue.message));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return merged as Config<S>;
}

function describeProblem(variable: string, value: string | undefined, reason: string): string {
  if (value === undefined) return `${variable}: required but not set`;
  const shown = secretNames.has(variable) ? 'value hidden' : `got ${JSON.stringify(value)}`;
  return `${variable}: ${reason} (${shown})`;
}

/** The config with every secret replaced, safe to log once at cold start. */
export function redactConfig(config: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      secretNames.has(key) && value !== undefined ? '[redacted]' : value,
    ]),
  );
}

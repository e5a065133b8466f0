import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * What every command line under local/ shares (the emulators, the sandboxes,
 * the stack, the benchmarks): `--help` / `-h` prints the usage on stdout and
 * exits 0; option values are checked with a clear reason; and every usage
 * error (and, for the sandboxes, every start-up failure) is ONE line on stderr
 * with exit code 2, never a stack trace.
 */

/**
 * `node:util` parseArgs (strict, no positionals unless allowed) plus the
 * conventions above: prints `usage` and exits 0 when `--help` or `-h` is
 * given, and turns a parse error into `program: reason (see --help)` on
 * stderr with exit code 2. The `help` option is added here, so the caller's
 * `options` need not declare it.
 */
export function parseCommandLine<const T extends ParseArgsConfig>(
  program: string,
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs({
      strict: true,
      allowPositionals: false,
      ...config,
      args,
      options: { ...config.options, help: { type: 'boolean', short: 'h' } },
    }) as ReturnType<typeof parseArgs<T>>;
  } catch (error) {
    return exitWithError(program, error);
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
    process.exit(0);
  }
  return parsed;
}

/** Prints `program: message (see --help)` on stderr and exits 2: for a bad option value. */
export function usageError(program: string, message: string): never {
  return exitWithError(program, new CliError(message));
}

/** A start-up problem whose message is already the one line to print. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Prints `program: message` on stderr (pointing usage errors to --help) and exits 2. */
export function exitWithError(program: string, error: unknown): never {
  const code = (error as { code?: unknown } | null)?.code;
  const usageError =
    error instanceof CliError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'));
  process.stderr.write(`${program}: ${describeError(error)}${usageError ? ' (see --help)' : ''}\n`);
  process.exit(2);
}

/** One line for any error thrown while starting: the message, without a stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      // node:util parseArgs spreads its reason over lines and adds advice on positionals.
      const missing = /^Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(
        error.message,
      );
      if (missing) return `${missing[1]} needs a value`;
      return error.message.split(/\.?\n|\. To specify/)[0]!.trim();
    }
    return firstLine(error.message) || error.name;
  }
  return firstLine(String(error));
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** `--port`: an integer from 0 (a free port) to 65535. */
export function portOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new CliError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

/** A number greater than 0 (`--time-scale`, timeouts). */
export function positiveNumberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new CliError(`--${name} must be a number greater than 0, got ${JSON.stringify(value)}`);
  return n;
}

/** `--seed`: digits become a number, anything else stays a string seed. */
export function seedOption(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Reads a JSON object from `path` (the --config file), with a one-line reason when it cannot. */
export function readJsonObject(option: string, path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : describeError(error);
    throw new CliError(`cannot read the ${option} file ${path}: ${reason}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`the ${option} file ${path} is not valid JSON: ${describeError(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new CliError(`the ${option} file ${path} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

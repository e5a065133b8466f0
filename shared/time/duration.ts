/**
 * Durations as the API (`revokeAfter`) and the report's command line
 * (`--since`, `--bucket`, `--timeout`) take them: one or more amounts with a
 * unit, largest first or not, such as `600s`, `10m`, `1.5h`, `1h30m`, `90d`,
 * `2w`. Units: ms, s, m, h, d, w.
 */
const unitMs: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** The duration in ms, or undefined when `text` is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(amount) * unitMs[unit!]!;
  }
  return total;
}

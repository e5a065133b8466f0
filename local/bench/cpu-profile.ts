import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandLine } from '../common/cli.ts';

/*
 * Where a process's CPU went, from the V8 profiles `node --cpu-prof` writes
 * (bench:deadlines -- --cpu-prof DIR writes one per function process): self
 * time per package or part of Node, and the heaviest functions.
 *
 *   node local/bench/cpu-profile.ts DIR [--top 15]
 */

const usage = `Usage: node local/bench/cpu-profile.ts DIR_OR_FILE... [--top N]
Self time of each .cpuprofile, grouped by package (node_modules/<name>), Node internals (node:...),
this repository's folders, garbage collection and idle; then the top N functions.`;

const { values, positionals } = parseCommandLine('cpu-profile', usage, {
  allowPositionals: true,
  options: { top: { type: 'string', default: '15' } },
});

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const files = positionals.flatMap((path) =>
  path.endsWith('.cpuprofile')
    ? [path]
    : readdirSync(path)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(path, f)),
);

const repo = join(import.meta.dirname, '../..');

const startUpGroup = '(start-up: loading modules, stripping types)';

/** Loading and compiling code (and Node's type stripping, amaro's WebAssembly): a process's start, not its work. */
function startUp(url: string, name: string): boolean {
  return (
    url.startsWith('node:internal/modules/') ||
    url.startsWith('node:internal/deps/amaro') ||
    url.startsWith('wasm:') ||
    url === 'node:internal/bootstrap/realm' ||
    ['wrapSafe', 'compileSourceTextModule', 'compileFunction', 'internalModuleStat', 'readFileUtf8'].includes(
      name,
    )
  );
}

function group(url: string, name: string): string {
  if (name === '(garbage collector)') return '(garbage collector)';
  if (name === '(idle)' || name === '(program)' || name === '(root)') return name;
  if (!url) return '(native / V8)';
  if (startUp(url, name)) return startUpGroup;
  if (url.startsWith('node:internal/')) return url.split('/').slice(0, 2).join('/');
  if (url.startsWith('node:')) return url.split('/')[0]!;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const path = url.replace(/^file:\/\//, '').replace(`${repo}/`, '');
  return path.split('/').slice(0, 2).join('/');
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let startUpUs = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const g = group(url, functionName);
    if (g === '(idle)') {
      idle += us;
      continue;
    }
    if (g === startUpGroup) {
      startUpUs += us;
      continue;
    }
    total += us;
    groups.set(g, (groups.get(g) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(`file://${repo}/`, '')}:${lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  process.stdout.write(
    `\n${file}: ${seconds.toFixed(1)} s profiled, ${(idle / 1e6).toFixed(2)} s idle, ${(startUpUs / 1e6).toFixed(2)} s ` +
      `starting up (not counted below), ${(total / 1e6).toFixed(2)} s busy otherwise:\n`,
  );
  const share = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  for (const [g, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 20))
    process.stdout.write(`  ${share(us)}  ${g}\n`);
  process.stdout.write('  top functions (self):\n');
  for (const [f, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
    process.stdout.write(`  ${share(us)}  ${f}\n`);
}

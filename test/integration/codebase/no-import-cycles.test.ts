import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { init, parse } from 'es-module-lexer';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../../..');
const sourceFolders = ['functions', 'shared', 'local'];

/** Every relative import of every module, type-only imports included: a cycle of types is still a cycle to a reader. */
async function importGraph(): Promise<Map<string, string[]>> {
  await init;
  const graph = new Map<string, string[]>();
  for (const folder of sourceFolders) {
    for (const entry of await readdir(join(repoRoot, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const absolute = join(entry.parentPath, entry.name);
      const [imports] = parse(await readFile(absolute, 'utf8'), absolute);
      const targets = imports
        .map((found) => found.specifier)
        .filter((specifier): specifier is string => specifier?.startsWith('.') === true)
        .map((specifier) => relative(repoRoot, resolve(dirname(absolute), specifier)));
      graph.set(relative(repoRoot, absolute), targets);
    }
  }
  return graph;
}

/** Strongly connected components with more than one module (Tarjan), each listed sorted. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('the module layout', () => {
  it('has no import cycle in functions/, shared/ or local/, type imports included', async () => {
    const graph = await importGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});

/**
 * The layers of DESIGN.md: each imports only from the layers under it, and
 * no module imports itself back through a cycle. Type-only imports are erased
 * at run time and are not counted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../lib');

/** Layer rank of a module path relative to lib/ (lower layers first). */
const LAYERS: [RegExp, number, string][] = [
  [/^(errors\.ts|rx\.ts|async\/|eventloop\/|log\/|codec\/|util\/)/, 0, 'primitives'],
  [/^(actor\/|concurrency\/|monitor\/|control\/|metrics\/)/, 1, 'actors'],
  [/^(config\/|application\/)/, 2, 'application'],
  [/^apps\//, 3, 'apps'],
  [/^cli\//, 4, 'cli'],
];

function layerOf(file: string): [number, string] | undefined {
  for (const [pattern, rank, name] of LAYERS) if (pattern.test(file)) return [rank, name];
  return undefined;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Run-time imports of a module, as paths relative to lib/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const pattern = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm;
  const dynamic = /import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const match of [...text.matchAll(pattern), ...text.matchAll(dynamic)]) {
    const target = resolve(dirname(file), match[1]!).replace(/\.js$/, '.ts');
    found.push(relative(root, target));
  }
  return found;
}

const graph = new Map(sources(root).map((file) => [relative(root, file), importsOf(file)]));

describe('layers', () => {
  it('should place every module of lib/ in a layer of DESIGN.md', () => {
    const unplaced = [...graph.keys()].filter((f) => f !== 'index.ts' && !layerOf(f));
    expect(unplaced).to.deep.equal([]);
  });

  it('should never import from a higher layer', () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      const from = layerOf(file);
      if (!from) continue;
      for (const target of imports) {
        const to = layerOf(target);
        if (to === undefined || to[0] > from[0]) {
          violations.push(`${file} (${from[1]}) imports ${target} (${to?.[1] ?? 'entry'})`);
        }
      }
    }
    expect(violations).to.deep.equal([]);
  });

  it('should have no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'visiting');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'visiting') {
          cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
        } else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).to.deep.equal([]);
  });
});

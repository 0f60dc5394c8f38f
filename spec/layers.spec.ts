/**
 * The layers of DESIGN.md, one rank per folder of lib/: a module refers only
 * to modules of its own folder or of lower ranks, and no module refers to
 * itself back through a cycle. Every reference counts: run-time and
 * type-only imports and re-exports, dynamic `import()`, and module URLs
 * (`new URL('./x.js', import.meta.url)`, how child entry points are named).
 *
 * `KNOWN` lists the references that break this today, each with why; the
 * spec fails on any other one, and on a known one that is gone (so that the
 * list only shrinks).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../lib');

/** Rank of each folder (or top-level module) of lib/, lower layers first. */
const LAYERS: [RegExp, number, string][] = [
  [
    /^(errors\.ts|rx\.ts|modulePack\.ts|compileCache\.cjs|util\/)/,
    0,
    'primitives: errors, rx and its code caches, util',
  ],
  [/^(log|codec)\//, 1, 'primitives: log, codec'],
  [/^async\//, 2, 'primitives: async'],
  [/^eventloop\//, 3, 'primitives: eventloop'],
  [/^(concurrency|transport)\//, 4, 'actors: concurrency, transport'],
  [/^actor\//, 5, 'actors: actor core'],
  [/^child\//, 6, 'actors: child start-up'],
  [/^monitor\//, 7, 'actors: monitor'],
  [/^(arbiter|remote|control|metrics)\//, 8, 'actors: arbiter, remote nodes, control, metrics'],
  [/^config\//, 9, 'application: config'],
  [/^application\//, 10, 'application'],
  [/^apps\//, 11, 'apps'],
  [/^cli\//, 12, 'cli'],
];

/**
 * References against the layers that remain, as `from -> to`, each with
 * why. The list may only shrink.
 */
const KNOWN = new Set<string>([]);

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

/** Every module a module refers to, as paths relative to lib/. */
function referencesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const patterns = [
    /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm,
    /import\(\s*['"](\.[^'"]+)['"]\s*\)/g,
    /new URL\(\s*['"](\.[^'"]+\.js)['"]\s*,\s*import\.meta\.url\s*\)/g,
  ];
  return patterns.flatMap((pattern) =>
    [...text.matchAll(pattern)].map((match) =>
      relative(root, resolve(dirname(file), match[1]!).replace(/\.js$/, '.ts')),
    ),
  );
}

const graph = new Map(sources(root).map((file) => [relative(root, file), referencesOf(file)]));

/** Run-time references only: what can form a cycle when modules load. */
const loadGraph = new Map(
  [...graph.keys()].map((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const runtime = [
      ...text.matchAll(
        /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm,
      ),
      ...text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g),
    ].map((m) => relative(root, resolve(dirname(join(root, file)), m[1]!).replace(/\.js$/, '.ts')));
    return [file, runtime];
  }),
);

describe('layers', () => {
  it('should place every module of lib/ in a layer of DESIGN.md', () => {
    const unplaced = [...graph.keys()].filter((f) => f !== 'index.ts' && !layerOf(f));
    expect(unplaced).to.deep.equal([]);
  });

  it('should never refer to a higher layer, but for the known references', () => {
    const violations = new Set<string>();
    for (const [file, references] of graph) {
      const from = layerOf(file);
      if (!from) continue;
      for (const target of references) {
        const to = layerOf(target);
        if (to === undefined || to[0] > from[0]) violations.add(`${file} -> ${target}`);
      }
    }
    expect(
      [...violations].filter((v) => !KNOWN.has(v)),
      'new references upwards',
    ).to.deep.equal([]);
    expect(
      [...KNOWN].filter((v) => !violations.has(v)),
      'known ones now gone',
    ).to.deep.equal([]);
  });

  it('should have no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'visiting');
      stack.push(file);
      for (const next of loadGraph.get(file) ?? []) {
        if (state.get(next) === 'visiting') {
          cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
        } else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of loadGraph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).to.deep.equal([]);
  });
});

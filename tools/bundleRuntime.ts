/**
 * Build step after `tsc` (`npm run build`): puts the modules a child actor
 * loads into one file, `dist/lib/runtime.js`, keeping one instance of each.
 *
 * A cold child loaded ~55 ES modules of rxpulsar one by one; Node 20
 * resolves, reads and links each (~0.5 ms each on the 2-core machine),
 * most of a cold spawn's cost over a bare `fork()` (see docs/choices.md,
 * "Cold spawn: one runtime file"). Here:
 *
 * - the static import graph of the two child entries (`lib/child/entry/`)
 *   is bundled, from the TypeScript sources, into `dist/lib/runtime.js`,
 *   which exports every export of every module in it under a unique name;
 *   the other modules of rxpulsar stay out (imported by path: a dynamic
 *   `import()` of one of them stays dynamic), and so do the packages;
 * - each bundled module's `dist/lib/<path>.js` becomes a one-line module
 *   that re-exports its names from `runtime.js`: `import 'rxpulsar'`, a deep
 *   import and a child actor all get the same classes and state;
 * - each entry is bundled with its imports taken from `runtime.js` directly:
 *   a child loads two files of rxpulsar.
 *
 * `dist/lib/runtime.json` lists the modules made one-liners: one that left
 * the graph gets its own code back (transpiled) at the next build.
 */
import { build, transform, type Plugin } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LIB = join(ROOT, 'lib');
const OUT = join(ROOT, 'dist', 'lib');
const RUNTIME = join(OUT, 'runtime.js');
const MANIFEST = join(OUT, 'runtime.json');
const ENTRIES = ['child/entry/process.ts', 'child/entry/thread.ts'];

/** A path with `/` separators. */
const slash = (path: string): string => path.split(sep).join('/');
/** `lib/a/b.ts` (absolute) to `a/b` (its module name under lib/). */
const moduleName = (file: string): string => slash(relative(LIB, file)).replace(/\.ts$/, '');
/** An import specifier from the folder of `from` (under dist/lib) to `to` (a module name). */
const specifier = (from: string, to: string): string => {
  const rel = slash(relative(dirname(join(OUT, from)), join(OUT, `${to}.js`)));
  return rel.startsWith('.') ? rel : `./${rel}`;
};

const common = {
  absWorkingDir: ROOT,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  tsconfig: join(ROOT, 'tsconfig.json'),
} as const;

/** The modules the entries import statically, entries excluded (absolute .ts paths). */
async function staticGraph(): Promise<string[]> {
  const result = await build({
    ...common,
    entryPoints: ENTRIES.map((e) => join(LIB, e)),
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(ROOT, 'dist', 'tmp-graph'),
  });
  const inputs = result.metafile.inputs;
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imp of inputs[path]?.imports ?? []) {
      if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
    }
  };
  for (const entry of ENTRIES) visit(slash(join('lib', entry)));
  return [...seen]
    .filter((p) => !ENTRIES.some((e) => p === slash(join('lib', e))))
    .map((p) => join(ROOT, p))
    .sort();
}

/** The value exports of a module (types are gone once transpiled). */
async function exportsOf(file: string): Promise<string[]> {
  const source = readFileSync(file, 'utf8');
  if (/^\s*export\s*\*/m.test(source)) {
    throw new Error(`bundleRuntime: ${file} re-exports with "export *": list the names`);
  }
  const result = await build({
    ...common,
    entryPoints: [file],
    bundle: false,
    write: false,
    metafile: true,
    outdir: join(ROOT, 'dist', 'tmp-exports'),
  });
  return Object.values(result.metafile.outputs).flatMap((o) => o.exports);
}

/** The unique name of export `name` of module number `i` in runtime.js. */
const bundled = (i: number, name: string): string => `m${i}$${name}`;

/**
 * A plugin that keeps rxpulsar's modules outside `inside` out of the bundle
 * (imported by their dist path), and points `import.meta.url` of a bundled
 * module at its own dist path.
 */
function libPlugin(bundleName: string, inside: (file: string) => boolean): Plugin {
  return {
    name: 'rxpulsar-lib',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.importer === '' || !args.importer.startsWith(LIB)) return undefined;
        const target = join(dirname(args.importer), args.path).replace(/\.js$/, '.ts');
        if (!target.startsWith(LIB) || inside(target) || !existsSync(target)) return undefined;
        return { path: specifier(bundleName, moduleName(target)), external: true };
      });
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(LIB)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        const own = `new URL(${JSON.stringify(specifier(bundleName, moduleName(args.path)))}, import.meta.url).href`;
        return { contents: source.replaceAll('import.meta.url', own), loader: 'ts' };
      });
    },
  };
}

/**
 * A plugin that takes the imports of bundled modules from runtime.js
 * (`runtime`: its specifier from the module being built).
 */
function fromRuntime(
  runtime: string,
  index: Map<string, number>,
  names: Map<string, string[]>,
): Plugin {
  return {
    name: 'rxpulsar-runtime-imports',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.namespace === 'runtime') return { path: runtime, external: true };
        const target = join(dirname(args.importer), args.path).replace(/\.js$/, '.ts');
        return index.has(target) ? { path: moduleName(target), namespace: 'runtime' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'runtime' }, (args) => {
        const file = join(LIB, `${args.path}.ts`);
        const i = index.get(file)!;
        const list = names.get(file)!.map((n) => `${bundled(i, n)} as ${n}`);
        const from = JSON.stringify(runtime);
        return {
          contents:
            list.length > 0 ? `export { ${list.join(', ')} } from ${from};` : `import ${from};`,
          loader: 'js',
        };
      });
    },
  };
}

async function main(): Promise<void> {
  const graph = await staticGraph();
  const names = new Map<string, string[]>();
  for (const file of graph) names.set(file, await exportsOf(file));
  const index = new Map(graph.map((file, i) => [file, i]));
  const inGraph = (file: string): boolean => index.has(file);

  // runtime.js: every module of the graph, every export under a unique name.
  const runtimeEntry = graph
    .map((file, i) => {
      const list = names.get(file)!.map((n) => `${n} as ${bundled(i, n)}`);
      return list.length > 0
        ? `export { ${list.join(', ')} } from ${JSON.stringify(file)};`
        : `import ${JSON.stringify(file)};`;
    })
    .join('\n');
  await build({
    ...common,
    stdin: { contents: runtimeEntry, resolveDir: LIB, sourcefile: 'runtime.ts', loader: 'ts' },
    bundle: true,
    outfile: RUNTIME,
    sourcemap: true,
    banner: { js: '// Generated by tools/bundleRuntime.ts: the modules a child actor loads.' },
    plugins: [libPlugin('runtime', inGraph)],
  });

  // Each bundled module: its names, from runtime.js.
  for (const file of graph) {
    const i = index.get(file)!;
    const name = moduleName(file);
    const list = names.get(file)!.map((n) => `${bundled(i, n)} as ${n}`);
    const from = JSON.stringify(specifier(name, 'runtime'));
    writeFileSync(
      join(OUT, `${name}.js`),
      `// Generated by tools/bundleRuntime.ts: this module is bundled in runtime.js.\n` +
        (list.length > 0 ? `export { ${list.join(', ')} } from ${from};\n` : `import ${from};\n`),
    );
  }

  // The entries: their own code, their imports from runtime.js.
  for (const entry of ENTRIES) {
    const name = moduleName(join(LIB, entry));
    await build({
      ...common,
      entryPoints: [join(LIB, entry)],
      bundle: true,
      outfile: join(OUT, `${name}.js`),
      sourcemap: true,
      plugins: [fromRuntime(specifier(name, 'runtime'), index, names), libPlugin(name, inGraph)],
    });
  }

  // Modules bundled last time but no longer: their own code again.
  const before: string[] = existsSync(MANIFEST)
    ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as string[])
    : [];
  const now = graph.map(moduleName);
  for (const name of before.filter((n) => !now.includes(n))) {
    const file = join(LIB, `${name}.ts`);
    if (!existsSync(file)) continue;
    const { code } = await transform(readFileSync(file, 'utf8'), {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      tsconfigRaw: readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'),
    });
    writeFileSync(join(OUT, `${name}.js`), code);
  }
  writeFileSync(MANIFEST, `${JSON.stringify(now, null, 2)}\n`);
}

await main();

/**
 * The CommonJS runtime files of a child (see tools/bundleRuntime.ts). For
 * each of them, `runtime.cjs` say:
 *
 * - `runtime.body.cjs` is esbuild's bundle of its modules, its first line
 *   naming its build;
 * - `runtime.cjs` (what everyone requires, the module's one instance)
 *   runs the body with a V8 code cache the install writes for itself
 *   (lib/compileCache.cts), checked before V8 sees it. A cache the build
 *   wrote was dropped: V8 (Node 20) keeps the file name a cache was made
 *   with, so every stack frame of an installed package named the build
 *   machine's folder (docs/choices.md, "Cold spawn: a CommonJS child" and
 *   "Cold spawn: a code cache per install");
 * - `runtime.js` is the ES module of it, for ES modules (see {@link esModuleOf}).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The entries and runtime files built as CommonJS (`.cjs`): what a child loads. */
export const CJS = new Set([
  'child/entry/process',
  'child/entry/thread',
  'runtime',
  'runtime-process',
  'runtime-thread',
  'runtime-lib',
]);

/**
 * Beside a runtime file's bundle: for a CommonJS one (its bundle is its
 * body), its stub and its ES module; for another, no file of an earlier
 * CommonJS build.
 *
 * @param dir - dist/lib.
 * @param runtime - the runtime file's name (`runtime`).
 * @param names - its exports.
 * @param generated - how the build's files begin.
 * @example
 * ```ts
 * writeCjsFiles('dist/lib', 'runtime', names, GENERATED);
 * ```
 */
export function writeCjsFiles(
  dir: string,
  runtime: string,
  names: string[],
  generated: string,
): void {
  const stale = CJS.has(runtime)
    ? ['.js.map', '.cjs.map']
    : ['.cjs', '.cjs.map', '.body.cjs', '.body.cjs.map', '.body.cjs.cache'];
  for (const ext of stale) rmSync(join(dir, `${runtime}${ext}`), { force: true });
  if (!CJS.has(runtime)) return;
  const eager = routeImports(join(dir, `${runtime}.body.cjs`));
  writeFileSync(join(dir, `${runtime}.cjs`), stubOf(runtime, generated));
  writeFileSync(join(dir, `${runtime}.js`), esModuleOf(runtime, names, generated, eager));
}

/**
 * tsc's module of a CommonJS entry (`child/entry/thread.js`) runs the
 * CommonJS one, for whoever starts it by that name.
 *
 * @param dir - dist/lib.
 * @param name - the entry's module name.
 * @param generated - how the build's files begin.
 * @example
 * ```ts
 * writeEntryModule('dist/lib', 'child/entry/thread', GENERATED);
 * ```
 */
export function writeEntryModule(dir: string, name: string, generated: string): void {
  const base = name.split('/').pop()!;
  const cjs = JSON.stringify(`./${base}.cjs`);
  writeFileSync(
    join(dir, `${name}.js`),
    `${generated}: the entry is ${base}.cjs.\nimport ${cjs};\n`,
  );
  rmSync(join(dir, `${name}.js.map`), { force: true });
}

/**
 * What the stub gives a body for its `import()`s, and for its `new
 * Function`s (functions sent by source, whose own `import()`s go by the
 * script that compiled them): Node 20 runs no `import()` of a script
 * compiled with a code cache (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING: the
 * cache drops the script's loader), and its vm loader option is
 * experimental (a warning). The stub's own (a module Node's loader
 * compiled) do it, from the same folder.
 */
const IMPORT = '__rxpulsarImport';
const FUNCTION = '__rxpulsarFunction';
/**
 * A body's `import()`s and `new Function`s call the stub's (see {@link
 * IMPORT}), or their own when Node's loader loads the body (no stub's): set
 * on its `"use strict"` line, its lines and source map unchanged. Its
 * requires are made lazy ({@link lazyRequires}).
 *
 * @returns the ES modules the body requires as it runs.
 */
function routeImports(body: string): string[] {
  const { source, eager } = lazyRequires(readFileSync(body, 'utf8'));
  const routed = source
    // A function of the body may be sent by source to a child, which makes
    // it with `new Function` at its global scope, where the body's names are
    // not: there it runs its own `import()` (the stub's `Function` made it).
    .replace(
      /(?<![\w$.])import\(/g,
      `(typeof ${IMPORT}$ === "function" ? ${IMPORT}$ : (s) => import(s))(`,
    )
    .replace(
      /\bnew Function\(/g,
      `new (typeof ${FUNCTION}$ === "function" ? ${FUNCTION}$ : Function)(`,
    );
  const strict = '\n"use strict";\n';
  if (!routed.includes(strict)) throw new Error(`cjsRuntime: ${body}: no "use strict" line`);
  if (/(?<![\w$.])(?:eval|Function)\(/.test(routed)) {
    throw new Error(`cjsRuntime: ${body}: an eval or Function() the stub does not give`);
  }
  const own =
    `var ${IMPORT}$ = typeof ${IMPORT} === "function" ? ${IMPORT} : (s) => import(s);` +
    ` var ${FUNCTION}$ = typeof ${FUNCTION} === "function" ? ${FUNCTION} : Function;`;
  writeFileSync(body, routed.replace(strict, `\n"use strict"; ${own}\n`));
  return eager;
}

/**
 * A body's built-in modules and rxpulsar's ES modules (those kept out of
 * the CommonJS files: `runtime-test.js`, `runtime-suite.js`,
 * `application/registry.js`), each required at its first use, not when the
 * body runs: `runtime-lib`'s modules import `node:http`, `cluster`,
 * `child_process`, `net`, `crypto` and the test command's runtime files,
 * which a child actor whose behaviour module imports `rxpulsar` loaded for
 * nothing (docs/choices.md, "Cold spawn: a behaviour module importing
 * rxpulsar"). esbuild's `var import_node_http = require("node:http");`
 * keeps its line (`var import_node_http$;`), and each use reads
 * `(import_node_http$ ??= require("node:http"))`.
 *
 * An ES module used at the body's top level (an unindented line) stays
 * required when the body runs: it is returned, for the body's ES module to
 * import first (see {@link esModuleOf}).
 *
 * @param source - the body.
 * @returns the body, and the ES modules it requires as it runs.
 * @example
 * ```ts
 * const { source, eager } = lazyRequires(readFileSync(body, 'utf8'));
 * ```
 */
export function lazyRequires(source: string): { source: string; eager: string[] } {
  const declared = source.matchAll(
    /^var (import_\w+) = ((?:__toESM\()?require\("(node:[\w/]+|\.{1,2}\/[^"]+\.js)"\)(?:, 1\))?);$/gm,
  );
  let out = source;
  const eager = new Set<string>();
  for (const [line, name, load, specifier] of declared) {
    const use = new RegExp(`(?<![\\w$.])${name!}(?![\\w$])`, 'g');
    const top = out.split('\n').some((l) => l !== line && /^\S/.test(l) && use.test(l));
    use.lastIndex = 0;
    if (top && !specifier!.startsWith('node:')) {
      eager.add(specifier!);
      continue;
    }
    // The declaration's name is followed by `$` then: not a use.
    out = out.replace(line, `var ${name!}$;`).replace(use, `(${name!}$ ??= ${load!})`);
  }
  return { source: out, eager: [...eager] };
}

/** The first line of a body: what it is and which build made it. */
export const bodyBanner = (generated: string): string =>
  `${generated}: modules of rxpulsar, bundled (build ${randomUUID()}).`;

/**
 * @param base - the runtime file's name (`runtime`).
 * @param generated - how the build's files begin.
 * @returns the source of `runtime.cjs`, which runs `runtime.body.cjs`.
 * @example
 * ```ts
 * writeFileSync('dist/lib/runtime.cjs', stubOf('runtime', GENERATED));
 * ```
 */
export function stubOf(base: string, generated: string): string {
  return `${generated}: runs ${base}.body.cjs with this install's code cache (lib/compileCache.cts).
"use strict";
require("./compileCache.cjs").runBody(module, require, require.resolve(${JSON.stringify(`./${base}.body.cjs`)}));
`;
}

/**
 * The ES module of a CommonJS runtime file (`runtime.js` for `runtime.cjs`):
 * it requires it and exports its `names`. ES modules import this one, not
 * the `.cjs`: Node would parse a CommonJS file for its names (its lexer:
 * ~15 ms of an arbiter's `import 'rxpulsar'`); a `require` does not.
 *
 * The ES modules the body requires (`esModules`, Node >= 20.19 requires an
 * ES module) are imported first: the body then finds each evaluated. A
 * `require` of one that is linked in the ES graph being evaluated, but not
 * yet evaluated itself (`index.js` imports `application/registry.js`
 * too), would be a cycle for Node (`ERR_REQUIRE_CYCLE_MODULE`).
 *
 * @param base - the runtime file's name (`runtime`).
 * @param names - its exports.
 * @param generated - how the build's files begin.
 * @param esModules - the ES modules the body requires, by their specifiers.
 * @returns the module's source.
 * @example
 * ```ts
 * writeFileSync('dist/lib/runtime.js', esModuleOf('runtime', ['m$errors$RxPulsarError'], GENERATED));
 * ```
 */
export function esModuleOf(
  base: string,
  names: string[],
  generated: string,
  esModules: string[] = [],
): string {
  return [
    `${generated}: the ES module of ${base}.cjs (its names, the same instance).`,
    'import { createRequire } from "node:module";',
    ...esModules.map((spec) => `import ${JSON.stringify(spec)};`),
    `const m = createRequire(import.meta.url)(${JSON.stringify(`./${base}.cjs`)});`,
    names.length > 0 ? `export const { ${names.join(', ')} } = m;` : '',
    '',
  ].join('\n');
}

/**
 * The CommonJS runtime files of a child (see tools/bundleRuntime.ts). For
 * each of them, `runtime.cjs` say:
 *
 * - `runtime.body.cjs` is esbuild's bundle of its modules, its first line
 *   naming its build;
 * - `runtime.cjs` (what everyone requires, the module's one instance) runs
 *   the body compiled with the V8 code cache of its build,
 *   `runtime.body.cjs.cache`: compiling the three bodies cost a cold child
 *   ~2 ms of its start (docs/choices.md, "Cold spawn: a CommonJS child").
 *   The cache is used only if it names the body's build (its first line)
 *   and V8 takes it (same Node, same V8 flags, same length); else the body
 *   is compiled as usual. Where Node's loader does more than compile and
 *   run a file (source maps, a policy, a hook installed by a flag: the
 *   cases of lib/rx.ts; and V8 coverage, `NODE_V8_COVERAGE`, whose report
 *   takes the source maps of the files Node loaded), Node's `require`
 *   loads the body;
 * - `runtime.js` is the ES module of it, for ES modules (see {@link esModuleOf}).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

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
/** The stub's, in its source: the two it gives. */
const GIVEN =
  '(specifier) => import(specifier), function (...args) { return new Function(...args); }';

/** How the stub wraps a body (as Node's loader wraps a module, plus what it gives). */
const HEAD = `(function (exports, require, module, __filename, __dirname, ${IMPORT}, ${FUNCTION}) { `;
const TAIL = '\n})';

/** The flags with which Node's loader must load the body itself (lib/rx.ts's `NODE_LOADS`). */
const NODE_LOADS =
  /--experimental-policy|--policy-integrity|(?:^|\s)(?:-r|--require|--import|--loader|--experimental-loader)(?:[\s=]|$)/;

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
  const body = JSON.stringify(`${base}.body.cjs`);
  return `${generated}: runs ${base}.body.cjs, compiled with the V8 code cache of its build (tools/cjsRuntime.ts).
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const vm = require("node:vm");
const body = join(__dirname, ${body});
const flags = \`\${process.execArgv.join(" ")} \${process.env.NODE_OPTIONS ?? ""}\`;
if (process.sourceMapsEnabled || process.env.NODE_V8_COVERAGE || ${NODE_LOADS.toString()}.test(flags)) {
  module.codeCache = "node";
  module.exports = require(body);
} else {
  const source = readFileSync(body, "utf8");
  const build = source.slice(0, source.indexOf("\\n"));
  let cachedData;
  try {
    const raw = readFileSync(\`\${body}.cache\`);
    const end = raw.indexOf(10);
    if (raw.toString("utf8", 0, end) === build) cachedData = raw.subarray(end + 1);
  } catch {
    // No cache: compiled as usual.
  }
  const script = new vm.Script(${JSON.stringify(HEAD)} + source + ${JSON.stringify(TAIL)}, { filename: body, cachedData });
  module.codeCache = cachedData === undefined ? "none" : script.cachedDataRejected ? "rejected" : "accepted";
  const run = script.runInThisContext();
  run.call(module.exports, module.exports, require, module, body, __dirname, ${GIVEN});
}
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

/**
 * Write each body's code cache: in a fresh thread, compile each body as its
 * stub does and run it (its modules' code is then in the cache too), in
 * the order given (a body requires the stubs of those before it).
 *
 * @param dir - the folder of the runtime files (dist/lib).
 * @param bases - their names, each before those that require it.
 * @returns once written.
 * @example
 * ```ts
 * await writeCodeCaches('dist/lib', ['runtime', 'runtime-process', 'runtime-thread']);
 * ```
 */
export async function writeCodeCaches(dir: string, bases: string[]): Promise<void> {
  const code = `
    const { readFileSync, writeFileSync } = require('node:fs');
    const Module = require('node:module');
    const vm = require('node:vm');
    const { dir, bases, head, tail } = require('node:worker_threads').workerData;
    for (const base of bases) {
      const stub = dir + '/' + base + '.cjs';
      const body = dir + '/' + base + '.body.cjs';
      const source = readFileSync(body, 'utf8');
      const script = new vm.Script(head + source + tail, { filename: body });
      const m = new Module(stub, module);
      m.filename = stub;
      m.paths = Module._nodeModulePaths(dir);
      require.cache[stub] = m;
      const given = [${GIVEN}];
      script.runInThisContext().call(m.exports, m.exports, (id) => m.require(id), m, body, dir, ...given);
      m.loaded = true;
      const build = source.slice(0, source.indexOf('\\n'));
      writeFileSync(body + '.cache', Buffer.concat([Buffer.from(build + '\\n'), script.createCachedData()]));
    }`;
  const worker = new Worker(code, {
    eval: true,
    execArgv: [], // CommonJS code, whatever flags ran the build
    workerData: { dir, bases, head: HEAD, tail: TAIL },
    env: { ...process.env, RXPULSAR_LOG_LEVEL: 'silent' },
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`cjsRuntime: the code caches: exit ${code}`)),
    );
  });
}

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
  routeImports(join(dir, `${runtime}.body.cjs`));
  writeFileSync(join(dir, `${runtime}.cjs`), stubOf(runtime, generated));
  writeFileSync(join(dir, `${runtime}.js`), esModuleOf(runtime, names, generated));
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
 * on its `"use strict"` line, its lines and source map unchanged.
 */
function routeImports(body: string): void {
  const routed = readFileSync(body, 'utf8')
    .replace(/(?<![\w$.])import\(/g, `${IMPORT}$(`)
    .replace(/\bnew Function\(/g, `new ${FUNCTION}$(`);
  const strict = '\n"use strict";\n';
  if (!routed.includes(strict)) throw new Error(`cjsRuntime: ${body}: no "use strict" line`);
  if (/(?<![\w$.])(?:eval|Function)\(/.test(routed)) {
    throw new Error(`cjsRuntime: ${body}: an eval or Function() the stub does not give`);
  }
  const own =
    `var ${IMPORT}$ = typeof ${IMPORT} === "function" ? ${IMPORT} : (s) => import(s);` +
    ` var ${FUNCTION}$ = typeof ${FUNCTION} === "function" ? ${FUNCTION} : Function;`;
  writeFileSync(body, routed.replace(strict, `\n"use strict"; ${own}\n`));
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
 * @param base - the runtime file's name (`runtime`).
 * @param names - its exports.
 * @param generated - how the build's files begin.
 * @returns the module's source.
 * @example
 * ```ts
 * writeFileSync('dist/lib/runtime.js', esModuleOf('runtime', ['m$errors$RxPulsarError'], GENERATED));
 * ```
 */
export function esModuleOf(base: string, names: string[], generated: string): string {
  return [
    `${generated}: the ES module of ${base}.cjs (its names, the same instance).`,
    'import { createRequire } from "node:module";',
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

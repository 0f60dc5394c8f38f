/**
 * Runs a runtime file's body (`runtime.body.cjs`, see tools/cjsRuntime.ts)
 * compiled with a V8 code cache this install writes for itself: a cold
 * child then compiles the runtime in ~0.5 ms instead of ~2.5, and an
 * arbiter's `import 'rxpulsar'` saves ~4 ms (docs/choices.md, "Cold spawn:
 * a code cache per install").
 *
 * A cache is made where it is used, never shipped: V8 keeps the file name a
 * cache was made with (Node 20), so a cache built elsewhere named the build
 * machine's folder in every stack frame. Each one is checked before V8 sees
 * it, since V8 does not check its payload and crashes on a damaged one:
 *
 * - its folder is the user's own and writable by no one else
 *   (`RXPULSAR_COMPILE_CACHE`, else `<tmpdir>/rxpulsar-code-cache-<uid>`;
 *   `RXPULSAR_COMPILE_CACHE=off` turns the cache off);
 * - its name hashes the body's path, Node's version, the architecture and
 *   the flags (V8 rejects a cache made under other flags);
 * - its first line names the body's path and the CRC-32 of the body's
 *   source and of the cache itself (`zlib.crc32`, Node >= 20.15): an edited
 *   body or a damaged file is compiled from source and the cache written
 *   again, at the process's first turn (`setImmediate`), to a temporary
 *   file renamed into place (no reader sees half a file).
 *
 * Node's loader runs the body itself (no cache) where it does more than
 * compile and run a file: source maps, V8 coverage, a policy, or a hook
 * installed by a flag (`-r`, `--import`, `--loader`), as `lib/rx.ts` does
 * for RxJS.
 * @module
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import fs = require('node:fs');
import path = require('node:path');
import vm = require('node:vm');

/** How the body is wrapped (as Node's loader wraps a module), plus what it is given. */
const HEAD =
  '(function (exports, require, module, __filename, __dirname, __rxpulsarImport, __rxpulsarFunction) { ';
const TAIL = '\n})';

/** The flags under which Node's loader must run the body itself. */
const NODE_LOADS =
  /--experimental-policy|--policy-integrity|(?:^|\s)(?:-r|--require|--import|--loader|--experimental-loader)(?:[\s=]|$)/;

/** The environment variable: a folder for the caches, or `off`. */
const CACHE_ENV = 'RXPULSAR_COMPILE_CACHE';

/** How a body was compiled: what `module.codeCache` says (the specs read it). */
type CodeCacheUse = 'node' | 'off' | 'none' | 'accepted' | 'rejected';

/**
 * The body's `import()`: Node 20 runs none in a script compiled with a code
 * cache (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so the body calls this
 * one, from a file Node's loader compiled in the same folder.
 */
const importHere = (specifier: string): Promise<unknown> => import(specifier);

/**
 * The body's `new Function` (a function sent by source to a child): made
 * here, its own `import()` works.
 */
function functionHere(...args: string[]): unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the body's own `new Function`, made here
  return new Function(...args);
}

type Crc32 = (data: string | Uint8Array) => number;
let crc32: Crc32 | undefined | null = null;

/** @returns `zlib.crc32`, or undefined on a Node without it (no cache then). */
function crc(): Crc32 | undefined {
  if (crc32 === null) crc32 = (require('node:zlib') as { crc32?: Crc32 }).crc32;
  return crc32;
}

/** @returns the folder of the caches, by the environment, or undefined when off. */
function folder(): string | undefined {
  const given = process.env[CACHE_ENV];
  if (given === 'off' || given === '0') return undefined;
  if (given !== undefined && given !== '') return path.resolve(given);
  const tmp = (
    process.env['TMPDIR'] ||
    process.env['TMP'] ||
    process.env['TEMP'] ||
    '/tmp'
  ).replace(/\/+$/, '');
  return path.join(tmp || '/', `rxpulsar-code-cache-${process.getuid?.() ?? 'user'}`);
}

/**
 * @param dir - the caches' folder.
 * @returns whether it is a real folder (not a link) of this user that no one else can write to.
 */
function ownFolder(dir: string): boolean {
  try {
    const stat = fs.lstatSync(dir);
    const uid = process.getuid?.();
    return (
      stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o022) === 0
    );
  } catch {
    return false;
  }
}

/** What a cache file's first line says. */
interface CacheHead {
  file: string;
  source: number;
  data: number;
  length: number;
}

/**
 * @param cacheFile - the cache's path.
 * @param file - the body's path.
 * @param source - the CRC-32 of the body's source.
 * @param sum - `crc32`.
 * @returns the cache's data if it is the body's and whole, else undefined.
 */
function readCache(
  cacheFile: string,
  file: string,
  source: number,
  sum: Crc32,
): Buffer | undefined {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const end = raw.indexOf(10);
  if (end < 0) return undefined;
  let head: Partial<CacheHead>;
  try {
    head = JSON.parse(raw.toString('utf8', 0, end)) as Partial<CacheHead>;
  } catch {
    return undefined;
  }
  const data = raw.subarray(end + 1);
  const whole =
    head.file === file &&
    head.source === source &&
    head.length === data.length &&
    head.data === sum(data);
  return whole ? data : undefined;
}

/**
 * Write the script's cache, once its folder is checked (made if missing).
 * A failure leaves no file and costs the next process nothing more than
 * this one's attempt.
 */
function writeCache(
  dir: string,
  cacheFile: string,
  file: string,
  source: number,
  script: vm.Script,
  sum: Crc32,
): void {
  const temporary = `${cacheFile}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownFolder(dir)) return;
    const data = script.createCachedData();
    const head: CacheHead = { file, source, data: sum(data), length: data.length };
    fs.writeFileSync(temporary, Buffer.concat([Buffer.from(`${JSON.stringify(head)}\n`), data]), {
      mode: 0o600,
    });
    fs.renameSync(temporary, cacheFile);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Run the body `name` (in the stub's folder) as the stub's module.
 *
 * @param stub - the stub's `module` (the body's exports become its exports).
 * @param requireHere - the stub's `require` (the body's requires are relative to the same folder).
 * @param name - the body's file name (`runtime.body.cjs`).
 * @example
 * ```js
 * require('./compileCache.cjs').runBody(module, require, 'runtime.body.cjs');
 * ```
 */
function runBody(stub: NodeJS.Module, requireHere: NodeJS.Require, name: string): void {
  const use = stub as NodeJS.Module & { codeCache?: CodeCacheUse };
  const dir = path.dirname(stub.filename);
  const file = path.join(dir, name);
  const flags = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
  const caches = folder();
  const sum = caches === undefined ? undefined : crc();
  if (
    process.sourceMapsEnabled ||
    process.env['NODE_V8_COVERAGE'] ||
    NODE_LOADS.test(flags) ||
    caches === undefined ||
    sum === undefined
  ) {
    use.codeCache = caches === undefined || sum === undefined ? 'off' : 'node';
    stub.exports = requireHere(file) as unknown;
    return;
  }
  const bytes = fs.readFileSync(file);
  const source = sum(bytes);
  const key = sum(`${file}\0${process.version}\0${process.arch}\0${flags}`).toString(16);
  const cacheFile = path.join(caches, `${name.replace(/\.cjs$/, '')}-${key}.v8`);
  const cachedData = ownFolder(caches) ? readCache(cacheFile, file, source, sum) : undefined;
  const script = new vm.Script(HEAD + bytes.toString('utf8') + TAIL, {
    filename: file,
    cachedData,
  });
  use.codeCache =
    cachedData === undefined
      ? 'none'
      : script.cachedDataRejected === true
        ? 'rejected'
        : 'accepted';
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(stub.exports, stub.exports, requireHere, stub, file, dir, importHere, functionHere);
  if (use.codeCache !== 'accepted') {
    // After this turn (a short script's too): the first spawn of an install is not kept waiting.
    setImmediate(() => writeCache(caches, cacheFile, file, source, script, sum));
  }
}

export = { runBody, CACHE_ENV };

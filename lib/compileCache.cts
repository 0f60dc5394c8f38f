/**
 * Runs a runtime file's body (`runtime.body.cjs`, see tools/cjsRuntime.ts)
 * compiled with a V8 code cache this install writes for itself: a cold
 * child compiles the runtime in ~0.5 ms instead of ~2.5 (~1 ms of checks
 * added), and `import 'rxpulsar'` takes ~21 ms instead of ~24
 * (docs/choices.md, "Cold spawn: a code cache per install").
 *
 * A cache is made where it is used, never shipped: V8 keeps the file name a
 * cache was made with (Node 20), so a cache built elsewhere named the build
 * machine's folder in every stack frame. Each one is checked before V8 sees
 * it, since V8 does not check its payload and crashes on a damaged one:
 *
 * - its folder is the user's own and writable by no one else
 *   (`RXPULSAR_COMPILE_CACHE`, an absolute path, else
 *   `<tmpdir>/rxpulsar-code-cache-<uid>`; `off`, `0`, `false` or a relative
 *   path turn the cache off);
 * - its name hashes the body's path, Node's version, the architecture,
 *   the process's flags (V8 rejects a cache made under other flags; a
 *   thread runs under its process's, whatever its `execArgv` says: see
 *   `v8Flags`) and, in an actor's child, its kind: a child's caches are its
 *   own, made once its actor runs, so that they hold its start too (see
 *   `role`);
 * - its first line names the body's path and the CRC-32 of the body's
 *   source and of the cache itself (`zlib.crc32`, Node >= 20.15): an edited
 *   body or a damaged file is compiled from source and the cache written
 *   again: made right after the body's run (what it compiled, no more),
 *   written soon after, never throwing (lib/compileCacheWrites.cts, loaded
 *   by the first write only).
 *
 * Node's loader runs the body itself (no cache) where it does more than
 * compile and run a file: source maps, V8 coverage, a policy, or a hook
 * installed by a flag (`-r`, `--import`, `--loader`), as `lib/rx.ts` does
 * for RxJS.
 *
 * `cacheFile` gives `lib/modulePack.ts` a cache file of its own with the
 * same checks: the pack of RxJS's files.
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
/** Where the main thread leaves its flags for its threads (see {@link v8Flags}). */
const FLAGS_ENV = 'RXPULSAR_V8_FLAGS';
/** The options whose next argument is a script, not a flag. */
const EVAL = new Set(['-e', '--eval', '-p', '--print', '-pe']);

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

/**
 * @returns the folder of the caches, by the environment, or undefined when
 *   off (a relative path would name another folder in each working folder).
 */
function folder(): string | undefined {
  const given = process.env[CACHE_ENV];
  if (given !== undefined && given !== '') return path.isAbsolute(given) ? given : undefined;
  const tmp = process.env['TMPDIR'] || process.env['TMP'] || process.env['TEMP'] || '/tmp';
  if (!path.isAbsolute(tmp)) return undefined;
  return path.join(tmp, `rxpulsar-code-cache-${process.getuid?.() ?? 'user'}`);
}

/**
 * The process's flags, which V8's are (a thread runs under its process's
 * flags, whatever its `execArgv` says: a thread actor gets its arbiter's
 * minus those a thread refuses, such as `--max-old-space-size`). The main
 * thread leaves its own in the environment, marked with its pid, for the
 * threads it starts (a thread's `process.env` is a copy of its parent's);
 * a child process, another pid, reads its own. `v8.cachedDataVersionTag()`
 * says the same and costs a thread ~1 ms to load.
 *
 * @returns the flags V8 runs under, as a key.
 */
function v8Flags(): string {
  const mark = `${process.pid} `;
  const inherited = process.env[FLAGS_ENV];
  if (inherited?.startsWith(mark)) return inherited.slice(mark.length);
  const own = nodeFlags();
  try {
    process.env[FLAGS_ENV] = mark + own;
  } catch {
    // An environment that refuses writes: its threads key by their own flags.
  }
  return own;
}

/** @returns node's flags and `NODE_OPTIONS`, without the text of a `-e` or `-p` script. */
function nodeFlags(): string {
  const kept: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (EVAL.has(arg)) i++;
    else if (!/^--(?:eval|print)=/.test(arg)) kept.push(arg);
  }
  return `${kept.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
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

/** What a cache file's first line says: whose it is, and its data's length and CRC-32. */
interface CacheHead {
  /** The body's path (a pack's: its scope, the folder of its files). */
  file: string;
  /** The CRC-32 of the body's source (a pack has none: each entry has its own). */
  source?: number;
  data: number;
  length: number;
  /** A pack's layout (see `cacheFile`). */
  format?: string;
  /** A pack's entries: each file's path, the CRC-32 of its source, the length of its cache (unchecked JSON). */
  entries?: unknown;
}

/**
 * @param cacheFile - the cache's path.
 * @param file - whose it must be (see {@link CacheHead.file}).
 * @param sum - `crc32`.
 * @returns its head and data if it is `file`'s and whole, else undefined.
 */
function readCache(
  cacheFile: string,
  file: string,
  sum: Crc32,
): { head: CacheHead; data: Buffer } | undefined {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const end = raw.indexOf(10);
  if (end < 0) return undefined;
  let head: CacheHead | null;
  try {
    head = JSON.parse(raw.toString('utf8', 0, end)) as CacheHead | null;
  } catch {
    return undefined;
  }
  if (typeof head !== 'object' || head === null) return undefined;
  const data = raw.subarray(end + 1);
  const whole = head.file === file && head.length === data.length && head.data === sum(data);
  return whole ? { head, data } : undefined;
}

/**
 * @param dir - the caches' folder, made if missing.
 * @returns whether a cache may be written there (see {@link ownFolder}).
 */
function writable(dir: string): boolean {
  return writer()?.makeFolder(dir) === true && ownFolder(dir);
}

type Writes = typeof import('./compileCacheWrites.cjs');
/** lib/compileCacheWrites.cts, once a write loaded it. */
let writes: Writes | undefined;

/** @returns lib/compileCacheWrites.cts, loaded now if need be; undefined if it fails to load (no cache written). */
function writer(): Writes | undefined {
  try {
    return (writes ??= require('./compileCacheWrites.cjs') as Writes);
  } catch {
    return undefined;
  }
}

/**
 * @returns why Node's loader must compile (no cache): `off` (no folder, no
 *   `crc32`) or `node` (source maps, V8 coverage, a hook or policy flag); or
 *   undefined, a cache may be used.
 */
function noCache(): 'off' | 'node' | undefined {
  const can = usable();
  return typeof can === 'string' ? can : undefined;
}
let byNode: boolean | undefined;

/** @returns the caches' folder and `crc32` when a cache may be used, else why not (see {@link noCache}). */
function usable(): { caches: string; sum: Crc32 } | 'off' | 'node' {
  const caches = folder();
  const sum = crc();
  if (caches === undefined || sum === undefined) return 'off';
  byNode ??= nodeLoads();
  return byNode ? 'node' : { caches, sum };
}

/** @returns whether Node's loader must run the files (see the module's doc). */
function nodeLoads(): boolean {
  return (
    process.sourceMapsEnabled ||
    Boolean(process.env['NODE_V8_COVERAGE']) ||
    NODE_LOADS.test(nodeFlags())
  );
}

/**
 * @param name - what the cache is of (a body's file name, `rxjs`).
 * @param of - whose it is (a body's path, a pack's folder).
 * @returns the cache's path (see the module's doc for what its name hashes).
 */
function cachePath(caches: string, name: string, of: string, sum: Crc32): string {
  const what = `${of}\0${role ?? ''}\0${process.version}\0${process.arch}\0${v8Flags()}`;
  const key = sum(what).toString(16);
  return path.join(caches, `${name}-${key}.v8`);
}

/**
 * Run the body `file` as the stub's module.
 *
 * @param stub - the stub's `module` (the body's exports become its exports).
 * @param requireHere - the stub's `require` (the body's requires are relative to the same folder).
 * @param file - the body's path (`require.resolve('./runtime.body.cjs')`: file tracers see it).
 * @example
 * ```js
 * require('./compileCache.cjs').runBody(module, require, require.resolve('./runtime.body.cjs'));
 * ```
 */
function runBody(stub: NodeJS.Module, requireHere: NodeJS.Require, file: string): void {
  const use = stub as NodeJS.Module & { codeCache?: CodeCacheUse };
  const dir = path.dirname(file);
  const can = usable();
  if (typeof can === 'string') {
    use.codeCache = can;
    stub.exports = requireHere(file) as unknown;
    return;
  }
  const { caches, sum } = can;
  const bytes = fs.readFileSync(file);
  const source = sum(bytes);
  const cacheFile = cachePath(caches, path.basename(file, '.cjs'), file, sum);
  const own = ownFolder(caches);
  const read = own ? readCache(cacheFile, file, sum) : undefined;
  const cachedData = read?.head.source === source ? read.data : undefined;
  const script = new vm.Script(HEAD + bytes.toString('utf8') + TAIL, {
    filename: file,
    cachedData,
  });
  use.codeCache = verdict(cachedData, script);
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(stub.exports, stub.exports, requireHere, stub, file, dir, importHere, functionHere);
  // A folder checked above is not made nor checked again.
  if (use.codeCache === 'accepted' || !(own || writable(caches))) return;
  // What the body's run compiled, no more (or, in an actor's child, what its
  // start ran too: see `role`): a cache made later holds the functions
  // one process ran first, which every other one would then deserialize (a
  // larger cache, slower than compiling what it needs).
  whenMade(() => {
    const data = cacheOf(script);
    if (data === undefined) return; // no cache this time: the runtime is loaded all the same
    writer()?.writeSoon(caches, cacheFile, sum, () => ({ head: { file, source }, data }));
  });
}

/**
 * An actor's child (its main module is one of this install's actor
 * entries) keeps caches of its own (a key of their own), made once its
 * actor runs (see {@link actorRunning}): they hold what the actor's start
 * ran too (its handshake: ~1.7 ms less for a cold thread), which an
 * arbiter's `import 'rxpulsar'` would only pay to deserialize.
 */
const role = actorRole();
/** The caches an actor's child makes once its actor runs (undefined: made at once). */
let held: (() => void)[] | undefined = role === undefined ? undefined : [];

/** @returns the actor entry this process or thread runs as, if it does. */
function actorRole(): 'thread' | 'process' | undefined {
  const main = require.main?.filename;
  const entries = path.join(__dirname, 'child', 'entry');
  if (main === path.join(entries, 'thread.cjs')) return 'thread';
  if (main === path.join(entries, 'process.cjs')) return 'process';
  return undefined;
}

/**
 * Make a cache now, or in an actor's child once its actor runs (see {@link role}).
 * @param make - makes the cache and has it written.
 */
function whenMade(make: () => void): void {
  if (held === undefined) make();
  else held.push(make);
}

/**
 * Called by an actor's child once its actor runs: its caches are made now.
 * @example
 * ```js
 * require('../../compileCache.cjs').actorRunning();
 * ```
 */
function actorRunning(): void {
  const made = held ?? [];
  held = undefined;
  for (const make of made) make();
}

/** @returns what V8 made of `cachedData` (see {@link CodeCacheUse}). */
function verdict(cachedData: Buffer | undefined, script: vm.Script): CodeCacheUse {
  if (cachedData === undefined) return 'none';
  return script.cachedDataRejected === true ? 'rejected' : 'accepted';
}

/** @returns the script's code cache, or undefined if V8 made none. */
function cacheOf(script: vm.Script): Buffer | undefined {
  try {
    return script.createCachedData();
  } catch {
    return undefined;
  }
}

/** A cache file of this install's folder, for `lib/modulePack.ts`: read and written with the checks above. */
interface CacheFile {
  /** @returns its head and data if whole and `of`'s (see {@link readCache}), else undefined. */
  read(): { head: CacheHead; data: Buffer } | undefined;
  /** Write it after this turn or at exit (lib/compileCacheWrites.cts): `head` gets `file`, `data` and `length`. */
  writeSoon(make: () => { head: Partial<CacheHead>; data: Buffer } | undefined): void;
}

/**
 * @param name - what it holds (`rxjs`).
 * @param of - whose it is (the folder of the files it holds).
 * @param format - how its data is laid out and compiled: in its name's hash and its head.
 * @returns the cache file, or undefined when no cache is used (see {@link noCache}).
 */
function cacheFile(name: string, of: string, format: string): CacheFile | undefined {
  const can = usable();
  if (typeof can === 'string') return undefined;
  const { caches, sum } = can;
  const file = cachePath(caches, name, `${of}\0${format}`, sum);
  const read = (): ReturnType<CacheFile['read']> => {
    const cache = ownFolder(caches) ? readCache(file, of, sum) : undefined;
    return cache?.head.format === format ? cache : undefined;
  };
  return {
    read,
    writeSoon: (make) =>
      writer()?.writeSoon(caches, file, sum, () => {
        const made = writable(caches) ? make() : undefined;
        return made && { head: { ...made.head, file: of, format }, data: made.data };
      }),
  };
}

export = { runBody, actorRunning, whenMade, noCache, cacheFile, crc, verdict, cacheOf };

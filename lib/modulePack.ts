/**
 * CommonJS files compiled with a V8 code cache this install writes for
 * itself, one file (a pack) for a group of them: RxJS's 23 files a child
 * loads (lib/rx.ts). The pack sits with the runtime's caches and goes through
 * the same checks (lib/compileCache.cts): the user's own folder, a name
 * hashing the group's folder, Node's version, the architecture and V8's
 * flags, a CRC-32 of the whole; each entry also holds the CRC-32 of its
 * file's source, so an edited file compiles from source.
 *
 * A file's cache is made right after its run (what it compiled, the same
 * for every process), or in an actor's child once its actor runs (with
 * what its start ran: lib/compileCache.cts), and the pack written after the
 * process's turn. A thread's runtime loads ~1.5 ms sooner (docs/choices.md,
 * "Cold spawn: RxJS from a code cache, an actor's own caches").
 * @module
 */
import { createRequire, type Module } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction, Script } from 'node:vm';

const require = createRequire(import.meta.url);

/** lib/compileCache.cts (a CommonJS file: its build is `.cjs`). */
type CompileCache = typeof import('./compileCache.cjs');
type CacheFile = NonNullable<ReturnType<CompileCache['cacheFile']>>;
let compileCache: CompileCache | undefined;

/** A pack: what its file held, and what this process compiled from source. */
interface Pack {
  file: CacheFile;
  sum: (data: string | Uint8Array) => number;
  /** Each file's cache and its source's CRC-32, as read. */
  held: Map<string, { source: number; data: Buffer }>;
  /**
   * Each file compiled from source, its source's CRC-32 and its cache, made
   * right after its run (what it compiled, no more: the same for every
   * process), or in an actor's child once its actor runs (with its start:
   * lib/compileCache.cts's `whenMade`).
   */
  made: Map<string, { source: number; data?: Buffer }>;
  /** A write of the pack is planned (it takes what is made until then). */
  writing: boolean;
}

const PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];
/** How a file is wrapped, as Node's loader did before `compileFunction` (a script's cache holds what ran). */
const HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const TAIL = '\n})';
/** How a pack is laid out and its files wrapped: in its name's hash (another version's is another file). */
const FORMAT = `pack 1, wrapped ${JSON.stringify(HEAD + TAIL)}`;

/** The packs by name and folder, read once a process (undefined: no cache). */
const packs = new Map<string, Pack | undefined>();

/** Why no pack is used: lib/compileCache.cts's `noCache()`, or `off` without it. */
let noPack: 'off' | 'node' = 'off';

/** @returns the pack `name` of `scope`, read, or undefined when no cache is used. */
function packOf(name: string, scope: string): Pack | undefined {
  const id = `${name}\0${scope}`;
  if (packs.has(id)) return packs.get(id);
  let pack: Pack | undefined;
  try {
    compileCache ??= require('./compileCache.cjs') as CompileCache;
    noPack = compileCache.noCache() ?? 'off';
    const file = compileCache.cacheFile(name, scope, FORMAT);
    const sum = compileCache.crc();
    if (file !== undefined && sum !== undefined) {
      pack = { file, sum, held: new Map(), made: new Map(), writing: false };
      const read = file.read();
      if (read !== undefined) readEntries(pack, read.head.entries, read.data);
    }
  } catch {
    pack = undefined; // no cache: the files compile as Node compiles them
  }
  packs.set(id, pack);
  return pack;
}

/**
 * Fill `pack.held` from a pack file's entries, if they are what
 * {@link packed} writes and add up to its data (the CRC-32 covers the data,
 * not the head): else nothing is used.
 */
function readEntries(pack: Pack, entries: unknown, data: Buffer): void {
  if (!Array.isArray(entries)) return;
  const held = new Map<string, { source: number; data: Buffer }>();
  let at = 0;
  for (const entry of entries as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 3) return;
    const [file, source, length] = entry as unknown[];
    if (typeof file !== 'string' || !isUint32(source) || !isUint32(length)) return;
    held.set(file, { source, data: data.subarray(at, at + length) });
    at += length;
  }
  if (at === data.length) pack.held = held;
}

const isUint32 = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff;

/** @returns a pack's file: what it held, and the caches of what this process compiled. */
function packed(pack: Pack): { head: { entries: [string, number, number][] }; data: Buffer } {
  const all = new Map(pack.held);
  for (const [file, { source, data }] of pack.made)
    if (data !== undefined) all.set(file, { source, data });
  pack.made.clear();
  pack.writing = false;
  const entries: [string, number, number][] = [];
  for (const [file, { source, data }] of all) entries.push([file, source, data.length]);
  return { head: { entries }, data: Buffer.concat([...all.values()].map((entry) => entry.data)) };
}

/**
 * Compile and run a CommonJS file as Node's loader would, with its cache
 * from the pack `name` of `scope`; without a cache (off, or Node's loader
 * must run it: lib/compileCache.cts), as Node does. `module.codeCache` says
 * how (`accepted`, `none`, `rejected`; `off` or `node` without a cache).
 *
 * @param name - the pack's name (`rxjs`).
 * @param scope - the folder of its files (a pack per install of them).
 * @param module - the file's module (its `filename`, its `exports`).
 * @param source - the file's source.
 * @param requireIn - the module's `require`.
 * @example
 * ```ts
 * runModule('rxjs', folder, module, readFileSync(file, 'utf8'), requireIn);
 * ```
 */
export function runModule(
  name: string,
  scope: string,
  module: Module,
  source: string,
  requireIn: (id: string) => unknown,
): void {
  const use = module as Module & { codeCache?: string };
  const file = module.filename;
  const args = [module.exports, requireIn, module, file, dirname(file)];
  const pack = packOf(name, scope);
  if (pack === undefined) {
    use.codeCache = noPack;
    compileFunction(source, PARAMS, { filename: file }).apply(module.exports, args);
    return;
  }
  const checksum = pack.sum(source);
  const held = pack.held.get(file);
  const cachedData = held?.source === checksum ? held.data : undefined;
  const script = new Script(HEAD + source + TAIL, { filename: file, cachedData });
  use.codeCache = compileCache!.verdict(cachedData, script);
  (script.runInThisContext() as (...a: unknown[]) => void).apply(module.exports, args);
  if (use.codeCache === 'accepted') return;
  const made: { source: number; data?: Buffer } = { source: checksum };
  pack.made.set(file, made);
  compileCache!.whenMade(() => {
    made.data = compileCache!.cacheOf(script);
    // Written after this turn, with every file made meanwhile.
    if (!pack.writing) pack.file.writeSoon(() => packed(pack));
    pack.writing = true;
  });
}

/**
 * CommonJS files compiled with a V8 code cache this install writes for
 * itself, one file (a pack) for a group of them: RxJS's 23 files a child
 * loads (lib/rx.ts). The pack sits with the runtime's caches and goes through
 * the same checks (lib/compileCache.cts): the user's own folder, a name
 * hashing the group's folder, Node's version, the architecture and V8's
 * flags, a CRC-32 of the whole; each entry also holds the CRC-32 of its
 * file's source, so an edited file compiles from source.
 *
 * The caches are made when the pack is written (after the process's first
 * turn, or at its exit): by then they hold the functions the runtime's start
 * ran, which a child would otherwise compile one by one. A cold thread
 * actor starts ~2.5 ms sooner (docs/choices.md, "Cold spawn: RxJS from a
 * code cache").
 * @module
 */
import { createRequire, type Module } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction, Script } from 'node:vm';

const require = createRequire(import.meta.url);

/** The parts of lib/compileCache.cts a pack uses (a CommonJS file: its build is `.cjs`). */
interface CompileCache {
  cacheFile(name: string, of: string): CacheFile | undefined;
  crc(): ((data: string | Uint8Array) => number) | undefined;
  verdict(cachedData: Buffer | undefined, script: Script): string;
  cacheOf(script: Script): Buffer | undefined;
  TAIL: string;
}
interface CacheFile {
  read(): { head: { entries?: [string, number, number][] }; data: Buffer } | undefined;
  writeSoon(make: () => { head: { entries: [string, number, number][] }; data: Buffer }): void;
}
let compileCache: CompileCache | undefined;

/** A pack: what its file held, and what this process compiled from source. */
interface Pack {
  file: CacheFile;
  sum: (data: string | Uint8Array) => number;
  /** Each file's cache and its source's CRC-32, as read. */
  held: Map<string, { source: number; data: Buffer }>;
  /** Each file compiled from source, and its source's CRC-32: cached when the pack is written. */
  made: Map<string, { source: number; script: Script }>;
}

/** The packs by name and folder, read once a process (undefined: no cache). */
const packs = new Map<string, Pack | undefined>();

/** @returns the pack `name` of `scope`, read, or undefined when no cache is used. */
function packOf(name: string, scope: string): Pack | undefined {
  const id = `${name}\0${scope}`;
  if (packs.has(id)) return packs.get(id);
  compileCache ??= require('./compileCache.cjs') as CompileCache;
  const file = compileCache.cacheFile(name, scope);
  const sum = compileCache.crc();
  const pack = file && sum && { file, sum, held: new Map(), made: new Map() };
  const read = pack?.file.read();
  let at = 0;
  for (const [entry, source, length] of read?.head.entries ?? []) {
    pack!.held.set(entry, { source, data: read!.data.subarray(at, at + length) });
    at += length;
  }
  packs.set(id, pack);
  return pack;
}

/** @returns a pack's file: what it held, and the caches of what this process compiled. */
function packed(pack: Pack): { head: { entries: [string, number, number][] }; data: Buffer } {
  const all = new Map(pack.held);
  for (const [file, { source, script }] of pack.made) {
    const data = compileCache!.cacheOf(script);
    if (data !== undefined) all.set(file, { source, data });
  }
  pack.made.clear();
  const entries: [string, number, number][] = [];
  for (const [file, { source, data }] of all) entries.push([file, source, data.length]);
  return { head: { entries }, data: Buffer.concat([...all.values()].map((entry) => entry.data)) };
}

const PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];
/** How a file is wrapped, as Node's loader did before `compileFunction` (a script's cache holds what ran). */
const HEAD = '(function (exports, require, module, __filename, __dirname) { ';

/**
 * Compile and run a CommonJS file as Node's loader would, with its cache
 * from the pack `name` of `scope`; without a cache (off, or Node's loader
 * must run it: lib/compileCache.cts), as Node does. `module.codeCache` says
 * how (`accepted`, `none`, `rejected`, `off`).
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
    use.codeCache = 'off';
    compileFunction(source, PARAMS, { filename: file }).apply(module.exports, args);
    return;
  }
  const checksum = pack.sum(source);
  const held = pack.held.get(file);
  const cachedData = held?.source === checksum ? held.data : undefined;
  const script = new Script(HEAD + source + compileCache!.TAIL, { filename: file, cachedData });
  use.codeCache = compileCache!.verdict(cachedData, script);
  (script.runInThisContext() as (...a: unknown[]) => void).apply(module.exports, args);
  if (use.codeCache === 'accepted') return;
  if (pack.made.size === 0) pack.file.writeSoon(() => packed(pack));
  pack.made.set(file, { source: checksum, script });
}

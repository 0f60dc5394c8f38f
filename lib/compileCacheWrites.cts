/**
 * How lib/compileCache.cts writes a code cache: at the process's first
 * turn (`setImmediate`) or at its exit, whichever comes first, to a
 * temporary file renamed into place (no reader sees half a file). A write
 * keeps the folder to its newest {@link MAX_FILES} caches and removes
 * temporary files left by a process killed while it wrote. No failure to
 * write is ever thrown.
 *
 * CommonJS, as compileCache.cts (its build is `compileCacheWrites.cjs`),
 * and required by it at its first write only: a process whose caches were
 * all accepted never loads this file (a second file loaded up front cost a
 * fresh `Worker` ~0.25 ms, measured).
 * @module
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import fs = require('node:fs');
import path = require('node:path');

/** The caches a folder keeps (the newest): installs and Node versions come and go. */
const MAX_FILES = 128;
/** Age past which a temporary file is a dead writer's, in ms. */
const STALE_TMP_MS = 10 * 60 * 1000;

/** Writes waiting for the end of this turn (see {@link soon}). */
const pending: (() => void)[] = [];

/**
 * Make the caches' folder, if missing, for the user alone; the caller then
 * checks whose it is (compileCache.cts's `ownFolder`).
 *
 * @param dir - the caches' folder.
 * @returns whether it is there now.
 * @example
 * ```js
 * const writable = makeFolder(caches) && ownFolder(caches);
 * ```
 */
function makeFolder(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return false;
  }
  return true;
}

/**
 * Write a cache after this turn or at exit (see the module's doc).
 *
 * @param dir - the caches' folder (see {@link makeFolder}).
 * @param cacheFile - the cache's path in it.
 * @param sum - `crc32`, for the head's `data`: the CRC-32 of the data (and
 *   its `length`), which a reader checks.
 * @param make - called then: the cache's head (its first line, as JSON,
 *   `data` and `length` added) and data, or undefined to write nothing.
 * @example
 * ```js
 * writeSoon(caches, cacheFile, zlib.crc32, () => ({ head: { file, source }, data }));
 * ```
 */
function writeSoon(
  dir: string,
  cacheFile: string,
  sum: (data: Uint8Array) => number,
  make: () => { head: object; data: Buffer } | undefined,
): void {
  soon(() => {
    const made = make();
    if (made === undefined) return;
    const { head, data } = made;
    writeCache(dir, cacheFile, { ...head, data: sum(data), length: data.length }, data);
  });
}

/**
 * Run `write` after this turn, so that the first spawn of an install is not
 * kept waiting; or as the process exits, if it does so first (a short
 * script). One `setImmediate` and one `exit` listener for all of them.
 */
function soon(write: () => void): void {
  pending.push(write);
  if (pending.length > 1) return;
  const flush = (): void => {
    process.off('exit', flush);
    clearImmediate(immediate);
    for (const next of pending.splice(0)) next();
  };
  const immediate = setImmediate(flush);
  process.once('exit', flush);
}

/**
 * Write a cache (its first line `head`, as JSON), then prune the folder.
 * Nothing thrown: a failure leaves no file.
 */
function writeCache(dir: string, cacheFile: string, head: object, data: Buffer): void {
  const temporary = `${cacheFile}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  let temporaryMade = false;
  try {
    temporaryMade = true;
    fs.writeFileSync(temporary, Buffer.concat([Buffer.from(`${JSON.stringify(head)}\n`), data]), {
      mode: 0o600,
    });
    fs.renameSync(temporary, cacheFile);
    temporaryMade = false;
    prune(dir);
  } catch {
    if (temporaryMade) {
      try {
        fs.rmSync(temporary, { force: true });
      } catch {
        // Nothing more to do: the next write's prune removes it.
      }
    }
  }
}

/** Keep the newest {@link MAX_FILES} caches of `dir`, and no dead writer's temporary file. */
function prune(dir: string): void {
  const now = Date.now();
  const caches: { file: string; mtime: number }[] = [];
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    if (stat === undefined || !stat.isFile()) continue;
    if (name.endsWith('.tmp')) {
      if (now - stat.mtimeMs > STALE_TMP_MS) fs.rmSync(file, { force: true });
    } else if (name.endsWith('.v8')) caches.push({ file, mtime: stat.mtimeMs });
  }
  caches.sort((a, b) => b.mtime - a.mtime);
  for (const { file } of caches.slice(MAX_FILES)) fs.rmSync(file, { force: true });
}

export = { makeFolder, writeSoon };

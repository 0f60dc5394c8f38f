/**
 * The pid file of an arbiter (`--pid-file`), and the lock of a task queue's
 * `--data-dir`: created atomically, refused while a live process holds it,
 * removed on release or exit.
 * @module
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ImproperlyConfiguredError } from '../errors.js';
import { processAlive as isAlive } from '../util/processAlive.js';

/** The pid a pid file holds, or `undefined` if it is unreadable or holds no pid. */
function readPid(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Write this process's pid to a file.
 *
 * The pid goes to a temporary file next to it first, which is then linked
 * into place: the file appears whole or not at all, and only if it does not
 * exist. An existing file whose pid is dead (or this process's own, or not
 * a pid) is stale and is replaced (rename, atomic too); one whose process
 * is alive is refused (a zombie, exited but not yet reaped, is not alive).
 * The file is removed by the returned `release()`, or when the process
 * exits; either removes it only if it still holds our pid.
 *
 * @param path - where to write it (relative to the current directory).
 * @param options - what the file is, for the error messages (a lock rather than a pid file).
 * @returns `release()`: removes the file (safe to call more than once).
 * @throws ImproperlyConfiguredError if a live process holds the file, or it cannot be written.
 * @example
 * ```ts
 * const release = writePidFile('/run/myapp.pid');
 * arbiter().events.stopped$.subscribe(release);
 * writePidFile('data/lock', { what: 'the lock of the data directory', remedy: 'stop it' });
 * ```
 */
export function writePidFile(
  path: string,
  options: {
    /** What the file is: `'the pid file'` (the default), `'the lock of the data directory'`… */
    what?: string;
    /** What to do when a live process holds it (default: `'stop it, or choose another pidFile'`). */
    remedy?: string;
  } = {},
): () => void {
  const { what = 'the pid file', remedy = 'stop it, or choose another pidFile' } = options;
  const file = resolve(path);
  const pid = process.pid;
  const temp = `${file}.${pid}.tmp`;
  try {
    writeFileSync(temp, `${pid}\n`, { mode: 0o644 });
  } catch (err) {
    throw new ImproperlyConfiguredError(`cannot write ${what} ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    linkSync(temp, file);
    unlinkSync(temp);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      removeQuietly(temp);
      throw new ImproperlyConfiguredError(
        `cannot write ${what} ${file}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    const holder = readPid(file);
    if (holder !== undefined && holder !== pid && isAlive(holder)) {
      removeQuietly(temp);
      throw new ImproperlyConfiguredError(
        `${what} ${file} belongs to process ${holder}, which is running: ${remedy}`,
      );
    }
    renameSync(temp, file);
  }

  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    if (readPid(file) === pid) removeQuietly(file);
  };
  process.on('exit', release);
  return release;
}

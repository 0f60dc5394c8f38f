/**
 * Runtime folders: `rxpulsar-<pid>-XXXXXX` in the temp directory, one per
 * arbiter, holding its hub socket. A folder whose arbiter died without
 * cleaning up (SIGKILL, power loss) is removed by the next arbiter.
 * @module
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive as alive } from './processAlive.js';

/**
 * Make a new runtime folder of this process (mode 0700), named so that
 * {@link removeStaleRuntimeDirs} removes it once this process is gone.
 *
 * @param tag - a word after the pid, saying what the folder holds.
 * @returns the folder's path.
 * @example
 * ```ts
 * makeRuntimeDir(); // '/tmp/rxpulsar-4242-a1B2c3'
 * makeRuntimeDir('rxpt'); // '/tmp/rxpulsar-4242-rxpt-a1B2c3'
 * ```
 */
export function makeRuntimeDir(tag?: string): string {
  return mkdtempSync(
    join(tmpdir(), `rxpulsar-${process.pid}-${tag === undefined ? '' : `${tag}-`}`),
  );
}

/**
 * Remove the runtime folders of arbiters that are no longer running.
 *
 * @returns the folders removed.
 * @example
 * ```ts
 * removeStaleRuntimeDirs(); // ['/tmp/rxpulsar-4242-a1B2c3']
 * ```
 */
export function removeStaleRuntimeDirs(): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    const match = /^rxpulsar-(\d+)-/.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || alive(pid)) continue;
    const path = join(tmpdir(), name);
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/**
 * Remove the runtime folders of one process, at once: those of this
 * process on a forced exit (its hub's, its runners'), or those of a child
 * it killed (SIGKILL), which could not remove its own.
 *
 * @param pid - the process whose folders go (default: this one).
 * @returns the folders removed.
 * @example
 * ```ts
 * removeRuntimeDirs(); // ['/tmp/rxpulsar-4242-a1B2c3', '/tmp/rxpulsar-4242-rxpt-d4E5f6']
 * ```
 */
export function removeRuntimeDirs(pid: number = process.pid): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(`rxpulsar-${pid}-`)) continue;
    const path = join(tmpdir(), name);
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

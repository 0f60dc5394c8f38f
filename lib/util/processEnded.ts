/**
 * Whether a child process has ended, before its parent's loop reads its exit.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';

/** Whether this system has a `/proc` (read once). */
let hasProc: boolean | undefined;

/**
 * Whether a process has ended: its exit not yet read by its parent (a
 * zombie) or read already (gone), where `/proc` tells.
 *
 * @param pid - the process id.
 * @returns `true` when it has ended; `false` when it runs, or where there is
 *   no `/proc` (the exit is then known only once the parent's loop reads it).
 * @example
 * ```ts
 * processEnded(process.pid); // false
 * ```
 */
export function processEnded(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop() ?? '';
    return state.startsWith('Z') || state.startsWith('X');
  } catch (err) {
    return (
      (err as NodeJS.ErrnoException).code === 'ENOENT' &&
      (hasProc ??= existsSync('/proc/self/stat'))
    );
  }
}

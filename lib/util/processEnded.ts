/**
 * Whether a child process has ended, before its parent's loop reads its exit.
 * @module
 */
import { endedState, procState } from './procState.js';

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
  const state = procState(pid);
  return state === null || endedState(state);
}

/**
 * Whether a process is alive.
 * @module
 */
import { endedState, procState } from './procState.js';

/**
 * Whether a process runs with this pid (EPERM: it runs, as another user).
 *
 * A zombie does not count: it has exited, and only waits for its parent to
 * read its exit (which may take long: in a container without an init, or
 * under a parent that never reaps), although `kill(pid, 0)` still succeeds
 * for it. Where `/proc` tells (Linux), its state says so; elsewhere
 * (macOS) `kill(pid, 0)` alone answers.
 *
 * @param pid - the process id.
 * @returns `true` when it runs.
 * @example
 * ```ts
 * processAlive(process.pid); // true
 * ```
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // Not `processEnded()`: a process /proc does not show (hidepid) may run.
  return !endedState(procState(pid));
}

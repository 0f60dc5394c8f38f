/**
 * The state of a process as Linux's `/proc` tells it.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';

/** Whether this system has a `/proc` (read once). */
let hasProc: boolean | undefined;

/**
 * The state letter of a process in `/proc/<pid>/stat`: `R`, `S`, `D`… while
 * it runs, `Z` once it ended and its parent has not read its exit yet (a
 * zombie), `X` while it is being removed.
 *
 * @param pid - the process id.
 * @returns the letter; `null` when `/proc` has no such process (gone, or
 *   hidden from this user by `hidepid`); `undefined` where there is no
 *   `/proc` (macOS) or it cannot be read.
 * @example
 * ```ts
 * procState(process.pid); // 'R'
 * ```
 */
export function procState(pid: number): string | null | undefined {
  try {
    // The name (in parentheses) may hold spaces and ')': the state follows the last ') '.
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()?.charAt(0);
    return state === '' ? undefined : state;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    hasProc ??= existsSync('/proc/self/stat');
    return hasProc ? null : undefined;
  }
}

/**
 * Whether a state letter of {@link procState} is that of an ended process.
 *
 * @param state - the letter (or what `procState` gave).
 * @returns `true` for `Z` (a zombie) and `X` (dead).
 * @example
 * ```ts
 * endedState(procState(pid)); // true for a zombie
 * ```
 */
export function endedState(state: string | null | undefined): boolean {
  return state === 'Z' || state === 'X';
}

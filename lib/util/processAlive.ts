/**
 * Whether a process is alive.
 * @module
 */

/**
 * Whether a process runs with this pid (EPERM: it runs, as another user).
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
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

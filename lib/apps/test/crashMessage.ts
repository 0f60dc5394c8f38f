/**
 * What a {@link TestRun} reports for a file whose worker died under it.
 * @module
 */
import type { FileRun } from './FileRun.js';

/**
 * What a file's report says when its worker died under it.
 *
 * @example
 * ```ts
 * crashMessage(run, 'process 4242', null, 'SIGKILL');
 * // 'worker process 4242 exited (signal SIGKILL) while running "adds" in a.spec.js'
 * ```
 * @param run - the file.
 * @param kind - the worker: `thread`, or `process` and its pid.
 * @param code - its exit code.
 * @param signal - the signal that ended it, if any.
 * @returns the message of the file's crash.
 */
export function crashMessage(
  run: FileRun,
  kind: string,
  code: number | null,
  signal: string | null,
): string {
  const how = signal !== null ? `signal ${signal}` : `code ${code}`;
  const where =
    run.running === undefined
      ? `while running ${run.file}`
      : `while running "${run.running}" in ${run.file}`;
  return `worker ${kind} exited (${how}) ${where}`;
}

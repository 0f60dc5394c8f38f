/**
 * The four commands of a test run to one of its workers, each done on the
 * worker's spec runner: one table for a worker actor (`serveFiles`, which
 * registers them as commands) and for a runner read by the main thread
 * (`LocalWorker.send`), so that the two answer alike.
 * @module
 */
import type { RunnerHandle } from './RunnerHandle.js';
import { ABORT_FILE, DROP_FILE, KILL_RUNNER, RUN_FILE, type FileJob } from './wire.js';

/** A command's work on the runner, from its one argument (a job, a job's id). */
export type RunnerCommand = (arg: unknown) => unknown;

/**
 * The run's commands, by name, done on `runner`. A Map: a name from the
 * wire (`toString`, `__proto__`) finds no command of `Object.prototype`.
 *
 * @param runner - the worker's spec runner.
 * @returns `RUN_FILE` (a job: answers `true`), `DROP_FILE` (a job's id),
 *   `ABORT_FILE` and `KILL_RUNNER`.
 * @example
 * ```ts
 * const commands = runnerCommands(runner);
 * commands.get(RUN_FILE)?.(job);
 * ```
 */
export function runnerCommands(runner: RunnerHandle): ReadonlyMap<string, RunnerCommand> {
  return new Map<string, RunnerCommand>([
    [
      RUN_FILE,
      (job) => {
        runner.run(job as FileJob);
        return true;
      },
    ],
    [DROP_FILE, (id) => runner.drop(id as number)],
    [ABORT_FILE, () => runner.abort()],
    [KILL_RUNNER, () => runner.kill()],
  ]);
}

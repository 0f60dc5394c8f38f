/**
 * What a run of a {@link TestSuite} will do, from mocha's options alone: its
 * spec files in scheduling order, the `--file` files, the workers' mocha
 * options, the files that may hold a `.only`. Read once, by the command
 * line before the arbiter starts (so that prestarted runners get their
 * first files at once), or by the suite.
 * @module
 */
import { Durations, DURATIONS_FILE } from './Durations.js';
import { collectSpecFiles, onlyCandidates, workerOptions } from './mochaOptions.js';
import type { FileJob } from './wire.js';

/** The plan of a run (see {@link planRun}). */
export interface RunFiles {
  /** Spec files, in scheduling order (longest first, from the durations kept). */
  files: string[];
  /** `--file` files, loaded first in every worker. */
  setupFiles: string[];
  /** mocha's options for the workers (JSON-safe). */
  options: Record<string, unknown>;
  /** Files that may hold a `.only` (they mention it): loaded in a first pass. */
  onlyCandidates: string[];
  /** The durations kept between runs, if any. */
  durations: Durations | undefined;
}

/**
 * @param mocha - mocha's options of the run.
 * @param cache - the durations file, `false` for none (default: `.rxpulsar-test-durations.json`).
 * @returns the plan. No spec file found: mocha's message, and the process exits 1, as mocha's does.
 * @example
 * ```ts
 * const { files } = planRun({ spec: ['test/'] }, false);
 * ```
 */
export function planRun(mocha: Record<string, unknown>, cache: unknown): RunFiles {
  const { files, setupFiles } = collectSpecFiles(mocha);
  const durations =
    cache === false ? undefined : new Durations(typeof cache === 'string' ? cache : DURATIONS_FILE);
  return {
    files: durations?.order(files) ?? files,
    setupFiles,
    options: workerOptions(mocha),
    onlyCandidates: onlyCandidates(files),
    durations,
  };
}

/**
 * @param plan - a run's plan.
 * @param count - how many runners.
 * @returns the jobs of its first `2 × count` files (ids from 1), to give to
 *   runners before the pool is up: the first `count` to run, one each, the
 *   next `count` one each to hold ahead (see `PrestartedRunners.dispatch`);
 *   none when a first pass must look for `.only` (its jobs only load files).
 * @example
 * ```ts
 * runners.dispatch(firstJobs(plan, 2));
 * ```
 */
export function firstJobs(plan: RunFiles, count: number): FileJob[] {
  if (plan.onlyCandidates.length > 0) return [];
  return plan.files.slice(0, 2 * count).map((file, i) => ({
    id: i + 1,
    file,
    setupFiles: plan.setupFiles,
    options: plan.options,
  }));
}

/**
 * The workers a run has: those asked for, but no more than its files (as
 * mocha's pool starts no more either), and at least one.
 * @param plan - a run's plan.
 * @param workers - the workers asked for.
 * @returns how many.
 * @example
 * ```ts
 * workersFor(plan, 8); // 3 for a plan of 3 files
 * ```
 */
export function workersFor(plan: RunFiles, workers: number): number {
  return Math.min(workers, Math.max(1, plan.files.length));
}

/**
 * Read a jobs record into checked job specs: durations in ms, defaults
 * filled in, a clear error for anything else.
 * @module
 */
import { countExpected } from '../../util/checkParams.js';
import { MAX_TIMER_EXPECTED, MAX_TIMER_MS } from '../../util/maxTimerMs.js';
import { parseDuration } from '../../util/parseDuration.js';
import { TaskOptionError } from '../../errors.js';
import type { Backoff, JobFunction, Jobs } from './Task.js';
import { checkCron } from './nextTick.js';

/** A job, checked. */
export interface JobSpec {
  name: string;
  run: JobFunction;
  /** ms, or undefined: no timeout. */
  timeout: number | undefined;
  retries: number;
  backoff: { type: 'fixed' | 'exponential'; delay: number };
  /** Periodic every this many ms. */
  every: number | undefined;
  /** Periodic on this cron schedule. */
  cron: string | undefined;
  args: unknown[];
}

/**
 * A duration option: ms or a duration string.
 * @param value - what was given.
 * @param what - its name, for the error.
 * @returns the ms, or `undefined` when not given.
 * @throws TaskOptionError when it is not a duration.
 */
export function durationOption(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) {
    throw new TaskOptionError(
      `${what} = ${JSON.stringify(value)}: must be a duration (ms, or a string such as '30 seconds')`,
    );
  }
  return ms;
}

/**
 * A duration option that becomes a single timer (a task's timeout): at
 * most {@link MAX_TIMER_MS}, which a timer would otherwise turn into 1 ms.
 * @param value - what was given.
 * @param what - its name, for the error.
 * @returns the ms, or `undefined` when not given.
 * @throws TaskOptionError when it is not a duration, or is longer than {@link MAX_TIMER_MS}.
 * @example
 * ```ts
 * timerOption('30 d', 'timeout'); // throws: must be at most 24.8 days (2147483647 ms, …)
 * ```
 */
export function timerOption(value: unknown, what: string): number | undefined {
  const ms = durationOption(value, what);
  if (ms !== undefined && ms > MAX_TIMER_MS) {
    throw new TaskOptionError(`${what} = ${JSON.stringify(value)}: ${MAX_TIMER_EXPECTED}`);
  }
  return ms;
}

/**
 * A count option: an integer >= 0.
 * @param value - what was given.
 * @param what - its name, for the error.
 * @returns the number, or `undefined` when not given.
 */
export function countOption(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const expected = countExpected(value);
  if (expected !== undefined)
    throw new TaskOptionError(`${what} = ${JSON.stringify(value)}: ${expected}`);
  return value as number;
}

function backoffOption(value: Backoff | undefined, job: string): JobSpec['backoff'] {
  if (value === undefined) return { type: 'exponential', delay: 1000 };
  if (typeof value === 'object' && value !== null) {
    if (value.type !== 'fixed' && value.type !== 'exponential') {
      throw new TaskOptionError(`job "${job}": backoff.type must be 'fixed' or 'exponential'`);
    }
    return { type: value.type, delay: durationOption(value.delay, `job "${job}": backoff.delay`)! };
  }
  return { type: 'fixed', delay: durationOption(value, `job "${job}": backoff`)! };
}

/**
 * Check a jobs record.
 *
 * @param jobs - what the jobs module exports as `jobs`.
 * @returns the specs by name.
 * @throws TaskOptionError for a job that is neither a function nor `{ run }`, or a bad option.
 * @example
 * ```ts
 * jobSpecs({ add: (_ctx, a: number, b: number) => a + b }).get('add')!.retries; // 0
 * ```
 */
export function jobSpecs(jobs: Jobs): Map<string, JobSpec> {
  if (typeof jobs !== 'object' || jobs === null) {
    throw new TaskOptionError('jobs must be a record of name → function or { run }');
  }
  const specs = new Map<string, JobSpec>();
  for (const [name, job] of Object.entries(jobs)) {
    if (typeof job === 'function') {
      specs.set(name, {
        name,
        run: job,
        timeout: undefined,
        retries: 0,
        backoff: backoffOption(undefined, name),
        every: undefined,
        cron: undefined,
        args: [],
      });
      continue;
    }
    if (typeof job !== 'object' || job === null || typeof job.run !== 'function') {
      throw new TaskOptionError(`job "${name}": must be a function or { run, … }`);
    }
    const every = durationOption(job.every, `job "${name}": every`);
    if (every !== undefined && every <= 0) {
      throw new TaskOptionError(`job "${name}": every must be longer than 0`);
    }
    if (job.cron !== undefined) checkCron(job.cron, name);
    if (every !== undefined && job.cron !== undefined) {
      throw new TaskOptionError(`job "${name}": give every or cron, not both`);
    }
    specs.set(name, {
      name,
      run: job.run,
      timeout: timerOption(job.timeout, `job "${name}": timeout`),
      retries: countOption(job.retries, `job "${name}": retries`) ?? 0,
      backoff: backoffOption(job.backoff, name),
      every,
      cron: job.cron,
      args: Array.isArray(job.args) ? job.args : [],
    });
  }
  return specs;
}

/**
 * The delay before retry number `attempt` (1 for the first retry).
 * @param backoff - the job's backoff.
 * @param attempt - the retry's number.
 * @returns ms.
 */
export function backoffDelay(backoff: JobSpec['backoff'], attempt: number): number {
  return backoff.type === 'fixed' ? backoff.delay : backoff.delay * 2 ** Math.max(0, attempt - 1);
}

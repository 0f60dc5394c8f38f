/**
 * Check a `queueTask()` call before anything is queued: the job exists,
 * the arguments can travel, the options are valid.
 * @module
 */
import { encode } from '../../codec/encode.js';
import { EncodingError, TaskOptionError, UnknownJobError } from '../../errors.js';
import { countOption, durationOption, type JobSpec } from './jobSpecs.js';
import type { QueueTaskOptions } from './Task.js';

/** A checked `queueTask()` call. */
export interface CheckedTask {
  name: string;
  args: unknown[];
  /** ms */
  delay: number;
  /** ms, or undefined: none. */
  timeout: number | undefined;
  retries: number;
  priority: number;
  id: string | undefined;
  /** Wait for the fdatasync (embedded backend). */
  durable: boolean;
}

const KEYS = new Set(['delay', 'timeout', 'retries', 'priority', 'id', 'durable']);

/**
 * @param jobs - the queue's jobs (or the names only, for a client that has no code).
 * @param name - the job.
 * @param args - its arguments.
 * @param options - the options.
 * @returns the call, with durations in ms and the job's defaults.
 * @throws UnknownJobError, EncodingError or TaskOptionError.
 * @example
 * ```ts
 * checkTask(specs, 'add', [1, 2], { delay: '1 s' }).delay; // 1000
 * ```
 */
export function checkTask(
  jobs: ReadonlyMap<string, Partial<JobSpec>> | undefined,
  name: unknown,
  args: unknown,
  options: QueueTaskOptions = {},
): CheckedTask {
  if (typeof name !== 'string' || name === '') {
    throw new UnknownJobError(`a task needs a job name (got ${JSON.stringify(name)})`);
  }
  const spec = jobs?.get(name);
  if (jobs !== undefined && spec === undefined) {
    const known = [...jobs.keys()].join(', ');
    throw new UnknownJobError(`no job "${name}" in this queue (jobs: ${known || 'none'})`);
  }
  if (args !== undefined && !Array.isArray(args)) {
    throw new TaskOptionError(`task "${name}": args must be an array (got ${typeof args})`);
  }
  if (args !== undefined && args.length > 0) {
    try {
      JSON.stringify(encode(args));
    } catch (err) {
      throw new EncodingError(`task "${name}": its arguments cannot travel: ${String(err)}`, {
        cause: err,
      });
    }
  }
  if (typeof options !== 'object' || options === null) {
    throw new TaskOptionError(`task "${name}": options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) {
      throw new TaskOptionError(
        `task "${name}": unknown option "${key}" (options: ${[...KEYS].join(', ')})`,
      );
    }
  }
  const priority = options.priority ?? 0;
  if (typeof priority !== 'number' || !Number.isInteger(priority)) {
    throw new TaskOptionError(`task "${name}": priority must be an integer`);
  }
  const id = options.id;
  if (id !== undefined && (typeof id !== 'string' || id === '' || id.length > 200)) {
    throw new TaskOptionError(`task "${name}": id must be a non-empty string (at most 200 chars)`);
  }
  const durable = options.durable ?? true;
  if (typeof durable !== 'boolean') {
    throw new TaskOptionError(`task "${name}": durable must be true or false`);
  }
  return {
    name,
    args: (args as unknown[] | undefined) ?? [],
    delay: durationOption(options.delay, `task "${name}": delay`) ?? 0,
    timeout: durationOption(options.timeout, `task "${name}": timeout`) ?? spec?.timeout,
    retries: countOption(options.retries, `task "${name}": retries`) ?? spec?.retries ?? 0,
    priority,
    id,
    durable,
  };
}

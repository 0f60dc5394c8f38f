/**
 * Check a `queueTask()` call before anything is queued: the job exists,
 * the arguments can travel (in one message to a worker), the options are valid.
 * @module
 */
import { encode } from '../../codec/encode.js';
import {
  EncodingError,
  MessageTooLargeError,
  TaskOptionError,
  UnknownJobError,
} from '../../errors.js';
import { jsonSize } from '../../transport/envelopeSize.js';
import { countOption, durationOption, timerOption, type JobSpec } from './jobSpecs.js';
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
 * Characters a worker's `task_run` message takes besides a task's
 * arguments, id and job name: the envelope's header (two aids, the
 * command) and the attempt's other fields (token, counts, timestamps).
 */
export const TASK_RUN_OVERHEAD = 1024;

/**
 * @param jobs - the queue's jobs (or the names only, for a client that has no code).
 * @param name - the job.
 * @param args - its arguments.
 * @param options - the options.
 * @param maxMessageSize - the largest message to a worker, in characters:
 *   the arguments must fit in one with the rest of the attempt (default: no limit).
 * @returns the call, with durations in ms and the job's defaults.
 * @throws UnknownJobError, EncodingError, MessageTooLargeError or TaskOptionError.
 * @example
 * ```ts
 * checkTask(specs, 'add', [1, 2], { delay: '1 s' }).delay; // 1000
 * checkTask(specs, 'add', ['x'.repeat(1e5)], {}, 65536); // throws MessageTooLargeError
 * ```
 */
export function checkTask(
  jobs: ReadonlyMap<string, Partial<JobSpec>> | undefined,
  name: unknown,
  args: unknown,
  options: QueueTaskOptions = {},
  maxMessageSize = Infinity,
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
  let size = 0;
  if (args !== undefined && args.length > 0) {
    try {
      // A JSON-safe tree (or it throws): measured, not serialized.
      size = jsonSize(encode(args));
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
  // Its arguments travel to a worker with the attempt, in one message: one
  // that cannot would hold a worker's credit for ever.
  const needed = size + name.length + (id?.length ?? 36) + TASK_RUN_OVERHEAD;
  if (needed > maxMessageSize) {
    throw new MessageTooLargeError(
      `task "${name}": its arguments take ${size} characters, too many for a message to a worker ` +
        `(maxMessageSize ${maxMessageSize}, the task's other fields included); nothing was queued`,
    );
  }
  return {
    name,
    args: (args as unknown[] | undefined) ?? [],
    // A date: any length (the embedded backend re-arms its timer past 24.8 days).
    delay: durationOption(options.delay, `task "${name}": delay`) ?? 0,
    timeout: timerOption(options.timeout, `task "${name}": timeout`) ?? spec?.timeout,
    retries: countOption(options.retries, `task "${name}": retries`) ?? spec?.retries ?? 0,
    priority,
    id,
    durable,
  };
}

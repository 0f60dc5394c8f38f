/**
 * A {@link Task} being queued, as a BullMQ job: its data and options, and
 * the task it is until Redis is read back (the other way: jobToTask.ts).
 * @module
 */
import type { JobsOptions } from 'bullmq';
import { encode } from '../../codec/encode.js';
import type { Added } from './AddBatcher.js';
import type { CheckedTask } from './checkTask.js';
import type { JobSpec } from './jobSpecs.js';
import { bullPriority } from './jobToTask.js';
import type { Task } from './Task.js';

/**
 * @param c - the task, checked.
 * @returns the job's data: no arguments, no `args` (the readers take it as []).
 * @example
 * ```ts
 * jobData(checkTask('add', [1, 2])); // { args: [1, 2] }
 * ```
 */
export function jobData(c: CheckedTask): object {
  const data: { args?: unknown; timeout?: number; priority?: number } =
    c.args.length === 0 ? {} : { args: encode(c.args) };
  if (c.timeout !== undefined) data.timeout = c.timeout;
  if (c.priority !== 0) data.priority = c.priority;
  return data;
}

/**
 * Only what differs from BullMQ's defaults: the options travel with each
 * job. Final tasks are dropped after resultTtl by the arbiters' cleaner
 * (cheaper than BullMQ's check at every completion). No priority: the
 * wait list, BullMQ's fast path (see bullPriority).
 *
 * @param c - the task, checked.
 * @param backoff - its job's backoff, if its job is known here.
 * @returns the job's options.
 * @example
 * ```ts
 * jobOptions(checked, spec?.backoff); // { jobId, delay, attempts, backoff }
 * ```
 */
export function jobOptions(c: CheckedTask, backoff?: JobSpec['backoff']): JobsOptions {
  const opts: JobsOptions = bullPriority(c.priority);
  if (c.id !== undefined) opts.jobId = c.id;
  if (c.delay > 0) opts.delay = c.delay;
  if (c.retries > 0) {
    opts.attempts = c.retries + 1;
    opts.backoff = backoff ?? { type: 'exponential', delay: 1000 };
  }
  return opts;
}

/**
 * @param job - what BullMQ said of the job just added.
 * @param c - the task, checked.
 * @returns the task just queued (PENDING), from what was queued.
 * @example
 * ```ts
 * queuedTask(added, checked).state; // 'PENDING'
 * ```
 */
export function queuedTask(job: Added, c: CheckedTask): Task {
  const task: Task = {
    id: job.id,
    name: c.name,
    args: c.args,
    state: 'PENDING',
    attempts: 0,
    priority: c.priority,
    queuedAt: job.timestamp,
  };
  if (c.delay > 0) task.runAt = job.timestamp + c.delay;
  return task;
}

/**
 * A BullMQ job seen as a {@link Task}.
 * @module
 */
import { decode } from '../../codec/decode.js';
import type { SerializedError } from '../../codec/SerializedError.js';
import { TaskOptionError } from '../../errors.js';
import type { Task, TaskState } from './Task.js';

/** BullMQ's largest priority (its lowest). */
const BULL_LOWEST = 2_097_151;

/**
 * Where a task of ours goes in BullMQ. Ours run higher first, default 0;
 * BullMQ takes its plain wait list first (its fast path: a list push and
 * pop), then its prioritized set, lowest number first. So a task without a
 * priority goes to the wait list (in queueing order); a negative priority
 * to the prioritized set (after every task without one, higher first); a
 * positive one to the head of the wait list (`lifo`: it runs next, before
 * every task waiting, the newest such task first). A priority other than
 * 0 travels in the job's data, for `Task.priority`.
 * @param priority - ours (higher first).
 * @returns BullMQ's options for it.
 * @example
 * ```ts
 * bullPriority(0); // {}
 * bullPriority(-3); // { priority: 3 }
 * bullPriority(5); // { lifo: true }
 * ```
 */
export function bullPriority(priority: number): { priority?: number; lifo?: boolean } {
  if (priority < 0) return { priority: Math.min(BULL_LOWEST, -priority) };
  return priority > 0 ? { lifo: true } : {};
}

/**
 * @param data - a job's data.
 * @returns the task's priority (ours), 0 when it has none.
 * @example
 * ```ts
 * taskPriority(job.data); // 0
 * ```
 */
export function taskPriority(data: { priority?: number }): number {
  return typeof data.priority === 'number' ? data.priority : 0;
}

/**
 * BullMQ refuses a custom job id that is an integer (`'42'`), or that holds
 * a `:` unless it has exactly two (its own repeat ids): refused here, as
 * bad input, before anything is queued.
 * @param name - the task's job.
 * @param id - its id, if it has one.
 * @throws TaskOptionError for an id BullMQ refuses.
 * @example
 * ```ts
 * checkBullId('add', 'order-42'); // fine
 * checkBullId('add', '42'); // throws TaskOptionError
 * ```
 */
export function checkBullId(name: string, id: string | undefined): void {
  if (id === undefined) return;
  if (`${parseInt(id, 10)}` === id || (id.includes(':') && id.split(':').length !== 3)) {
    throw new TaskOptionError(
      `task "${name}": on Redis an id cannot be an integer, nor hold a ':' unless it has two (BullMQ's rule): "${id}"`,
    );
  }
}

/** The fields of a BullMQ job that make a task. */
export interface JobLike {
  id?: string | undefined;
  name: string;
  data: { args?: unknown; error?: SerializedError; priority?: number };
  returnvalue: unknown;
  failedReason: string;
  attemptsMade: number;
  attemptsStarted?: number;
  progress: unknown;
  timestamp: number;
  delay: number;
  processedOn?: number | undefined;
  finishedOn?: number | undefined;
}

/**
 * @param job - the job.
 * @param bullState - what `job.getState()` said.
 * @param revoked - it was revoked.
 * @returns the task, or `undefined` for a job in no known state.
 */
export function jobToTask(job: JobLike, bullState: string, revoked: boolean): Task | undefined {
  let state: TaskState;
  if (bullState === 'completed') state = 'SUCCESS';
  else if (bullState === 'failed') state = revoked ? 'REVOKED' : 'FAILURE';
  else if (bullState === 'active') state = 'STARTED';
  else if (bullState === 'delayed') state = job.attemptsMade > 0 ? 'RETRY' : 'PENDING';
  else if (bullState === 'waiting' || bullState === 'prioritized') state = 'PENDING';
  else return undefined;
  const task: Task = {
    id: String(job.id),
    name: job.name,
    args: (decode(job.data.args ?? []) as unknown[]) ?? [],
    state,
    attempts: job.attemptsStarted ?? job.attemptsMade,
    priority: taskPriority(job.data),
    queuedAt: job.timestamp,
  };
  if (state === 'SUCCESS') task.result = decode(job.returnvalue);
  if (state === 'FAILURE' || state === 'REVOKED' || state === 'RETRY') {
    task.error = job.data.error ?? { name: 'Error', message: job.failedReason };
  }
  if (job.progress !== 0 && job.progress !== undefined) task.progress = job.progress;
  if (job.delay > 0 && state !== 'SUCCESS' && state !== 'FAILURE')
    task.runAt = job.timestamp + job.delay;
  if (job.processedOn !== undefined && job.processedOn !== null) task.startedAt = job.processedOn;
  if (state === 'SUCCESS' || state === 'FAILURE' || state === 'REVOKED') {
    if (job.finishedOn !== undefined && job.finishedOn !== null) task.endedAt = job.finishedOn;
  }
  return task;
}

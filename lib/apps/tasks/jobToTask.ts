/**
 * A BullMQ job seen as a {@link Task}.
 * @module
 */
import { decode } from '../../codec/decode.js';
import type { SerializedError } from '../../codec/SerializedError.js';
import type { Task, TaskState } from './Task.js';

/** BullMQ's priorities run lowest first, from 1; ours highest first, from any integer. */
export const PRIORITY_BASE = 1_048_576;

/**
 * @param priority - ours (higher first).
 * @returns BullMQ's (lower first, 1 … 2^21 - 1).
 */
export function bullPriority(priority: number): number {
  return Math.min(2_097_151, Math.max(1, PRIORITY_BASE - priority));
}

/** The fields of a BullMQ job that make a task. */
export interface JobLike {
  id?: string | undefined;
  name: string;
  data: { args?: unknown; error?: SerializedError };
  returnvalue: unknown;
  failedReason: string;
  attemptsMade: number;
  attemptsStarted?: number;
  priority: number;
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
    priority: job.priority > 0 ? PRIORITY_BASE - job.priority : 0,
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

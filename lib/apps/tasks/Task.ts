/**
 * The shapes of the task queue: a task, its states, the options of
 * `queueTask()`, and what a jobs module exports.
 * @module
 */
import type { Actor } from '../../actor/Actor.js';
import type { SerializedError } from '../../codec/SerializedError.js';

/** Where a task is in its life. SUCCESS, FAILURE and REVOKED are final. */
export type TaskState = 'PENDING' | 'STARTED' | 'RETRY' | 'SUCCESS' | 'FAILURE' | 'REVOKED';

/** The final states: `waitForTask()` fires at one of them. */
export const FINAL_STATES: ReadonlySet<TaskState> = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

/**
 * A task: one call of a job, with its outcome.
 *
 * @example
 * ```ts
 * const task: Task = await app.queueTask('add', [1, 2]);
 * console.log(task.id, task.state); // '…', 'PENDING'
 * ```
 */
export interface Task {
  /** Its id: given (`options.id`, idempotent queueing) or a random UUID. */
  id: string;
  /** The job it runs. */
  name: string;
  /** The job's arguments (after `ctx`). */
  args: unknown[];
  /** Where the task is: PENDING, STARTED, RETRY, SUCCESS, FAILURE or REVOKED. */
  state: TaskState;
  /** The job's return value, once SUCCESS. */
  result?: unknown;
  /** Why it failed (class, code, message, remote stack), at FAILURE, RETRY or REVOKED. */
  error?: SerializedError;
  /** Attempts started so far. */
  attempts: number;
  /** Higher runs first (default 0). */
  priority: number;
  /** The last value the job gave `ctx.progress()`. */
  progress?: unknown;
  /** When it was queued (ms since the epoch). */
  queuedAt: number;
  /** When it may run next (delayed, or waiting for a retry). */
  runAt?: number;
  /** When its last attempt started. */
  startedAt?: number;
  /** When it reached a final state. */
  endedAt?: number;
}

/** A retry backoff: a fixed delay in ms (or a duration string), or exponential from a base. */
export type Backoff =
  | number
  | string
  | {
      /** The same delay before every retry, or doubling from it. */
      type: 'fixed' | 'exponential';
      /** The (first) delay: ms or a duration string. */
      delay: number | string;
    };

/** Options of `queueTask()`. Durations are ms or strings such as `'30 seconds'`. */
export interface QueueTaskOptions {
  /** Run no sooner than this from now. */
  delay?: number | string;
  /** Abort the task's signal after this long (default: the job's, else none). */
  timeout?: number | string;
  /** Attempts after the first one failed (default: the job's, else 0). */
  retries?: number;
  /** Higher runs first (default 0). */
  priority?: number;
  /** The task's id: queueing twice with one id queues once (and gives the first task). */
  id?: string;
  /**
   * Embedded backend: `false` gives the task back once queued, without
   * waiting for its fdatasync (it is written within this turn of the loop and
   * synced within 100 ms: a crash of the process loses nothing, a power loss
   * may lose the last 100 ms of such adds). Default `true`: the task is on
   * disk when the call returns. The Redis backend ignores it.
   */
  durable?: boolean;
}

/**
 * What a job receives first.
 *
 * @example
 * ```ts
 * export const jobs = {
 *   async crawl(ctx: JobContext, url: string) {
 *     const res = await fetch(url, { signal: ctx.signal });
 *     ctx.progress(50);
 *     return res.status;
 *   },
 * };
 * ```
 */
export interface JobContext {
  /** The task being run (its attempt number included). */
  task: Task;
  /** The worker actor running it. */
  actor: Actor;
  /** Aborted when the task is revoked or runs past its timeout. */
  signal: AbortSignal;
  /** Report progress: the task's `progress`, seen by `task$` and `getTask()`. */
  progress(value: unknown): void;
  /** Queue another task on the same queue. */
  queueTask(name: string, args?: unknown[], options?: QueueTaskOptions): PromiseLike<Task>;
}

/** A job as a function: the context, then the task's arguments. */
export type JobFunction = (ctx: JobContext, ...args: never[]) => unknown;

/** A job with options. */
export interface JobDefinition {
  /** The job itself: `(ctx, ...args)`, its result the task's. */
  run: JobFunction;
  /** Default timeout of its tasks. */
  timeout?: number | string;
  /** Default retries of its tasks. */
  retries?: number;
  /** Delay before each retry (default 1 second, exponential). */
  backoff?: Backoff;
  /** Periodic: queue a task this often (`'10 minutes'`). */
  every?: number | string;
  /** Periodic: queue a task on this cron schedule (`'0 * * * *'`). */
  cron?: string;
  /** Arguments of the periodic tasks. */
  args?: unknown[];
}

/** What a jobs module exports as `jobs`. */
export type Jobs = Record<string, JobFunction | JobDefinition>;

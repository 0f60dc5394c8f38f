/**
 * What a task backend offers the app, its commands and `taskClient()`.
 * @module
 */
import type { Deferred } from '../../async/Deferred.js';
import type { Observable } from '../../rx.js';
import type { Monitor } from '../../monitor/Monitor.js';
import type { QueueTaskOptions, Task } from './Task.js';

/**
 * A task backend: the embedded journal, or Redis through BullMQ.
 *
 * @example
 * ```ts
 * const task = await backend.queueTask('add', [1, 2], {});
 * const done = await backend.waitForTask(task.id);
 * ```
 */
export interface TaskBackend {
  /** Every state change (and progress report) of every task. */
  readonly task$: Observable<Task>;
  start(): Promise<void>;
  stop(): Promise<void>;
  queueTask(name: string, args?: unknown[], options?: QueueTaskOptions): Promise<Task>;
  /** `queueTask()` as a Deferred without a promise per task (the app returns it as it is). */
  queueTaskDeferred(name: string, args?: unknown[], options?: QueueTaskOptions): Deferred<Task>;
  getTask(id: string): Promise<Task | undefined>;
  /** The task once final; with `ms`, `null` if it is not final by then. */
  waitForTask(id: string, ms?: number): Promise<Task>;
  revokeTask(id: string): Promise<Task | undefined>;
}

/** The monitor-side half of a backend that runs tasks on the app's workers. */
export interface WorkerFacing {
  /** Register the commands the app's workers send its monitor. */
  workerCommands(monitor: Monitor): void;
  /** A worker actor of the app exited (its tasks go back to the queue). */
  workerExited(aid: string): void;
  /** Housekeeping, on every tick of the monitor. */
  tick(): void;
  /** Counts for `info()`. */
  counts(): Record<string, number>;
}

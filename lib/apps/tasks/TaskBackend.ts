/**
 * What a task backend offers the app, its commands and `taskClient()`.
 * @module
 */
import type { Observable } from '../../rx.js';
import type { Dispatcher } from './Dispatcher.js';
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
  getTask(id: string): Promise<Task | undefined>;
  /** The task once final; with `ms`, `null` if it is not final by then. */
  waitForTask(id: string, ms?: number): Promise<Task>;
  revokeTask(id: string): Promise<Task | undefined>;
}

/** The monitor-side half of a backend that runs tasks on the app's workers. */
export interface WorkerFacing {
  /** What the workers' commands and exits go to (it tells the backend). */
  readonly dispatcher: Dispatcher;
  /** Housekeeping, on every tick of the monitor. */
  tick(): void;
  /** Counts for `info()`. */
  counts(): Record<string, number>;
}

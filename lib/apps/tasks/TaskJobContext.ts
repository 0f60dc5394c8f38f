/**
 * The `ctx` of a job run by an embedded-backend worker ({@link TaskWorker}):
 * a class, so that its getters live on the prototype, with `task`, `signal`
 * and `progress` made only when a job reads them (most never do: an
 * AbortController, the task's copy and two closures per task showed in the
 * worker's profile, with their garbage).
 * @module
 */
import type { Actor } from '../../actor/Actor.js';
import type { Assignment } from './Dispatcher.js';
import type { JobContext, Task } from './Task.js';

/** What a worker keeps of a running attempt that its context reads (both backends). */
export interface SignalHolder {
  /** Made when the job reads `ctx.signal`, or on an abort. */
  controller: AbortController | undefined;
}

/**
 * A job's context on the embedded backend.
 *
 * @example
 * ```ts
 * const ctx = new TaskJobContext(assignment, entry, worker, 'jobs', queueTask);
 * await spec.run(ctx, ...assignment.args);
 * ```
 */
export class TaskJobContext implements JobContext {
  private made: Task | undefined;
  private report: ((value: unknown) => void) | undefined;

  /**
   * @param a - the attempt.
   * @param entry - where the attempt's AbortController is kept.
   * @param actor - the worker actor.
   * @param app - the app's name (its monitor hears of the progress).
   * @param queueTask - `ctx.queueTask`.
   */
  constructor(
    private readonly a: Assignment,
    private readonly entry: SignalHolder,
    readonly actor: Actor,
    private readonly app: string,
    readonly queueTask: JobContext['queueTask'],
  ) {}

  /** The task, as it started. */
  get task(): Task {
    const a = this.a;
    return (this.made ??= {
      ...a.meta,
      id: a.id,
      name: a.name,
      args: a.args,
      state: 'STARTED',
      attempts: a.attempts,
    } as Task);
  }

  /** Aborted on revoke and on timeout. */
  get signal(): AbortSignal {
    return (this.entry.controller ??= new AbortController()).signal;
  }

  /** Report progress (bound: `const { progress } = ctx` works). */
  get progress(): (value: unknown) => void {
    const { a, actor, app } = this;
    return (this.report ??= (value) => {
      actor.send(app, 'task_progress', a.id, a.token, value).addErrback(() => undefined);
    });
  }
}

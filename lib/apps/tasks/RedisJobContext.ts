/**
 * The `ctx` of a job run by a Redis worker ({@link RedisConsumer}): a class,
 * so that its getters live on the prototype (an object literal with getters
 * made two closures and an accessor pair per task: they showed in the
 * worker's profile, with its garbage), and `task`, `signal` and `progress`
 * are made only when a job reads them (most never do).
 * @module
 */
import type { Job } from 'bullmq';
import type { Actor } from '../../actor/Actor.js';
import { taskPriority } from './jobToTask.js';
import type { JobContext, Task } from './Task.js';
import type { SignalHolder } from './TaskJobContext.js';

/**
 * A job's context on the Redis backend.
 *
 * @example
 * ```ts
 * const ctx = new RedisJobContext(job, args, entry, worker, queueTask);
 * await spec.run(ctx, ...args);
 * ```
 */
export class RedisJobContext implements JobContext {
  private made: Task | undefined;
  private report: ((value: unknown) => void) | undefined;

  /**
   * @param job - the BullMQ job.
   * @param args - its arguments, decoded.
   * @param entry - where the attempt's AbortController is kept.
   * @param actor - the worker actor.
   * @param queueTask - `ctx.queueTask`.
   * @param flush - sends the worker's held Redis writes (corkWrites): a
   *   progress leaves at once, even if the job then holds the CPU.
   */
  constructor(
    private readonly job: Job,
    private readonly args: unknown[],
    private readonly entry: SignalHolder,
    readonly actor: Actor,
    readonly queueTask: JobContext['queueTask'],
    private readonly flush: () => void = () => undefined,
  ) {}

  /** The task, as it started. */
  get task(): Task {
    const job = this.job;
    return (this.made ??= {
      id: String(job.id),
      name: job.name,
      args: this.args,
      state: 'STARTED',
      attempts: job.attemptsStarted,
      priority: taskPriority(job.data as { priority?: number }),
      queuedAt: job.timestamp,
      startedAt: job.processedOn ?? Date.now(),
    });
  }

  /** Aborted on revoke and on timeout. */
  get signal(): AbortSignal {
    return (this.entry.controller ??= new AbortController()).signal;
  }

  /** Report progress (bound: `const { progress } = ctx` works). */
  get progress(): (value: unknown) => void {
    const { job, flush } = this;
    return (this.report ??= (value) => {
      void job.updateProgress(value as number).catch(() => undefined);
      flush();
    });
  }
}

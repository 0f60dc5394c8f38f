/**
 * The worker side of the Redis backend: a BullMQ Worker in each worker
 * actor takes jobs straight from Redis and completes them there (a task
 * goes Redis → worker → Redis, no hop through the arbiter). It never renews
 * its locks: the arbiter does (`renewLocks`), so CPU work that blocks
 * this loop never makes a job look stalled, and the arbiter, which sees
 * this worker die, puts its jobs back at once. The starts of tasks with a
 * timeout, and the ends of those and of aborted ones, are reported to the
 * arbiter (`task_tracked`, one message per turn) so that it can enforce
 * the timeout and the abort grace even while this loop is blocked.
 * @module
 */
import type { Job, Worker } from 'bullmq';
import type { Actor } from '../../actor/Actor.js';
import { isAsync } from '../../async/isAsync.js';
import { decode } from '../../codec/decode.js';
import { encode } from '../../codec/encode.js';
import { serializeError } from '../../codec/serializeError.js';
import { TaskRevokedError, TaskTimeoutError, UnknownJobError } from '../../errors.js';
import type { JobSpec } from './jobSpecs.js';
import { taskPriority } from './jobToTask.js';
import { PREFIX } from './RedisTaskClient.js';
import { redisOptions } from './redisOptions.js';
import type { JobContext, QueueTaskOptions, Task } from './Task.js';

/** Settings of a {@link RedisConsumer}. */
export interface RedisConsumerOptions {
  url: string;
  queue: string;
  concurrentTasks: number;
  /** ms: the locks' duration (renewed by the arbiter) and the stalled check. */
  lease: number;
  maxDeaths: number;
}

/** A task reported to the arbiter: id, lock token, timeout in ms (0: none). */
export type Timed = [id: string, token: string, timeout: number];

interface Running {
  token: string;
  /** Made when the job reads `ctx.signal`, or on an abort. */
  controller: AbortController | undefined;
  /** Ends the attempt (its outcome: the error). */
  stop: ((err: Error) => void) | undefined;
  /** Reported to the arbiter (timeout or abort): report its end too. */
  tracked: boolean;
}

/**
 * Consumes a Redis queue in a worker actor.
 *
 * @example
 * ```ts
 * const consumer = new RedisConsumer(worker, 'jobs', specs, options, (n, a, o) => app.queueTask(n, a, o));
 * await consumer.start();
 * ```
 */
export class RedisConsumer {
  private bull: Worker | undefined;
  private stopped = false;
  private readonly running = new Map<string, Running>();
  private timed: Timed[] = [];
  private ended: [string, string][] = [];
  private flushing = false;

  /**
   * @param worker - the worker actor.
   * @param app - the app's name (its monitor's).
   * @param specs - the jobs.
   * @param options - URL, queue, concurrency, lease.
   * @param queueTask - `ctx.queueTask`.
   */
  constructor(
    private readonly worker: Actor,
    private readonly app: string,
    private readonly specs: Map<string, JobSpec>,
    private readonly options: RedisConsumerOptions,
    private readonly queueTask: (
      name: string,
      args?: unknown[],
      options?: QueueTaskOptions,
    ) => PromiseLike<Task>,
  ) {}

  /** Register with the arbiter (which then renews this worker's locks), then consume. */
  async start(): Promise<void> {
    const { Worker: BullWorker, UnrecoverableError } = await import('bullmq');
    this.unrecoverable = (message) => new UnrecoverableError(message);
    this.worker.command(
      'task_abort',
      (_a, id: string, token: string, reason: string) => this.abort(id, token, reason),
      { ack: false },
    );
    if (this.stopped) return;
    const bull = new BullWorker(this.options.queue, (job, token) => this.process(job, token!), {
      prefix: PREFIX,
      // No auto-pipelining: it cost this worker a fifth more CPU per task
      // (measured: its completions rarely share a turn).
      connection: { ...redisOptions(this.options.url), maxRetriesPerRequest: null },
      concurrency: this.options.concurrentTasks,
      lockDuration: this.options.lease,
      stalledInterval: this.options.lease,
      maxStalledCount: this.options.maxDeaths,
      skipLockRenewal: true,
      autorun: false,
    });
    this.bull = bull;
    bull.on('error', (err) => this.worker.logger.debug(`redis consumer: ${err.message}`));
    // After the handshake (sent once the start hooks are over), and before
    // the first job: the arbiter must know whose locks to renew.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await this.worker.send(this.app, 'task_consumer_ready', this.worker.aid, bull.id);
    } catch (err) {
      await bull.close(true).catch(() => undefined);
      throw err;
    }
    if (this.stopped) return; // stopping() closed it meanwhile
    void bull.run().catch((err: unknown) => {
      this.worker.logger.error(`redis consumer stopped: ${String(err)}`);
    });
  }

  /**
   * Take no more tasks; let the running ones finish (up to `ms`).
   * @param ms - how long to wait for them.
   */
  async stopping(ms: number): Promise<void> {
    this.stopped = true;
    await this.worker.send(this.app, 'task_worker_stopping', this.worker.aid).then(
      () => undefined,
      () => undefined,
    );
    let timer: NodeJS.Timeout | undefined;
    const closed = this.bull?.close() ?? Promise.resolve();
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    // Left running: the arbiter puts them back once this worker exits.
    void this.bull?.close(true).catch(() => undefined);
  }

  private unrecoverable: (message: string) => Error = (m) => new Error(m);

  private async process(job: Job, token: string): Promise<unknown> {
    const id = String(job.id);
    const data = job.data as { args?: unknown; timeout?: number };
    const spec = this.specs.get(job.name);
    const timeout = data.timeout ?? spec?.timeout ?? 0;
    const entry: Running = { token, controller: undefined, stop: undefined, tracked: timeout > 0 };
    this.running.set(id, entry);
    let timer: NodeJS.Timeout | undefined;
    if (timeout > 0) {
      this.report(() => this.timed.push([id, token, timeout]));
      timer = setTimeout(
        () => stop(entry, new TaskTimeoutError(`task ${id} (${job.name}) ran past its timeout`)),
        timeout,
      );
    }
    // The arbiter must know of a timeout before the job may block this loop:
    // the report leaves at the next check phase, the job starts after it.
    if (timeout > 0) await new Promise((resolve) => setImmediate(resolve));
    let over = false;
    const settled = (): void => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      if (this.running.get(id) === entry) this.running.delete(id);
      if (entry.tracked) this.report(() => this.ended.push([id, token]));
    };
    let run: Promise<unknown> | undefined;
    try {
      // The signal is made when the job first reads it (most never do).
      let result = this.execute(
        job,
        spec,
        () => (entry.controller ??= new AbortController()).signal,
      );
      // A job that returns a value (not a promise) costs no promise here.
      if (isAsync(result)) {
        const running = Promise.resolve(result);
        run = running;
        // An abort ends the attempt at once, whether the job stops or not.
        result = await new Promise((resolve, reject) => {
          entry.stop = reject;
          running.then(resolve, reject);
        });
      }
      settled();
      return encode(result);
    } catch (err) {
      // Aborted: over when the job stops (the arbiter waits for it: the grace).
      if (run !== undefined && entry.controller?.signal.aborted === true)
        run.then(settled, settled);
      else settled();
      const error = serializeError(err);
      await job.updateData({ ...(job.data as object), error }).catch(() => undefined);
      if (err instanceof TaskRevokedError || err instanceof UnknownJobError)
        throw this.unrecoverable(error.message);
      throw Object.assign(new Error(error.message), { name: error.name });
    }
  }

  /** Start the job: its return value (a promise for an async job); throws what it throws. */
  private execute(job: Job, spec: JobSpec | undefined, signal: () => AbortSignal): unknown {
    if (spec === undefined) throw new UnknownJobError(`no job "${job.name}" in this worker`);
    const raw = (job.data as { args?: unknown }).args;
    const args = raw === undefined ? [] : ((decode(raw) as unknown[]) ?? []);
    let task: Task | undefined;
    const ctx: JobContext = {
      // Made when the job reads it (most never do).
      get task() {
        return (task ??= {
          id: String(job.id),
          name: job.name,
          args,
          state: 'STARTED',
          attempts: job.attemptsStarted,
          priority: taskPriority(job.data as { priority?: number }),
          queuedAt: job.timestamp,
          startedAt: job.processedOn ?? Date.now(),
        });
      },
      actor: this.worker,
      get signal() {
        return signal();
      },
      progress: (value) => void job.updateProgress(value as number).catch(() => undefined),
      queueTask: this.queueTask,
    };
    const run = spec.run as (ctx: JobContext, ...args: unknown[]) => unknown;
    return run(ctx, ...args);
  }

  private abort(id: string, token: string, reason: string): void {
    const entry = this.running.get(id);
    if (entry === undefined || entry.token !== token) {
      this.report(() => this.ended.push([id, token])); // over already: no grace to wait for
      return;
    }
    const error =
      reason === 'timeout'
        ? new TaskTimeoutError(`task ${id} ran past its timeout`)
        : new TaskRevokedError(`task ${id} was revoked`);
    entry.tracked = true; // the arbiter waits for its end (the grace)
    stop(entry, error);
  }

  /** Queue a report; those of one turn leave together. */
  private report(add: () => void): void {
    add();
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      const timed = this.timed;
      const ended = this.ended;
      this.timed = [];
      this.ended = [];
      this.worker
        .send(this.app, 'task_tracked', this.worker.aid, timed, ended)
        .addErrback(() => undefined);
    });
  }
}

/** Abort an attempt's signal and end it with `err`. */
function stop(entry: Running, err: Error): void {
  (entry.controller ??= new AbortController()).abort(err);
  entry.stop?.(err);
}

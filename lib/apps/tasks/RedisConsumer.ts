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
import { CLOSE_BOUND, closeBull } from './closeBull.js';
import { corkWrites, type CorkableClient, type CorkedWrites } from './corkWrites.js';
import { PREFIX } from './RedisTaskClient.js';
import { RedisJobContext } from './RedisJobContext.js';
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
  id: string;
  token: string;
  /** Made when the job reads `ctx.signal`, or on an abort. */
  controller: AbortController | undefined;
  /** Ends the attempt (its outcome: the error). */
  stop: ((err: Error) => void) | undefined;
  /** Reported to the arbiter (timeout or abort): report its end too. */
  tracked: boolean;
  /** Its timeout. */
  timer: NodeJS.Timeout | undefined;
  /** Ended (reported, forgotten). */
  over: boolean;
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
  /** The completions held for the end of the turn (corkWrites). */
  private writes: CorkedWrites | undefined;
  private readonly flushWrites = (): void => this.writes?.flush();

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
    // BullMQ awaits what its processor returns (`await callProcessJob()`):
    // a plain value, from a job that returns one, spares a promise a task.
    const processor = (job: Job, token?: string): Promise<unknown> =>
      this.process(job, token!) as Promise<unknown>;
    const bull = new BullWorker(this.options.queue, processor, {
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
    // The completions of a turn in one write (corkWrites.ts); once connected
    // (not awaited: with Redis down, the worker starts anyway and BullMQ waits).
    bull
      .getBackend()
      .client.then((client) => (this.writes = corkWrites(client as unknown as CorkableClient)))
      .catch(() => undefined);
    // After the handshake (sent once the start hooks are over), and before
    // the first job: the arbiter must know whose locks to renew.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await this.worker.send(this.app, 'task_consumer_ready', this.worker.aid, bull.id);
    } catch (err) {
      await closeBull(bull, CLOSE_BOUND, true); // bounded: Redis may be down too
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

  /**
   * BullMQ's processor: the job's encoded result, or a promise of it (an
   * async job, or one with a timeout). A job that returns a value costs no
   * promise and no closure here (the worker's profile: our code and its
   * garbage were a tenth of this process's CPU per task).
   */
  private process(job: Job, token: string): unknown {
    const id = String(job.id);
    const spec = this.specs.get(job.name);
    const timeout = (job.data as { timeout?: number }).timeout ?? spec?.timeout ?? 0;
    const entry: Running = {
      id,
      token,
      controller: undefined,
      stop: undefined,
      tracked: timeout > 0,
      timer: undefined,
      over: false,
    };
    this.running.set(id, entry);
    return timeout > 0 ? this.processTimed(job, entry, spec, timeout) : this.run(job, entry, spec);
  }

  /** A job with a timeout: the arbiter hears of it before it starts. */
  private async processTimed(
    job: Job,
    entry: Running,
    spec: JobSpec | undefined,
    timeout: number,
  ): Promise<unknown> {
    const { id, token } = entry;
    this.report(() => this.timed.push([id, token, timeout]));
    entry.timer = setTimeout(
      () => stop(entry, new TaskTimeoutError(`task ${id} (${job.name}) ran past its timeout`)),
      timeout,
    );
    // The arbiter must know of the timeout before the job may block this
    // loop: the report leaves at the next check phase, the job starts after it.
    await new Promise((resolve) => setImmediate(resolve));
    // Revoked (or timed out) meanwhile: not started, failed as its abort says.
    const signal = entry.controller?.signal;
    if (signal?.aborted === true) {
      this.settle(entry);
      return this.failed(job, signal.reason);
    }
    return this.run(job, entry, spec);
  }

  /** Start the job; its encoded result, or a promise of it; a failure as a rejected promise. */
  private run(job: Job, entry: Running, spec: JobSpec | undefined): unknown {
    // A job may hold the CPU: what this turn completed leaves first (their
    // write, at the end of the turn, then this job, a tick later).
    if (this.writes?.holding() === true) return this.later(job, entry, spec);
    let result: unknown;
    try {
      result = this.execute(job, spec, entry);
      if (isAsync(result)) return this.awaitRun(job, entry, Promise.resolve(result));
      this.settle(entry);
      return encode(result);
    } catch (err) {
      this.settle(entry);
      return this.failed(job, err);
    }
  }

  /** `run()` once the writes held have left (the uncork's tick was queued before this one). */
  private later(job: Job, entry: Running, spec: JobSpec | undefined): Promise<unknown> {
    return new Promise((resolve) => process.nextTick(resolve)).then(() =>
      this.run(job, entry, spec),
    );
  }

  /** An async job: an abort ends the attempt at once, whether the job stops or not. */
  private async awaitRun(job: Job, entry: Running, running: Promise<unknown>): Promise<unknown> {
    let result: unknown;
    try {
      result = await new Promise((resolve, reject) => {
        entry.stop = reject;
        running.then(resolve, reject);
      });
    } catch (err) {
      // Aborted: over when the job stops (the arbiter waits for it: the grace).
      if (entry.controller?.signal.aborted === true) {
        const settle = (): void => this.settle(entry);
        running.then(settle, settle);
      } else this.settle(entry);
      return this.failed(job, err);
    }
    this.settle(entry);
    try {
      return encode(result);
    } catch (err) {
      return this.failed(job, err);
    }
  }

  /** The attempt is over: forget it, and tell the arbiter if it tracks it. */
  private settle(entry: Running): void {
    if (entry.over) return;
    entry.over = true;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    if (this.running.get(entry.id) === entry) this.running.delete(entry.id);
    if (entry.tracked) this.report(() => this.ended.push([entry.id, entry.token]));
  }

  /** Keep the error with the job, and fail it (for good if revoked or unknown). */
  private async failed(job: Job, err: unknown): Promise<never> {
    const error = serializeError(err);
    await job.updateData({ ...(job.data as object), error }).catch(() => undefined);
    if (err instanceof TaskRevokedError || err instanceof UnknownJobError)
      throw this.unrecoverable(error.message);
    throw Object.assign(new Error(error.message), { name: error.name });
  }

  /** Start the job: its return value (a promise for an async job); throws what it throws. */
  private execute(job: Job, spec: JobSpec | undefined, entry: Running): unknown {
    if (spec === undefined) throw new UnknownJobError(`no job "${job.name}" in this worker`);
    const raw = (job.data as { args?: unknown }).args;
    const args = raw === undefined ? [] : ((decode(raw) as unknown[]) ?? []);
    const ctx = new RedisJobContext(
      job,
      args,
      entry,
      this.worker,
      this.queueTask,
      this.flushWrites,
    );
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

/**
 * The adds of a Redis queue client, batched: those of one turn of the
 * event loop leave in one pipeline, as BullMQ's `addBulk` sends them, but
 * each add gets its own outcome (BullMQ's `addBulk` fails them all when one
 * fails, though the others were added). A lone add is a plain `add()`.
 * Measured on the producer's process, per 1000 concurrent `queueTask()`:
 * 30–34 ms of CPU one by one (auto-pipelined), 21–25 batched (BullMQ's
 * `addBulk`: 19–28).
 * @module
 */
import type { Job, JobsOptions, Queue } from 'bullmq';
import { TaskBackendError } from '../../errors.js';

/** A job added: its id and when it was queued. */
export interface Added {
  id: string;
  timestamp: number;
}

/**
 * Most adds in one pipeline. A pipeline leaves once built, so a burst of
 * 5000 adds in one turn went out only after all 5000 were built (Redis and
 * the workers idle meanwhile); in pipelines of 256 Redis runs the first
 * while the next are built, and their callers hear back sooner (fewer
 * objects alive at each scavenge). Measured (`taskqueue-rounds`, runs
 * alternated, load 3.4–5.7): Redis backend, 4 workers, 0.74–0.75× →
 * 0.93–0.98× BullMQ in-process; 64 per pipeline did as well.
 */
export const PIPELINE_ADDS = 256;

/** What becomes of an add: an error, or the job added. */
export type AddDone = (err: unknown, added?: Added) => void;

interface Pending {
  name: string;
  data: object;
  opts: JobsOptions;
  done: AddDone;
}

/**
 * Batches the adds of a BullMQ queue by turn.
 *
 * @example
 * ```ts
 * const { Job } = await import('bullmq');
 * const adds = new AddBatcher(queue, Job);
 * const { id } = await adds.add('resize', { args: ['cat.png'] }, {});
 * ```
 */
export class AddBatcher {
  private pending: Pending[] = [];

  /**
   * @param queue - the BullMQ queue (started).
   * @param JobClass - BullMQ's `Job` (loaded lazily by the caller).
   */
  constructor(
    private readonly queue: Queue,
    private readonly JobClass: typeof Job,
  ) {}

  /**
   * Add a job with the others of this turn.
   * @param name - the job's name.
   * @param data - its data.
   * @param opts - its options.
   * @returns the job added: its id and timestamp.
   */
  add(name: string, data: object, opts: JobsOptions): Promise<Added> {
    return new Promise((resolve, reject) => {
      this.push(name, data, opts, (err, added) => {
        // The error as Redis or BullMQ gave it, as `queue.add()` would.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        if (added === undefined) reject(err);
        else resolve(added);
      });
    });
  }

  /**
   * Add a job with the others of this turn, its outcome given to `done`
   * (no promise: the producer's fast path, see `RedisTaskClient.queueTaskDeferred()`).
   * @param name - the job's name.
   * @param data - its data.
   * @param opts - its options.
   * @param done - called once, with an error or the job added.
   */
  push(name: string, data: object, opts: JobsOptions, done: AddDone): void {
    if (this.pending.push({ name, data, opts, done }) === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    const [first] = batch;
    if (batch.length === 1 && first !== undefined) {
      this.queue.add(first.name, first.data, first.opts).then(
        (job) => first.done(undefined, { id: String(job.id), timestamp: job.timestamp }),
        (err: unknown) => first.done(err),
      );
      return;
    }
    // Pipelines of PIPELINE_ADDS, each sent once built: Redis runs the
    // first adds, and workers take them, while the next are being built.
    for (let i = 0; i < batch.length; i += PIPELINE_ADDS) {
      const chunk = batch.length <= PIPELINE_ADDS ? batch : batch.slice(i, i + PIPELINE_ADDS);
      this.pipeline(chunk).catch((err: unknown) => {
        for (const p of chunk) p.done(err);
      });
    }
  }

  private async pipeline(batch: Pending[]): Promise<void> {
    const backend = this.queue.backend;
    const pipeline = (await backend.connection.client).pipeline();
    const JobClass = this.JobClass;
    // Only what the outcome needs is kept until the replies (not the Job).
    const added: Pending[] = [];
    const stamps: number[] = [];
    for (const p of batch) {
      try {
        const job = new JobClass(this.queue, p.name, p.data, p.opts, p.opts.jobId);
        const json = job.asJSON();
        (job as unknown as { validateOptions(json: unknown): void }).validateOptions(json);
        // Queued on the pipeline synchronously (as BullMQ's own addBulk relies on).
        void backend.addJobToTransaction(pipeline, json, job.id!);
        added.push(p);
        stamps.push(job.timestamp);
      } catch (err) {
        p.done(err);
      }
    }
    let results: [Error | null, unknown][];
    try {
      results = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
    } catch (err) {
      // Only those sent: the others were told already (`done` is called once).
      for (const p of added) p.done(err);
      return;
    }
    for (let i = 0; i < added.length; i++) {
      const p = added[i]!;
      const [err, id] = results[i] ?? [new TaskBackendError('no reply from Redis'), undefined];
      if (err !== null && err !== undefined) p.done(err);
      else if (typeof id === 'number' && id < 0)
        p.done(new TaskBackendError(`BullMQ add failed (${id})`));
      else p.done(undefined, { id: String(id), timestamp: stamps[i]! });
    }
  }
}

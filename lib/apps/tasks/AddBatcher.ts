/**
 * The adds of a Redis queue client, batched: an add made while none is on
 * its way leaves at once, as a plain `add()` (a producer that awaits each
 * add waits for no turn of the event loop); those made while adds are on
 * their way leave together at the end of the turn, in one pipeline, as
 * BullMQ's `addBulk` sends them, but each add gets its own outcome
 * (BullMQ's `addBulk` fails them all when one fails, though the others
 * were added).
 * Measured on the producer's process, per 1000 concurrent `queueTask()`:
 * 30–34 ms of CPU one by one (auto-pipelined), 21–25 batched (BullMQ's
 * `addBulk`: 19–28).
 * @module
 */
import type { Job, JobsOptions, Queue } from 'bullmq';
import { TaskBackendError } from '../../errors.js';
import { createLogger } from '../../log/createLogger.js';

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
  /** Adds and pipelines sent whose replies have not come yet. */
  private inFlight = 0;

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
    const p = { name, data, opts, done };
    // Nothing on its way: nothing to wait for (a producer awaiting each add).
    if (this.inFlight === 0 && this.pending.length === 0) this.send(p);
    else if (this.pending.push(p) === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    const [first] = batch;
    if (batch.length === 1 && first !== undefined) {
      this.send(first);
      return;
    }
    // Pipelines of PIPELINE_ADDS, each sent once built: Redis runs the
    // first adds, and workers take them, while the next are being built.
    for (let i = 0; i < batch.length; i += PIPELINE_ADDS) {
      const chunk = batch.length <= PIPELINE_ADDS ? batch : batch.slice(i, i + PIPELINE_ADDS);
      this.inFlight++;
      // pipeline() tells each add of its outcome itself, and never rejects.
      void this.pipeline(chunk).finally(() => this.inFlight--);
    }
  }

  /** One add, as BullMQ's `add()`. */
  private send(p: Pending): void {
    this.inFlight++;
    this.queue.add(p.name, p.data, p.opts).then(
      (job) => {
        this.inFlight--;
        tell(p, undefined, { id: String(job.id), timestamp: job.timestamp });
      },
      (err: unknown) => {
        this.inFlight--;
        tell(p, err);
      },
    );
  }

  /** Send `batch` in one pipeline; tell each add its outcome (once); never rejects. */
  private async pipeline(batch: Pending[]): Promise<void> {
    const backend = this.queue.backend;
    let pipeline: ReturnType<Awaited<typeof backend.connection.client>['pipeline']>;
    try {
      pipeline = (await backend.connection.client).pipeline();
    } catch (err) {
      for (const p of batch) tell(p, err);
      return;
    }
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
        tell(p, err);
      }
    }
    let results: [Error | null, unknown][];
    try {
      results = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
    } catch (err) {
      // Only those sent: the others were told already (`done` is called once).
      for (const p of added) tell(p, err);
      return;
    }
    for (let i = 0; i < added.length; i++) {
      const p = added[i]!;
      const [err, id] = results[i] ?? [new TaskBackendError('no reply from Redis'), undefined];
      if (err !== null && err !== undefined) tell(p, err);
      else if (typeof id === 'number' && id < 0)
        tell(p, new TaskBackendError(`BullMQ add failed (${id})`));
      else tell(p, undefined, { id: String(id), timestamp: stamps[i]! });
    }
  }
}

/**
 * Give an add its outcome. A callback that throws is a bug of its caller:
 * its error is logged (as a Deferred logs a watcher that throws), and
 * neither this add nor the others of its batch are told twice.
 */
function tell(p: Pending, err: unknown, added?: Added): void {
  try {
    p.done(err, added);
  } catch (thrown) {
    createLogger('tasks').error(`an add's callback threw: ${String(thrown)}`);
  }
}

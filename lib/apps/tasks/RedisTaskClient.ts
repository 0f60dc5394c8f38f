/**
 * The producer API against a Redis-backed queue (BullMQ): what
 * `taskClient(url)` gives, and the base of the arbiter's {@link RedisBackend}.
 * BullMQ and ioredis are loaded by `start()`, never by `import 'rxpulsar'`.
 * @module
 */
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Deferred } from '../../async/Deferred.js';
import { serializeError } from '../../codec/serializeError.js';
import {
  InvalidStateError,
  TaskBackendError,
  TaskRevokedError,
  TimeoutError,
} from '../../errors.js';
import { Observable, Subject } from '../../rx.js';
import { AddBatcher, type Added } from './AddBatcher.js';
import { checkTask, type CheckedTask } from './checkTask.js';
import { closeBull } from './closeBull.js';
import type { JobSpec } from './jobSpecs.js';
import { checkBullId, jobToTask } from './jobToTask.js';
import { RedisEvents } from './RedisEvents.js';
import { redisOptions, type RedisOptions } from './redisOptions.js';
import { jobData, jobOptions, queuedTask } from './taskToJob.js';
import type { TaskBackend } from './TaskBackend.js';
import { FINAL_STATES, type QueueTaskOptions, type Task } from './Task.js';
import { TaskWaiters } from './TaskWaiters.js';

/** Options of a Redis queue client. */
export interface RedisClientOptions {
  /** The queue's name (the TaskQueue app's name). */
  queue: string;
  /** ms a final task is kept (default 1 day). */
  resultTtl?: number;
  /** The jobs, when known (then unknown names are refused here). */
  specs?: Map<string, JobSpec>;
  /**
   * ms a connection, subscription, events reader or command may wait for
   * Redis (default {@link READY_BOUND}): a Redis that stopped answering
   * (frozen, or its host gone) fails calls with a TaskBackendError.
   */
  readyTimeout?: number;
  /**
   * The arbiter's `maxMessageSize`: a task's arguments must fit in a
   * message, as on the embedded backend (default: no limit; a client's
   * tasks go to Redis, and the workers read them there).
   */
  maxMessageSize?: number;
}

/** Key prefix of every rxpulsar queue in Redis. */
export const PREFIX = 'rxp';

/** ms a connection, subscription or events reader may wait for Redis. */
export const READY_BOUND = 10_000;

/**
 * A Redis-backed queue, producer side.
 *
 * @example
 * ```ts
 * const client = new RedisTaskClient('redis://127.0.0.1:6379/0', { queue: 'jobs' });
 * await client.start();
 * const task = await client.queueTask('resize', ['cat.png']);
 * ```
 */
export class RedisTaskClient implements TaskBackend {
  readonly task$: Observable<Task>;
  protected readonly changes = new Subject<Task>();
  protected readonly connection: RedisOptions;
  /** The last connection error, for the message of a wait that timed out. */
  private lastError: string | undefined;
  protected queue: Queue | undefined;
  protected redis: Redis | undefined;
  /** The queue's events, read only while someone listens. */
  private readonly events: RedisEvents;
  protected stopped = false;
  /** Rejects at stop(): what waits for Redis gives up then. */
  private readonly halted: Promise<never>;
  private halt: () => void = () => undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly waiters: TaskWaiters;
  private adds: AddBatcher | undefined;

  /**
   * @param url - `redis://host:port/db`.
   * @param options - the queue's name, result TTL, jobs.
   */
  constructor(
    readonly url: string,
    protected readonly options: RedisClientOptions,
  ) {
    this.connection = redisOptions(url);
    this.halted = new Promise<never>((_resolve, reject) => {
      this.halt = () =>
        reject(new InvalidStateError(`the client of queue ${options.queue} stopped`));
    });
    this.halted.catch(() => undefined);
    const events = { prefix: PREFIX, connection: this.connection };
    this.events = new RedisEvents(options.queue, events, (id) => this.refresh(id));
    // Each event costs a read of the job: only while someone listens.
    this.task$ = new Observable<Task>((subscriber) => {
      this.events.join();
      this.watchEvents().catch(() => undefined); // reported to waiters by getTask()
      const sub = this.changes.subscribe(subscriber);
      return () => {
        sub.unsubscribe();
        this.events.leave();
      };
    });
    this.waiters = new TaskWaiters(this.task$);
  }

  /** @returns the TTL of final tasks, in ms. */
  protected get resultTtl(): number {
    return this.options.resultTtl ?? 86_400_000;
  }

  async start(): Promise<void> {
    const { Queue, Job } = await import('bullmq');
    const { Redis } = await import('ioredis');
    if (this.stopped)
      throw new InvalidStateError(`the client of queue ${this.options.queue} stopped`);
    const name = this.options.queue;
    // The connections of plain commands (no blocking read on either: the
    // events have their own) fail a command Redis does not answer in time.
    // Its reply, if it comes, is still read in order: the connection goes on.
    const commandOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: this.options.readyTimeout ?? READY_BOUND,
    };
    this.queue = new Queue(name, {
      prefix: PREFIX,
      // No auto-pipelining: an ioredis Pipeline copies every script BullMQ
      // defines on the connection (some 50) when it is made, once a turn
      // with it: a lone add cost 1.5-2x as much (see docs/choices.md).
      connection: { ...this.connection, ...commandOptions },
    });
    // Reported to callers, as TaskBackendError; the last one says why Redis did not answer.
    this.queue.on('error', (err) => (this.lastError = err.message));
    // The adds of one turn leave in one pipeline, as `addBulk` sends them.
    this.adds = new AddBatcher(this.queue, Job);
    this.redis = new Redis({ ...this.connection, ...commandOptions, lazyConnect: true });
    this.redis.on('error', (err) => (this.lastError = err.message));
    // Both connections: a read right after start() goes on the second one,
    // which refuses commands until it is ready (no offline queue); ioredis's
    // connect() resolves once it is ready, rejects if it closes first.
    const [queue, redis] = [this.queue, this.redis];
    try {
      await this.ready(
        'connect',
        (async () => {
          await queue.waitUntilReady();
          await redis.connect();
        })(),
      );
    } catch (err) {
      // Nothing left reconnecting for ever (stop() may have come first).
      redis.disconnect();
      await closeBull(queue);
      throw err;
    }
  }

  /**
   * `op`, unless stop() comes first (an InvalidStateError) or Redis does not
   * answer within `readyTimeout` ms (a TaskBackendError): a connection
   * that cannot reach Redis waits for ever, and so would its caller.
   * @param what - what waits, for the error.
   * @param op - what waits for Redis.
   * @returns its result.
   */
  protected ready<T>(what: string, op: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const ms = this.options.readyTimeout ?? READY_BOUND;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const why = this.lastError === undefined ? '' : `; last error: ${this.lastError}`;
        reject(new TimeoutError(`no answer within ${ms} ms${why}`));
      }, ms);
    });
    return this.guard(what, () =>
      Promise.race([op, late, this.halted]).finally(() => clearTimeout(timer)),
    );
  }

  /**
   * Read the queue's events (a blocking XREAD, and a wake-up per event) only
   * once someone listens (`task$`, `waitForTask()`), from a second before
   * (see {@link RedisEvents}): producing and running tasks pay nothing for them.
   * @returns settled once the events are read (at once before start() or after stop()).
   */
  protected watchEvents(): Promise<void> {
    if (this.queue === undefined) return Promise.resolve();
    return this.events.watch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.halt();
    // Each close is bounded: BullMQ's waits forever for a connection that
    // lost Redis (closeBull.ts). The events are not awaited ready (RedisEvents).
    await this.events.stop();
    await Promise.all([this.events.close(), closeBull(this.queue)]);
    this.redis?.disconnect();
    await this.chain;
    this.changes.complete();
  }

  async queueTask(name: string, args?: unknown[], options?: QueueTaskOptions): Promise<Task> {
    return this.queueTaskDeferred(name, args, options);
  }

  /**
   * `queueTask()` as a Deferred, fired from the batch's replies: no promise
   * of its own per task, nor one for the add (the producer's fast path: the
   * app's `queueTask()` returns it as it is).
   * @param name - the job.
   * @param args - its arguments.
   * @param options - its options.
   * @returns the Deferred of the queued task.
   */
  queueTaskDeferred(name: string, args?: unknown[], options?: QueueTaskOptions): Deferred<Task> {
    const d = new Deferred<Task>();
    let c: CheckedTask;
    try {
      c = checkTask(this.options.specs, name, args, options, this.options.maxMessageSize);
      checkBullId(c.name, c.id);
      this.bull(); // started?
    } catch (err) {
      d.errback(err);
      return d;
    }
    // With an id, it may be an earlier job (BullMQ then returns a job built
    // here, not the stored one): read the stored task once added.
    if (c.id !== undefined) {
      this.queueWithId(c).then(
        (task) => {
          if (!d.called) d.callback(task); // or cancelled meanwhile
        },
        (err: unknown) => {
          if (!d.called) d.errback(err);
        },
      );
      return d;
    }
    const backoff = this.options.specs?.get(c.name)?.backoff;
    this.adds!.push(c.name, jobData(c), jobOptions(c, backoff), (err, added) => {
      if (d.called) return; // cancelled meanwhile
      if (added === undefined) d.errback(this.backendError('queue a task', err));
      else d.callback(queuedTask(added, c));
    });
    return d;
  }

  private async queueWithId(c: CheckedTask): Promise<Task> {
    let added: Added;
    try {
      const backoff = this.options.specs?.get(c.name)?.backoff;
      added = await this.adds!.add(c.name, jobData(c), jobOptions(c, backoff));
    } catch (err) {
      throw this.backendError('queue a task', err);
    }
    return (await this.getTask(c.id!)) ?? queuedTask(added, c);
  }

  async getTask(id: string): Promise<Task | undefined> {
    return this.guard('read a task', async () => {
      // The state first: a job read after it may be newer (a later event
      // refreshes), never older (a completed state with no result yet).
      const [state, revoked] = await Promise.all([
        this.bull().getJobState(id),
        this.redis!.get(this.revokedKey(id)),
      ]);
      const job = (await this.bull().getJob(id)) as Job | undefined;
      if (job === undefined) return revoked === null ? undefined : (JSON.parse(revoked) as Task);
      return jobToTask(job, state, revoked !== null);
    });
  }

  async waitForTask(id: string, ms?: number): Promise<Task> {
    if (!this.events.watching) await this.getTask(id); // Redis down: fail at once
    // Listen first, then read: an end between the two is not missed. The
    // events may not be read yet (Redis lost): `ms` holds meanwhile.
    const waiting = this.waiters.wait(id, ms);
    let task: Task | undefined;
    try {
      const read = this.ready('read the events', this.watchEvents()).then(() => undefined);
      const first = await Promise.race([read, waiting]);
      if (first !== undefined) return first as Task; // final, or `null` past `ms`
      task = await this.getTask(id);
    } catch (err) {
      waiting.cancel();
      throw err;
    }
    if (task === undefined || FINAL_STATES.has(task.state)) {
      waiting.cancel();
      if (task === undefined)
        throw new InvalidStateError(`no task "${id}" in queue ${this.options.queue}`);
      return task;
    }
    return (await waiting) as Task;
  }

  async revokeTask(id: string): Promise<Task | undefined> {
    const task = await this.getTask(id);
    if (task === undefined || FINAL_STATES.has(task.state)) return task;
    const revoked: Task = {
      ...task,
      state: 'REVOKED',
      endedAt: Date.now(),
      error: serializeError(new TaskRevokedError(`task ${id} was revoked`)),
    };
    await this.guard('revoke a task', async () => {
      await this.redis!.set(this.revokedKey(id), JSON.stringify(revoked), 'PX', this.resultTtl);
      const removed =
        task.state === 'STARTED'
          ? 0
          : await this.bull()
              .remove(id)
              .catch(() => 0);
      // A running task: the arbiter running it aborts its signal.
      if (removed !== 1) await this.redis!.publish(this.revokeChannel, id);
    });
    this.changes.next(revoked);
    return revoked;
  }

  /** The channel revocations of running tasks are published on. */
  protected get revokeChannel(): string {
    return `${PREFIX}:${this.options.queue}:revoke`;
  }

  protected revokedKey(id: string): string {
    return `${PREFIX}:${this.options.queue}:revoked:${id}`;
  }

  protected bull(): Queue {
    if (this.queue === undefined)
      throw new InvalidStateError(`task client ${this.url} is not started`);
    return this.queue;
  }

  /** Run a Redis operation; a connection failure becomes a TaskBackendError. */
  protected async guard<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw this.backendError(what, err);
    }
  }

  /** @returns what a failed Redis operation is reported as. */
  private backendError(what: string, err: unknown): Error {
    if (err instanceof InvalidStateError) return err;
    return new TaskBackendError(
      `cannot ${what}: Redis at ${this.url} failed (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }

  private refresh(id: string): void {
    if (!this.events.listening) return;
    this.chain = this.chain.then(async () => {
      try {
        const task = await this.getTask(id);
        if (task !== undefined) this.changes.next(task);
      } catch {
        // Redis went away: the next event refreshes
      }
    });
  }
}

/**
 * The Redis backend, arbiter side: a BullMQ Worker in the arbiter takes
 * jobs (it holds their locks, renewed by the arbiter's loop, so CPU work in
 * a worker actor never makes a job look stalled) and hands them to the
 * app's worker actors through the {@link Dispatcher}. A worker actor that
 * dies: its attempts go to another at once, under the same lock. A whole
 * arbiter that dies: BullMQ's stalled check gives its jobs to another
 * arbiter after the lease (`taskLease`).
 * @module
 */
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { encode } from '../../codec/encode.js';
import { serializeError } from '../../codec/serializeError.js';
import type { SerializedError } from '../../codec/SerializedError.js';
import {
  CancelledError,
  TaskRevokedError,
  TaskTimeoutError,
  WorkerLostError,
} from '../../errors.js';
import type { Monitor } from '../../monitor/Monitor.js';
import { Dispatcher, PREFETCH, type DispatchOwner, type Outcome } from './Dispatcher.js';
import type { JobSpec } from './jobSpecs.js';
import { PRIORITY_BASE } from './jobToTask.js';
import { PREFIX, RedisTaskClient } from './RedisTaskClient.js';
import { upsertSchedules } from './redisSchedules.js';
import type { WorkerFacing } from './TaskBackend.js';

/** Settings of the Redis backend. */
export interface RedisBackendOptions {
  url: string;
  queue: string;
  concurrentTasks: number;
  resultTtl: number;
  maxDeaths: number;
  abortGrace: number;
  /** ms: BullMQ's lockDuration and stalledInterval. */
  lease: number;
  /** A tick missed while nothing ran: queued once on start, or skipped. */
  missedTicks: 'once' | 'skip';
}

interface Local {
  job: Job;
  token: number;
  deaths: number;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * A queue in Redis served by this arbiter's pool.
 *
 * @example
 * ```ts
 * const backend = new RedisBackend(monitor, specs, { url: 'redis://127.0.0.1:6379/0', queue: 'jobs', … });
 * await backend.start();
 * ```
 */
export class RedisBackend extends RedisTaskClient implements WorkerFacing, DispatchOwner {
  /** The workers' side: their commands and exits. */
  readonly dispatcher: Dispatcher;
  private readonly local = new Map<string, Local>();
  private waiting: Local[] = [];
  private tokens = 0;
  private worker: Worker | undefined;
  private subscriber: Redis | undefined;

  /**
   * @param monitor - the app's monitor.
   * @param specs - the jobs.
   * @param settings - URL, queue, credits, lease…
   */
  constructor(
    monitor: Monitor,
    specs: Map<string, JobSpec>,
    private readonly settings: RedisBackendOptions,
  ) {
    super(settings.url, { queue: settings.queue, resultTtl: settings.resultTtl, specs });
    this.dispatcher = new Dispatcher(monitor, this, {
      concurrentTasks: settings.concurrentTasks,
      grace: settings.abortGrace,
    });
    this.monitor = monitor;
  }

  private readonly monitor: Monitor;

  override async start(): Promise<void> {
    await super.start();
    const { Worker: BullWorker, UnrecoverableError } = await import('bullmq');
    const { Redis } = await import('ioredis');
    this.unrecoverable = (message) => new UnrecoverableError(message);
    this.subscriber = new Redis({ ...this.connection, maxRetriesPerRequest: null });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, id: string) => this.revoked(id));
    await this.guard('subscribe', () => this.subscriber!.subscribe(this.revokeChannel));
    // Before the Worker: it would take an overdue tick at once.
    await this.guard('schedule the periodic jobs', () =>
      upsertSchedules(
        this.bull(),
        this.options.specs?.values() ?? [],
        this.settings.missedTicks,
        (spec, id) => this.queueTask(spec.name, spec.args, { id }),
      ),
    );
    const workers = Math.max(1, this.monitor.settings.workers);
    this.worker = new BullWorker(this.settings.queue, (job) => this.process(job), {
      prefix: PREFIX,
      // The completions a worker reports together (one `task_done`) reach
      // Redis in one write: ioredis sends the commands of one turn as a pipeline.
      connection: { ...this.connection, maxRetriesPerRequest: null, enableAutoPipelining: true },
      // What the workers hold (PREFETCH × concurrentTasks each: running and
      // next in line) and one more concurrentTasks each, fetched (and
      // locked) while the others run, so a free credit never waits on a
      // Redis round trip (a whole arbiter that dies gives them back after
      // the lease, like its running jobs).
      concurrency: (PREFETCH + 1) * workers * this.settings.concurrentTasks,
      lockDuration: this.settings.lease,
      stalledInterval: this.settings.lease,
      maxStalledCount: this.settings.maxDeaths,
    });
    this.worker.on('error', (err) => this.monitor.logger.debug(`redis worker: ${err.message}`));
  }

  override async stop(): Promise<void> {
    await this.worker?.close(true);
    for (const l of this.local.values()) l.reject(new CancelledError('the arbiter stops'));
    this.local.clear();
    this.dispatcher.stop();
    this.subscriber?.disconnect();
    await super.stop();
  }

  progressed(id: string, token: number, value: unknown): void {
    const l = this.local.get(id);
    if (l?.token === token) void l.job.updateProgress(value as number).catch(() => undefined);
  }

  tick(): void {
    this.pump();
  }

  counts(): Record<string, number> {
    return { running: this.dispatcher.running, waiting: this.waiting.length };
  }

  finished(id: string, token: number, outcome: Outcome): void {
    const l = this.current(id, token);
    if (l === undefined) return;
    if (outcome.ok) l.resolve(encode(outcome.result));
    else void this.fail(l, outcome.error, false);
  }

  lost(id: string, token: number, graceful: boolean): void {
    const l = this.current(id, token);
    if (l === undefined) return;
    if (!graceful) l.deaths++;
    if (l.deaths >= this.settings.maxDeaths) {
      const err = new WorkerLostError(
        `task ${id} (${l.job.name}) was running on ${l.deaths} workers that died: not retrying it`,
      );
      void this.fail(l, serializeError(err), true);
      return;
    }
    this.local.set(id, l);
    this.waiting.unshift(l); // at once, under the same lock
  }

  timedOut(id: string, token: number): void {
    const l = this.current(id, token);
    if (l === undefined) return;
    const err = new TaskTimeoutError(`task ${id} (${l.job.name}) ran past its timeout`);
    void this.fail(l, serializeError(err), false);
  }

  pump(): void {
    while (this.dispatcher.free > 0 && this.waiting.length > 0) {
      const l = this.waiting.shift()!;
      l.token = ++this.tokens;
      const { job } = l;
      const data = job.data as { args?: unknown; timeout?: number };
      this.dispatcher.dispatch({
        id: String(job.id),
        token: l.token,
        name: job.name,
        args: (data.args as unknown[] | undefined) ?? [],
        attempts: job.attemptsStarted,
        timeout: data.timeout ?? this.options.specs?.get(job.name)?.timeout,
        meta: {
          priority: job.priority > 0 ? PRIORITY_BASE - job.priority : 0,
          queuedAt: job.timestamp,
          startedAt: job.processedOn ?? Date.now(),
        },
      });
    }
  }

  private unrecoverable: (message: string) => Error = (m) => new Error(m);

  private process(job: Job): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const l: Local = { job, token: 0, deaths: 0, resolve, reject };
      this.local.set(String(job.id), l);
      this.waiting.push(l);
      this.pump();
    });
  }

  private current(id: string, token: number): Local | undefined {
    const l = this.local.get(id);
    if (l === undefined || l.token !== token) return undefined;
    this.local.delete(id);
    return l;
  }

  private async fail(l: Local, error: SerializedError, final: boolean): Promise<void> {
    await l.job.updateData({ ...(l.job.data as object), error }).catch(() => undefined);
    l.reject(
      final
        ? this.unrecoverable(error.message)
        : Object.assign(new Error(error.message), { name: error.name }),
    );
  }

  private revoked(id: string): void {
    const l = this.local.get(id);
    if (l === undefined) return;
    this.local.delete(id);
    this.waiting = this.waiting.filter((w) => w !== l);
    this.dispatcher.revoke(id);
    void this.fail(l, serializeError(new TaskRevokedError(`task ${id} was revoked`)), true);
  }
}

/**
 * The Redis backend, arbiter side. The app's worker actors take jobs from
 * Redis themselves (`RedisConsumer`, a BullMQ Worker each, lock tokens
 * `<consumer id>:<n>`); the arbiter holds what they cannot: it renews their
 * locks (so CPU work in a worker never makes a job look stalled), puts the
 * jobs of a worker that dies back at once (a job whose workers died
 * `maxDeaths` times fails), enforces timeouts and the abort grace of
 * revoked tasks (a worker that ignores its signal is replaced), and runs
 * the periodic jobs' schedulers, and drops the tasks that ended more than
 * `resultTtl` ago (a cleaner every tenth of it, at most a minute). A whole arbiter that dies: its locks
 * expire and BullMQ's stalled check gives its jobs to another arbiter
 * after the lease (`taskLease`). BullMQ's lock tokens are the fences: the
 * late result of an attempt whose job was moved on is refused by Redis.
 * @module
 */
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { serializeError } from '../../codec/serializeError.js';
import type { SerializedError } from '../../codec/SerializedError.js';
import { TaskRevokedError, TaskTimeoutError, WorkerLostError } from '../../errors.js';
import type { Monitor } from '../../monitor/Monitor.js';
import type { PeriodicCallback } from '../../eventloop/PeriodicCallback.js';
import type { Subscription } from '../../rx.js';
import type { JobSpec } from './jobSpecs.js';
import type { Timed } from './RedisConsumer.js';
import { ownedJobs, renewLocks } from './redisLocks.js';
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
  /** A task's arguments must fit in a message (characters), as on the embedded backend. */
  maxMessageSize: number;
}

/** An attempt the arbiter watches: it has a timeout, or was aborted. */
interface Watch {
  aid: string;
  timer: Subscription | undefined;
  grace: Subscription | undefined;
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
export class RedisBackend extends RedisTaskClient implements WorkerFacing {
  /** Worker actor → its BullMQ Worker id, and whether it is stopping. */
  private readonly consumers = new Map<string, { id: string; stopping: boolean }>();
  private readonly watches = new Map<string, Watch>();
  private subscriber: Redis | undefined;
  private renewal: PeriodicCallback | undefined;
  private cleaner: PeriodicCallback | undefined;
  private started: Promise<void> | undefined;
  private JobClass: typeof Job | undefined;
  private unrecoverable: (message: string) => Error = (m) => new Error(m);
  private readonly base: string;

  /**
   * @param monitor - the app's monitor.
   * @param specs - the jobs.
   * @param settings - URL, queue, credits, lease…
   */
  constructor(
    private readonly monitor: Monitor,
    specs: Map<string, JobSpec>,
    private readonly settings: RedisBackendOptions,
  ) {
    super(settings.url, {
      queue: settings.queue,
      resultTtl: settings.resultTtl,
      specs,
      maxMessageSize: settings.maxMessageSize,
    });
    this.base = `${PREFIX}:${settings.queue}:`;
  }

  override start(): Promise<void> {
    // A failed start leaves nothing reconnecting for ever.
    this.started ??= this.begin().catch(async (err: unknown) => {
      await this.stop();
      throw err;
    });
    return this.started;
  }

  override async stop(): Promise<void> {
    this.renewal?.stop();
    this.cleaner?.stop();
    for (const w of this.watches.values()) release(w);
    this.watches.clear();
    this.consumers.clear();
    this.subscriber?.disconnect();
    await super.stop();
  }

  workerCommands(monitor: Monitor): void {
    monitor.command('task_consumer_ready', async (_m, aid: string, id: string) => {
      await this.start();
      this.consumers.set(aid, { id, stopping: false });
    });
    monitor.command('task_worker_stopping', (_m, aid: string) => {
      const c = this.consumers.get(aid);
      if (c !== undefined) c.stopping = true;
    });
    monitor.command(
      'task_tracked',
      (_m, aid: string, timed: Timed[], ended: [string, string][]) => {
        if (!this.consumers.has(aid)) return; // a worker that is gone
        for (const [id, token, ms] of timed) this.watchTimeout(aid, id, token, ms);
        for (const [id, token] of ended) this.unwatch(id, token);
      },
      { ack: false },
    );
  }

  workerExited(aid: string): void {
    const c = this.consumers.get(aid);
    if (c === undefined) return;
    this.consumers.delete(aid);
    for (const [key, w] of this.watches) {
      if (w.aid !== aid) continue;
      release(w);
      this.watches.delete(key);
    }
    void this.recover(c.id, !c.stopping).catch((err: unknown) =>
      this.monitor.logger.warn(
        `the tasks of worker ${aid} come back after the lease: ${String(err)}`,
      ),
    );
  }

  tick(): void {
    // The locks are renewed by their own periodic.
  }

  counts(): Record<string, number> {
    return { consumers: this.consumers.size, watched: this.watches.size };
  }

  private async begin(): Promise<void> {
    await super.start();
    const { Job: JobClass, UnrecoverableError } = await import('bullmq');
    const { Redis } = await import('ioredis');
    // stop() may come at any await of this start: then nothing more is made.
    const stopped = (): boolean => this.stopped;
    if (stopped()) return;
    this.JobClass = JobClass;
    this.unrecoverable = (message) => new UnrecoverableError(message);
    this.subscriber = new Redis({ ...this.connection, maxRetriesPerRequest: null });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, id: string) => void this.revoked(id));
    await this.ready('subscribe', this.subscriber.subscribe(this.revokeChannel));
    // Before any worker consumes: it would take an overdue tick at once.
    await this.guard('schedule the periodic jobs', () =>
      upsertSchedules(
        this.bull(),
        this.options.specs?.values() ?? [],
        this.settings.missedTicks,
        (spec, id) => this.queueTask(spec.name, spec.args, { id }),
      ),
    );
    if (stopped()) return;
    const lease = this.settings.lease;
    this.renewal = this.monitor.loop.addPeriodic(
      () => {
        const ids = [...this.consumers.values()].map((c) => c.id);
        return renewLocks(this.redis!, this.base, lease, ids).catch(() => undefined);
      },
      Math.max(50, Math.floor(lease / 3)),
    );
    const ttl = this.settings.resultTtl;
    this.cleaner = this.monitor.loop.addPeriodic(
      () => this.clean(ttl).catch(() => undefined),
      Math.min(60_000, Math.max(100, Math.floor(ttl / 10))),
    );
  }

  /** Drop the tasks that ended more than `ttl` ms ago (any arbiter may: it is idempotent). */
  private async clean(ttl: number): Promise<void> {
    for (const state of ['completed', 'failed'] as const) {
      while ((await this.bull().clean(ttl, 1000, state)).length === 1000);
    }
  }

  /** The jobs of a worker that exited: back to the queue at once, or failed (poison). */
  private async recover(consumer: string, death: boolean): Promise<void> {
    let moved = 0;
    for (const owned of await ownedJobs(this.redis!, this.base, consumer, death)) {
      if (death && owned.deaths >= this.settings.maxDeaths) {
        const err = new WorkerLostError(
          `task ${owned.id} was running on ${owned.deaths} workers that died: not retrying it`,
        );
        await this.failJob(owned.id, owned.token, serializeError(err), true);
        continue;
      }
      const job = await this.JobClass!.fromId(this.bull(), owned.id);
      if (
        await job?.moveToWait(owned.token).then(
          () => true,
          () => false,
        )
      )
        moved++; // or finished meanwhile
    }
    // Wake the idle workers (BullMQ's move back of a prioritized job does not).
    if (moved > 0) await this.redis!.zadd(`${this.base}marker`, 0, '0');
  }

  /** Fail an attempt, if its lock is still held by `token` (a retry if `final` is false and attempts remain). */
  private async failJob(
    id: string,
    token: string,
    error: SerializedError,
    final: boolean,
  ): Promise<boolean> {
    if ((await this.redis!.get(`${this.base}${id}:lock`)) !== token) return false;
    const job = await this.JobClass!.fromId(this.bull(), id);
    if (job === undefined) return false;
    await job.updateData({ ...(job.data as object), error });
    const err = final
      ? this.unrecoverable(error.message)
      : Object.assign(new Error(error.message), { name: error.name });
    return job.moveToFailed(err, token, false).then(
      () => true,
      () => false,
    );
  }

  private watchTimeout(aid: string, id: string, token: string, ms: number): void {
    const w = this.watch(aid, id, token);
    // The worker aborts at `ms` itself; this fires if its loop is blocked.
    w.timer ??= this.later(ms + 100, () => {
      w.timer = undefined;
      const err = new TaskTimeoutError(`task ${id} ran past its timeout`);
      void this.failJob(id, token, serializeError(err), false).catch(() => undefined);
      this.abort(w, id, token, 'timeout');
    });
  }

  private async revoked(id: string): Promise<void> {
    const token = await this.redis!.get(`${this.base}${id}:lock`).catch(() => null);
    if (token === null) return;
    const owner = token.slice(0, token.lastIndexOf(':'));
    const aid = [...this.consumers].find(([, c]) => c.id === owner)?.[0];
    if (aid === undefined) return; // another arbiter's
    const err = new TaskRevokedError(`task ${id} was revoked`);
    if (!(await this.failJob(id, token, serializeError(err), true).catch(() => false))) return;
    this.abort(this.watch(aid, id, token), id, token, 'revoked');
  }

  /** Abort the attempt's signal; replace its worker if it still runs it after the grace. */
  private abort(w: Watch, id: string, token: string, reason: 'timeout' | 'revoked'): void {
    this.monitor.send(w.aid, 'task_abort', id, token, reason).addErrback(() => undefined);
    w.grace ??= this.later(this.settings.abortGrace, () => {
      w.grace = undefined;
      if (this.watches.get(`${id}#${token}`) !== w) return;
      this.monitor.logger.warn(
        `task ${id} ignored its ${reason} signal for ${this.settings.abortGrace} ms: replacing worker ${w.aid}`,
      );
      const proxy = this.monitor.managedActors.find((p) => p.aid === w.aid);
      void proxy?.worker?.terminate(1000);
    });
  }

  private watch(aid: string, id: string, token: string): Watch {
    const key = `${id}#${token}`;
    let w = this.watches.get(key);
    if (w === undefined) {
      w = { aid, timer: undefined, grace: undefined };
      this.watches.set(key, w);
    }
    return w;
  }

  private unwatch(id: string, token: string): void {
    const key = `${id}#${token}`;
    const w = this.watches.get(key);
    if (w === undefined) return;
    release(w);
    this.watches.delete(key);
  }

  private later(ms: number, cb: () => void): Subscription | undefined {
    try {
      return this.monitor.loop.addTimeout(ms, cb);
    } catch {
      return undefined; // the loop stopped: the app is going away
    }
  }
}

function release(w: Watch): void {
  w.timer?.unsubscribe();
  w.grace?.unsubscribe();
  w.timer = undefined;
  w.grace = undefined;
}

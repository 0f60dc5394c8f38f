/**
 * The task queue battery: jobs registered by name, tasks queued by
 * producers, run by the app's worker actors.
 * @module
 */
import { join, resolve } from 'node:path';
import type { Actor } from '../../actor/Actor.js';
import { arbiter as getArbiter } from '../../arbiter/api.js';
import type { Deferred } from '../../async/Deferred.js';
import { makeAsync } from '../../async/makeAsync.js';
import { Application, type ApplicationParams } from '../../application/Application.js';
import type { Schema } from '../../config/Setting.js';
import { InvalidStateError } from '../../errors.js';
import type { Monitor } from '../../monitor/Monitor.js';
import { Observable } from '../../rx.js';
import { createBackend } from './createBackend.js';
import type { JobSpec } from './jobSpecs.js';
import { loadJobs } from './loadJobs.js';
import type { TaskBackend, WorkerFacing } from './TaskBackend.js';
import { taskCommands } from './taskCommands.js';
import { TaskProducer, type TaskProducerApi } from './TaskProducer.js';
import { taskMetrics } from './taskMetrics.js';
import { taskSettings } from './taskSettings.js';
import { TaskWorker } from './TaskWorker.js';
import type { Jobs, QueueTaskOptions, Task } from './Task.js';

/** Parameters of a {@link TaskQueue}. */
export interface TaskQueueParams extends ApplicationParams {
  /** The jobs: a record, or a module exporting `jobs` (a file URL, or a path from the current directory). */
  jobs?: Jobs | string | URL;
}

/**
 * A task queue: an Application whose workers run the tasks of its jobs.
 *
 * @example
 * ```ts
 * export const app = new TaskQueue({
 *   name: 'jobs',
 *   jobs: new URL('./jobs.js', import.meta.url),
 *   workers: 4,
 *   concurrentTasks: 8,
 *   module: import.meta.url,
 * });
 * await app.start();
 * const task = await app.queueTask('resize', ['cat.png'], { retries: 2 });
 * console.log((await app.waitForTask(task.id)).result);
 * ```
 */
export class TaskQueue extends Application implements TaskProducerApi {
  static override settings: Schema = taskSettings;
  /** The queue, in the arbiter. @internal */
  backend: (TaskBackend & WorkerFacing) | undefined;
  /** The jobs, once loaded. @internal */
  specs: Map<string, JobSpec> | undefined;
  private readonly jobsSource: Jobs | string | URL | undefined;
  private runner: { stopping(ms: number): Promise<void> } | undefined;
  private teardown: (() => void) | undefined;
  private backendStopped: Promise<void> | undefined;

  /** @param params - the jobs, settings (`workers`, `concurrentTasks`, `taskBackend`, `dataDir`…). */
  constructor(params: TaskQueueParams) {
    const { jobs, ...rest } = params;
    const asSetting = typeof jobs === 'string' ? jobs : jobs instanceof URL ? jobs.href : undefined;
    super(asSetting === undefined ? rest : { ...rest, jobs: asSetting });
    this.jobsSource = jobs;
  }

  /** Every state change of every task (in the arbiter, in workers, in any actor). */
  get task$(): Observable<Task> {
    const backend = this.backend;
    if (backend !== undefined) return backend.task$;
    return new Observable<Task>((subscriber) => this.producer().task$.subscribe(subscriber));
  }

  /**
   * Queue a task.
   * @param name - the job.
   * @param args - its arguments (values that can travel between actors).
   * @param options - `delay`, `timeout`, `retries`, `priority`, `id` (idempotent).
   * @returns the Deferred of the queued task (fired once it is on disk, for the embedded backend).
   */
  queueTask(name: string, args?: unknown[], options?: QueueTaskOptions): Deferred<Task> {
    // The fast path: the backend's own Deferred, no promise per task.
    const backend = this.backend;
    if (backend !== undefined) return backend.queueTaskDeferred(name, args, options);
    return this.call(
      (b) => b.queueTask(name, args, options),
      (p) => p.queueTask(name, args, options),
    );
  }

  /** @param id - a task. @returns the Deferred of the task at SUCCESS, FAILURE or REVOKED. */
  waitForTask(id: string): Deferred<Task> {
    return this.call(
      (b) => b.waitForTask(id),
      (p) => p.waitForTask(id),
    );
  }

  /** @param id - a task. @returns the Deferred of the task, or `undefined` if unknown (or expired). */
  getTask(id: string): Deferred<Task | undefined> {
    return this.call(
      (b) => b.getTask(id),
      (p) => p.getTask(id),
    );
  }

  /** @param id - a task. @returns the Deferred of the revoked task (a running one has its signal aborted). */
  revokeTask(id: string): Deferred<Task | undefined> {
    return this.call(
      (b) => b.revokeTask(id),
      (p) => p.revokeTask(id),
    );
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.backendStopped;
  }

  protected override async configure(cfg: Record<string, unknown>): Promise<void> {
    this.specs = await loadJobs(
      typeof this.jobsSource === 'object' && !(this.jobsSource instanceof URL)
        ? this.jobsSource
        : (cfg['jobs'] as string | null),
    );
    cfg['dataDir'] = resolve(
      typeof cfg['dataDir'] === 'string' ? cfg['dataDir'] : join('.rxpulsar', this.name),
    );
  }

  override async monitorStart(monitor: Monitor): Promise<void> {
    const backend = await createBackend(monitor, this.specs!, this.cfg);
    this.backend = backend;
    this.teardown = taskCommands(monitor, backend, backend);
    const exits = getArbiter().events.actorExited$.subscribe((exit) =>
      backend.workerExited(exit.aid),
    );
    // With --metrics: tasks by state and their durations (lib/metrics/).
    const stopMetrics = !getArbiter().metricsOn
      ? undefined
      : await taskMetrics(this.name, backend.task$, monitor.logger).catch((err: unknown) => {
          monitor.logger.warn(`no task metrics: ${String(err)}`);
          return undefined;
        });
    this.backendStopped = new Promise((done) => {
      monitor.events.stopped$.subscribe(() => {
        exits.unsubscribe();
        stopMetrics?.();
        this.teardown?.();
        void backend.stop().then(done, done);
      });
    });
    await backend.start();
  }

  override monitorTask(): void {
    this.backend?.tick();
  }

  override monitorInfo(_monitor: Monitor, info: Record<string, unknown>): void {
    if (this.backend !== undefined) info['tasks'] = this.backend.counts();
  }

  override async workerStart(worker: Actor): Promise<void> {
    this.specs = await loadJobs(
      typeof this.jobsSource === 'object' && !(this.jobsSource instanceof URL)
        ? this.jobsSource
        : (this.cfg['jobs'] as string | null),
    );
    const queueTask = (n: string, a?: unknown[], o?: QueueTaskOptions): Deferred<Task> =>
      this.queueTask(n, a, o);
    const concurrentTasks = Math.max(1, Number(this.cfg['concurrentTasks']));
    const url = String(this.cfg['taskBackend']);
    if (url === 'embedded') {
      const runner = new TaskWorker(worker, this.name, this.specs, concurrentTasks, queueTask);
      this.runner = runner;
      runner.start();
      return;
    }
    // On Redis, each worker takes its tasks from Redis itself.
    const { RedisConsumer } = await import('./RedisConsumer.js');
    const consumer = new RedisConsumer(
      worker,
      this.name,
      this.specs,
      {
        url,
        queue: this.name,
        concurrentTasks,
        lease: Number(this.cfg['taskLease']),
        maxDeaths: Math.max(1, Number(this.cfg['maxDeaths'])),
      },
      queueTask,
    );
    this.runner = consumer;
    // Not awaited: it registers with the monitor once the handshake is over.
    consumer.start().catch((err: unknown) => {
      worker.logger.error(`could not join the task queue: ${String(err)}`);
    });
  }

  override async workerStopping(worker: Actor): Promise<void> {
    await this.runner?.stopping(worker.cfg.exitTimeout * 0.8);
  }

  private producer(): TaskProducer {
    if (this.worker !== undefined) return new TaskProducer(this.name, this.worker);
    return new TaskProducer(this.name);
  }

  private call<T>(
    onBackend: (b: TaskBackend) => Promise<T>,
    onProducer: (p: TaskProducer) => Deferred<T>,
  ): Deferred<T> {
    const backend = this.backend;
    if (backend !== undefined) return makeAsync(onBackend(backend));
    if (!this.isWorker && this.monitor === undefined) {
      return makeAsync(
        Promise.reject(new InvalidStateError(`task queue "${this.name}" is not started`)),
      );
    }
    return onProducer(this.producer());
  }
}

/**
 * The embedded backend: the arbiter holds the queue (a {@link TaskStore}),
 * journals it under `dataDir`, and hands tasks to its workers through a
 * {@link Dispatcher}.
 * @module
 */
import { join } from 'node:path';
import { Deferred } from '../../async/Deferred.js';
import type { Observable, Subscription } from '../../rx.js';
import { writePidFile } from '../../config/pidFile.js';
import {
  InvalidStateError,
  TaskRevokedError,
  TaskTimeoutError,
  WorkerLostError,
} from '../../errors.js';
import type { Monitor } from '../../monitor/Monitor.js';
import { serializeError } from '../../codec/serializeError.js';
import { checkTask } from './checkTask.js';
import { Dispatcher, type DispatchOwner, type Outcome } from './Dispatcher.js';
import { backoffDelay, type JobSpec } from './jobSpecs.js';
import { Periodic } from './Periodic.js';
import type { TaskBackend, WorkerFacing } from './TaskBackend.js';
import { TaskJournal } from './TaskJournal.js';
import { TaskStore, type Entry } from './TaskStore.js';
import { TaskWaiters } from './TaskWaiters.js';
import { FINAL_STATES, type QueueTaskOptions, type Task } from './Task.js';

/** Settings of the embedded backend. */
export interface EmbeddedOptions {
  dataDir: string;
  concurrentTasks: number;
  /** ms a final task is kept. */
  resultTtl: number;
  /** Deaths of its workers after which a task fails. */
  maxDeaths: number;
  /** ms between an abort and the worker's replacement. */
  abortGrace: number;
  /** A tick missed while nothing ran: queued once on start, or skipped. */
  missedTicks: 'once' | 'skip';
  /** The largest message to a worker (characters): a task's arguments must fit in one. */
  maxMessageSize: number;
}

/**
 * The queue of one app, held by its monitor.
 *
 * @example
 * ```ts
 * const backend = new EmbeddedBackend(monitor, specs, { dataDir: './data', concurrentTasks: 4, … });
 * await backend.start();
 * ```
 */
export class EmbeddedBackend implements TaskBackend, WorkerFacing, DispatchOwner {
  readonly task$: Observable<Task>;
  private readonly journal: TaskJournal;
  private readonly store: TaskStore;
  /** The workers' side: their commands and exits. */
  readonly dispatcher: Dispatcher;
  private readonly periodic: Periodic;
  private readonly waiters: TaskWaiters;
  private delayTimer: Subscription | undefined;
  private delayAt = Infinity;
  private releaseLock: (() => void) | undefined;

  /**
   * @param monitor - the app's monitor.
   * @param specs - the jobs.
   * @param options - settings.
   */
  constructor(
    private readonly monitor: Monitor,
    private readonly specs: Map<string, JobSpec>,
    private readonly options: EmbeddedOptions,
  ) {
    this.journal = new TaskJournal(options.dataDir);
    this.store = new TaskStore(this.journal);
    this.task$ = this.store.changes.asObservable();
    this.waiters = new TaskWaiters(this.task$);
    this.dispatcher = new Dispatcher(monitor, this, {
      concurrentTasks: options.concurrentTasks,
      grace: options.abortGrace,
    });
    this.periodic = new Periodic(specs, this.journal, options.missedTicks, (name, args, id) =>
      this.queueTask(name, args, { id }).catch((err: unknown) =>
        monitor.logger.error(`periodic job ${name}: ${String(err)}`),
      ),
    );
  }

  async start(): Promise<void> {
    // One arbiter per data directory: its lock is a pid file.
    this.releaseLock = writePidFile(join(this.options.dataDir, 'lock'), {
      what: 'the lock of the data directory',
      remedy: 'stop the arbiter that uses it, or choose another dataDir (--data-dir)',
    });
    const state = this.journal.load();
    for (const value of state.tasks.values()) this.store.restore(value as Entry);
    await this.journal.synced();
    this.periodic.start(state.ticks, (ms, cb) => this.monitor.loop.addTimeout(ms, cb));
    this.pump();
  }

  stop(): Promise<void> {
    this.periodic.stop();
    this.delayTimer?.unsubscribe();
    this.dispatcher.stop();
    this.journal.close();
    this.store.changes.complete();
    this.releaseLock?.();
    return Promise.resolve();
  }

  async queueTask(name: string, args?: unknown[], options?: QueueTaskOptions): Promise<Task> {
    return this.queueTaskDeferred(name, args, options);
  }

  /**
   * `queueTask()` as a Deferred fired from the journal's fdatasync: no
   * promise per task (the app's `queueTask()` returns it as it is).
   * @param name - the job.
   * @param args - its arguments.
   * @param options - its options.
   * @returns the Deferred of the queued task.
   */
  queueTaskDeferred(name: string, args?: unknown[], options?: QueueTaskOptions): Deferred<Task> {
    const d = new Deferred<Task>();
    let queued: Task;
    let durable: boolean;
    try {
      const checked = checkTask(this.specs, name, args, options, this.options.maxMessageSize);
      const { entry } = this.store.add(checked);
      queued = { ...entry.task };
      durable = checked.durable;
      this.pump();
    } catch (err) {
      d.errback(err);
      return d;
    }
    if (!durable) d.callback(queued);
    else
      this.journal.onSynced({
        resolve: () => {
          if (!d.called) d.callback(queued); // unless cancelled meanwhile
        },
        reject: (err) => {
          if (!d.called) d.errback(err);
        },
      });
    return d;
  }

  getTask(id: string): Promise<Task | undefined> {
    const entry = this.store.entries.get(id);
    return Promise.resolve(entry === undefined ? undefined : { ...entry.task });
  }

  async waitForTask(id: string, ms?: number): Promise<Task> {
    const entry = this.store.entries.get(id);
    if (entry === undefined) throw new InvalidStateError(`no task "${id}" in this queue`);
    if (FINAL_STATES.has(entry.task.state)) return { ...entry.task };
    return (await this.waiters.wait(id, ms)) as Task;
  }

  async revokeTask(id: string): Promise<Task | undefined> {
    const entry = this.store.entries.get(id);
    if (entry === undefined) return undefined;
    if (FINAL_STATES.has(entry.task.state)) return { ...entry.task };
    const wasRunning = entry.task.state === 'STARTED';
    this.store.move(entry, 'REVOKED', {
      error: serializeError(new TaskRevokedError(`task ${id} was revoked`)),
    });
    if (wasRunning) this.dispatcher.revoke(id);
    await this.journal.synced();
    return { ...entry.task };
  }

  // Worker side: the dispatcher (the app's commands talk to it) tells us.

  workerCommands(monitor: Monitor): void {
    this.dispatcher.commands(monitor);
  }

  workerExited(aid: string): void {
    this.dispatcher.workerExited(aid);
  }

  progressed(id: string, token: number, value: unknown): void {
    const entry = this.current(id, token);
    if (entry === undefined) return;
    entry.task.progress = value;
    this.store.changes.next({ ...entry.task });
  }

  tick(): void {
    this.store.expire(Date.now() - this.options.resultTtl);
    const live = this.store.entries.size;
    if (this.journal.records > 10_000 && this.journal.records > 4 * live) {
      this.journal.compact([...this.store.snapshot(), ...this.periodic.snapshot()]);
    }
    this.pump();
  }

  counts(): Record<string, number> {
    return { running: this.dispatcher.running, ...this.store.counts() };
  }

  // The dispatcher's owner.

  finished(id: string, token: number, outcome: Outcome): void {
    const entry = this.current(id, token);
    if (entry === undefined) return; // a stale attempt: fenced off
    if (outcome.ok) this.store.succeed(entry, outcome.result);
    else this.retryOrFail(entry, outcome.error);
  }

  lost(id: string, token: number, graceful: boolean): void {
    const entry = this.current(id, token);
    if (entry === undefined) return;
    if (!graceful) entry.deaths++;
    if (entry.deaths >= this.options.maxDeaths) {
      const err = new WorkerLostError(
        `task ${id} (${entry.task.name}) was running on ${entry.deaths} workers that died: not retrying it`,
      );
      this.store.move(entry, 'FAILURE', { error: serializeError(err) });
    } else this.store.move(entry, 'PENDING');
  }

  timedOut(id: string, token: number): void {
    const entry = this.current(id, token);
    if (entry === undefined) return;
    this.retryOrFail(
      entry,
      new TaskTimeoutError(
        `task ${id} (${entry.task.name}) ran past its timeout of ${entry.timeout} ms`,
      ),
    );
  }

  unsent(id: string, token: number, error: unknown): void {
    const entry = this.current(id, token);
    if (entry === undefined) return;
    // Not retried: it would not travel any better (an oversize task of an
    // older journal, or a retry whose previous error made it too large).
    this.monitor.logger.error(
      `task ${id} (${entry.task.name}) could not be sent to a worker: ${String(error)}`,
    );
    this.store.move(entry, 'FAILURE', { error: serializeError(error) });
  }

  pump(): void {
    const wait = this.store.promote();
    while (this.dispatcher.free > 0) {
      const entry = this.store.next();
      if (entry === undefined) break;
      const { id, name, args, attempts, state: _state, ...meta } = entry.task;
      this.dispatcher.dispatch({
        id,
        token: entry.token,
        name,
        args,
        attempts,
        timeout: entry.timeout,
        meta,
      });
    }
    if (wait !== undefined) this.armDelay(wait);
  }

  private retryOrFail(entry: Entry, error: unknown): void {
    const spec = this.specs.get(entry.task.name);
    const delay = spec === undefined ? 0 : backoffDelay(spec.backoff, entry.failures + 1);
    this.store.fail(entry, error, delay);
  }

  private current(id: string, token: number): Entry | undefined {
    const entry = this.store.entries.get(id);
    return entry !== undefined && entry.token === token && entry.task.state === 'STARTED'
      ? entry
      : undefined;
  }

  /** Wake up in `ms` (or sooner) to start the delayed tasks whose time came. */
  private armDelay(ms: number): void {
    // Any length: the loop's timeouts wait past Node's 24.8 days (timers.ts).
    const at = Date.now() + ms;
    if (this.delayTimer !== undefined && !this.delayTimer.closed && this.delayAt <= at) return;
    this.delayTimer?.unsubscribe();
    this.delayAt = at;
    try {
      this.delayTimer = this.monitor.loop.addTimeout(ms, () => {
        this.delayAt = Infinity;
        this.pump();
      });
    } catch {
      this.delayTimer = undefined;
    }
  }
}

/**
 * The worker side of a task queue on the embedded backend: runs the
 * attempts the monitor sends (`task_run`, a batch), `concurrentTasks` at
 * once, the others next in line
 * (the monitor sends up to twice as many: they start as soon as others
 * end); aborts their signals on `task_abort`, reports the outcomes
 * (`task_done`) with their fencing tokens, and the starts of deferred
 * attempts, those of one turn of the event loop in one message.
 * @module
 */
import type { Actor } from '../../actor/Actor.js';
import { isAsync } from '../../async/isAsync.js';
import { serializeError } from '../../codec/serializeError.js';
import { TaskRevokedError, TaskTimeoutError, UnknownJobError } from '../../errors.js';
import type { Assignment, Outcome, Report, Started } from './Dispatcher.js';
import type { JobSpec } from './jobSpecs.js';
import type { JobContext, QueueTaskOptions, Task } from './Task.js';
import { TaskJobContext, type SignalHolder } from './TaskJobContext.js';

const succeeded = (result: unknown): Outcome => ({ ok: true, result });
const failed = (err: unknown): Outcome => ({ ok: false, error: serializeError(err) });

/**
 * Runs tasks in a worker actor.
 *
 * @example
 * ```ts
 * const runner = new TaskWorker(worker, 'jobs', specs, 8, (n, a, o) => app.queueTask(n, a, o));
 * runner.start();
 * ```
 */
export class TaskWorker {
  private readonly running = new Map<string, SignalHolder>();
  private readonly settled = new Set<Promise<void>>();
  /** Attempts next in line, while `concurrency` run. */
  private line: Assignment[] = [];
  private stopped = false;
  /** Outcomes and starts waiting for the next report, and who waits for it. */
  private reports: Report[] = [];
  private started: Started[] = [];
  private sent: Promise<void> | undefined;
  /** The reports sent so far: fired once the last one is delivered. */
  private sending: Promise<void> = Promise.resolve();

  /**
   * @param worker - the worker actor.
   * @param app - the app's name (its monitor's).
   * @param specs - the jobs.
   * @param concurrency - attempts run at once (`concurrentTasks`).
   * @param queueTask - `ctx.queueTask`.
   */
  constructor(
    private readonly worker: Actor,
    private readonly app: string,
    private readonly specs: Map<string, JobSpec>,
    private readonly concurrency: number,
    private readonly queueTask: (
      name: string,
      args?: unknown[],
      options?: QueueTaskOptions,
    ) => PromiseLike<Task>,
  ) {}

  /** Register the commands and tell the monitor this worker takes tasks. */
  start(): void {
    this.worker.command(
      'task_run',
      (_a, batch: Assignment[]) => {
        for (const a of batch) {
          if (this.running.size < this.concurrency && !this.stopped) this.run(a);
          else this.line.push(a);
        }
      },
      { ack: false },
    );
    this.worker.command(
      'task_abort',
      (_a, id: string, token: number, reason: string) => this.abort(id, token, reason),
      { ack: false },
    );
    // After the handshake (sent once the start hooks are over): nothing
    // may reach the arbiter before it.
    setImmediate(() => {
      this.worker
        .send(this.app, 'task_worker_ready', this.worker.aid)
        .addErrback((err: unknown) => {
          this.worker.logger.error(`could not join the task queue: ${String(err)}`);
        });
    });
  }

  /**
   * Take no more tasks; let the running ones finish (up to `ms`).
   * @param ms - how long to wait for them.
   */
  async stopping(ms: number): Promise<void> {
    // Those next in line go back to the queue when this worker exits.
    this.stopped = true;
    this.line = [];
    await this.worker.send(this.app, 'task_worker_stopping', this.worker.aid).then(
      () => undefined,
      () => undefined,
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      // Then the reports: the one being gathered (`sent`; jobs that returned
      // a value are only in it) and those on their way (`sending`).
      Promise.all(this.settled)
        .then(() => this.sent)
        .then(() => this.sending),
      new Promise((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }

  private run(a: Assignment): void {
    const key = `${a.id}#${a.token}`;
    const entry: SignalHolder = { controller: undefined };
    this.running.set(key, entry);
    if (a.deferred === true) {
      this.started.push([a.id, a.token]);
      void this.schedule();
    }
    const outcome = this.execute(a, entry);
    if (!isAsync(outcome)) {
      // A job that returned a value: no promise per task.
      void this.finish(a, key, outcome);
      return;
    }
    const p = outcome.then((o) => this.finish(a, key, o));
    this.settled.add(p);
    void p.finally(() => this.settled.delete(p));
  }

  /** The attempt ended: report it, and start the next in line. */
  private finish(a: Assignment, key: string, outcome: Outcome): Promise<void> {
    this.running.delete(key);
    const sent = this.report(a, outcome);
    const next = this.stopped ? undefined : this.line.shift();
    if (next !== undefined) this.run(next);
    return sent;
  }

  /** Run the job: its outcome, or a promise of it (an async job). */
  private execute(a: Assignment, entry: SignalHolder): Outcome | Promise<Outcome> {
    try {
      const spec = this.specs.get(a.name);
      if (spec === undefined) throw new UnknownJobError(`no job "${a.name}" in this worker`);
      const ctx = new TaskJobContext(a, entry, this.worker, this.app, this.queueTask);
      const run = spec.run as (ctx: JobContext, ...args: unknown[]) => unknown;
      const result = run(ctx, ...a.args);
      if (isAsync(result)) return Promise.resolve(result).then(succeeded, failed);
      return { ok: true, result };
    } catch (err) {
      return failed(err);
    }
  }

  /** Queue an outcome for the next report (sent once this turn's outcomes are in). */
  private report(a: Assignment, outcome: Outcome): Promise<void> {
    this.reports.push([a.id, a.token, outcome]);
    return this.schedule();
  }

  private schedule(): Promise<void> {
    this.sent ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const reports = this.reports;
      const started = this.started;
      this.reports = [];
      this.started = [];
      this.sent = undefined;
      const sending = this.send(reports, started);
      this.sending = this.sending.then(() => sending);
      return sending;
    });
    return this.sent;
  }

  private async send(reports: Report[], started: Started[] = []): Promise<void> {
    try {
      await this.worker.send(this.app, 'task_done', this.worker.aid, reports, started);
    } catch (err) {
      if (started.length > 0) {
        // Starts alone are small: an outcome made it fail, or the monitor is gone.
        if (reports.length > 0) await Promise.all([this.send([], started), this.send(reports)]);
        return;
      }
      if (reports.length > 1) {
        // One result could not travel (or the batch was too large): one by one.
        await Promise.all(reports.map((r) => this.send([r])));
        return;
      }
      const [id, token] = reports[0]!;
      const error = serializeError(err);
      await this.worker
        .send(this.app, 'task_done', this.worker.aid, [[id, token, { ok: false, error }]])
        .then(
          () => undefined,
          () => undefined,
        );
    }
  }

  private abort(id: string, token: number, reason: string): void {
    const error =
      reason === 'timeout'
        ? new TaskTimeoutError(`task ${id} ran past its timeout`)
        : new TaskRevokedError(`task ${id} was revoked`);
    const waiting = this.line.findIndex((a) => a.id === id && a.token === token);
    if (waiting >= 0) {
      // Not started: it never runs; the report frees its credit.
      const [a] = this.line.splice(waiting, 1);
      void this.report(a!, { ok: false, error: serializeError(error) });
      return;
    }
    const entry = this.running.get(`${id}#${token}`);
    if (entry !== undefined) (entry.controller ??= new AbortController()).abort(error);
  }
}

/**
 * The monitor side of running tasks on the embedded backend (on Redis the
 * workers take their tasks from Redis: `RedisConsumer`), and what the
 * app's commands talk to for its workers (`task_worker_ready`, `task_done`,
 * `task_progress`, exits): worker credits, one hold per attempt (its
 * fencing token), timeouts, aborts with a grace before the worker is
 * replaced, and the holds of a dead worker handed back at once. The
 * attempts handed to a worker in one turn travel in one `task_run` message
 * (and workers report in batches too: `task_done`), so a message costs per
 * batch, not per task. Each worker holds up to twice `concurrentTasks`
 * attempts: it runs `concurrentTasks` and keeps the others next in line, so
 * it starts new ones as soon as some end instead of waiting for the
 * monitor's answer to its report (a prefetch, as BullMQ's own).
 * @module
 */
import type { Subscription } from '../../rx.js';
import type { Monitor } from '../../monitor/Monitor.js';
import type { SerializedError } from '../../codec/SerializedError.js';

/** One attempt sent to a worker. */
export interface Assignment {
  id: string;
  token: number;
  name: string;
  args: unknown[];
  attempts: number;
  /** ms; 0 or undefined: none. */
  timeout: number | undefined;
  /**
   * The task's other fields (`ctx.task` is this with the fields above and
   * state STARTED: what the attempt carries already does not travel twice).
   */
  meta: Record<string, unknown>;
  /**
   * The worker may have to keep it in line (sent past its `concurrentTasks`):
   * it reports the start, and the timeout counts from there.
   */
  deferred?: true;
}

/** How an attempt ended, as the worker reports it. */
export type Outcome = { ok: true; result: unknown } | { ok: false; error: SerializedError };

/** One report of a worker: task id, token, outcome. */
export type Report = [id: string, token: number, outcome: Outcome];

/** A deferred attempt that started: task id, token. */
export type Started = [id: string, token: number];

/** Attempts a worker holds, per `concurrentTasks`: running, and next in line. */
export const PREFETCH = 2;

/** What the dispatcher tells its backend. */
export interface DispatchOwner {
  /** The worker reported (the token may be stale: the owner checks). */
  finished(id: string, token: number, outcome: Outcome): void;
  /** The worker holding it died; `graceful`: it was being stopped. */
  lost(id: string, token: number, graceful: boolean): void;
  /** The attempt ran past its timeout (its signal was aborted). */
  timedOut(id: string, token: number): void;
  /** A progress report. */
  progressed(id: string, token: number, value: unknown): void;
  /**
   * The attempt could not be sent (too large for a message, or its
   * arguments cannot travel): it never reached the worker, and never will.
   */
  unsent(id: string, token: number, error: unknown): void;
  /** Credits were freed: dispatch more. */
  pump(): void;
}

interface Hold {
  id: string;
  token: number;
  aid: string;
  /** ms, until armed: at dispatch, or when a deferred attempt starts. */
  timeout: number | undefined;
  timer: Subscription | undefined;
  grace: Subscription | undefined;
}

interface WorkerSlot {
  credits: number;
  holds: Map<string, Hold>;
  stopping: boolean;
}

/**
 * Hands attempts to the workers of a monitor.
 *
 * @example
 * ```ts
 * const d = new Dispatcher(monitor, owner, { concurrentTasks: 4, grace: 5000 });
 * if (d.free > 0) d.dispatch(assignment);
 * ```
 */
export class Dispatcher {
  private readonly workers = new Map<string, WorkerSlot>();
  /** The latest hold of every task id. */
  private readonly byId = new Map<string, Hold>();
  /** Attempts dispatched this turn, by worker, sent together. */
  private readonly outgoing = new Map<string, Assignment[]>();
  private flushing = false;

  /**
   * @param monitor - the app's monitor (it sends, and owns the timers).
   * @param owner - the backend.
   * @param options - credits per worker, and the grace after an abort (ms).
   */
  constructor(
    private readonly monitor: Monitor,
    private readonly owner: DispatchOwner,
    private readonly options: { concurrentTasks: number; grace: number },
  ) {}

  /** Free credits over all the workers. */
  get free(): number {
    let n = 0;
    for (const w of this.workers.values()) if (!w.stopping) n += w.credits;
    return n;
  }

  /** Attempts held by workers. */
  get running(): number {
    return this.byId.size;
  }

  /**
   * Register the workers' commands on the monitor: `task_worker_ready`,
   * `task_worker_stopping`, `task_done`, `task_progress`.
   * @param monitor - the app's monitor.
   */
  commands(monitor: Monitor): void {
    monitor.command('task_worker_ready', (_m, aid: string) => this.workerReady(aid));
    monitor.command('task_worker_stopping', (_m, aid: string) => this.workerStopping(aid));
    monitor.command(
      'task_done',
      (_m, aid: string, reports: Report[], started?: Started[]) => this.done(aid, reports, started),
      { ack: false },
    );
    monitor.command(
      'task_progress',
      (_m, id: string, token: number, value: unknown) => this.progress(id, token, value),
      { ack: false },
    );
  }

  /** @param aid - a worker that is ready to run tasks. */
  workerReady(aid: string): void {
    if (this.workers.has(aid)) return;
    this.workers.set(aid, {
      credits: PREFETCH * this.options.concurrentTasks,
      holds: new Map(),
      stopping: false,
    });
    this.owner.pump();
  }

  /** @param aid - a worker that stops: it gets no more tasks. */
  workerStopping(aid: string): void {
    const w = this.workers.get(aid);
    if (w !== undefined) w.stopping = true;
  }

  /** @param aid - a worker that exited: its holds go back to the owner at once. */
  workerExited(aid: string): void {
    const w = this.workers.get(aid);
    if (w === undefined) return;
    this.workers.delete(aid);
    this.outgoing.delete(aid);
    for (const hold of w.holds.values()) {
      this.release(hold);
      this.owner.lost(hold.id, hold.token, w.stopping);
    }
    this.owner.pump();
  }

  /**
   * Send an attempt to the worker with the most free credits.
   * @param a - the attempt.
   * @returns `false` when no worker has a credit.
   */
  dispatch(a: Assignment): boolean {
    let best: [string, WorkerSlot] | undefined;
    for (const entry of this.workers) {
      if (entry[1].stopping || entry[1].credits <= 0) continue;
      if (best === undefined || entry[1].credits > best[1].credits) best = entry;
    }
    if (best === undefined) return false;
    const [aid, w] = best;
    w.credits--;
    const timeout = a.timeout !== undefined && a.timeout > 0 ? a.timeout : undefined;
    const hold: Hold = {
      id: a.id,
      token: a.token,
      aid,
      timeout,
      timer: undefined,
      grace: undefined,
    };
    // Fewer than concurrentTasks held: the worker has a free slot when this
    // arrives (it runs or keeps at most what we hold). Otherwise it may wait
    // in the worker's line: its timeout starts when the worker says it started.
    if (w.holds.size >= this.options.concurrentTasks) a.deferred = true;
    else this.arm(hold);
    w.holds.set(key(a.id, a.token), hold);
    this.byId.set(a.id, hold);
    const batch = this.outgoing.get(aid);
    if (batch === undefined) this.outgoing.set(aid, [a]);
    else batch.push(a);
    if (!this.flushing) {
      this.flushing = true;
      // At the end of this turn of the loop: the jobs BullMQ hands over one
      // by one as Redis replies arrive travel together too.
      setImmediate(() => this.flush());
    }
    return true;
  }

  /**
   * Send the attempts dispatched so far, one message per worker. A batch
   * that cannot travel (too large: it fails as it is sent) goes one by one;
   * an attempt that cannot travel alone is handed back to the owner, its
   * credit freed (held, it would keep the worker's credit for ever).
   */
  flush(): void {
    this.flushing = false;
    const outgoing = [...this.outgoing];
    this.outgoing.clear();
    // A send fails as it is made (MessageTooLargeError, EncodingError): the
    // credits it frees are used once every batch has left.
    let flushing = true;
    let freed = false;
    const failed = (aid: string, a: Assignment, err: unknown): void => {
      if (!this.unsent(aid, a, err)) return;
      if (flushing) freed = true;
      else this.owner.pump();
    };
    for (const [aid, batch] of outgoing) {
      this.monitor.tell(aid, 'task_run', batch).addErrback((err: unknown) => {
        if (batch.length === 1) return failed(aid, batch[0]!, err);
        for (const a of batch) {
          this.monitor.tell(aid, 'task_run', [a]).addErrback((e: unknown) => failed(aid, a, e));
        }
      });
    }
    flushing = false;
    if (freed) this.owner.pump();
  }

  /**
   * Abort the running attempt of a task (revoked): its signal fires; the
   * worker is replaced if it still holds it after the grace.
   * @param id - the task.
   * @returns `true` if an attempt was running.
   */
  revoke(id: string): boolean {
    const hold = this.byId.get(id);
    if (hold === undefined) return false;
    this.abort(hold, 'revoked');
    return true;
  }

  /**
   * A worker reported the end of attempts, and the start of deferred ones.
   * @param aid - the worker.
   * @param reports - task id, the attempt's token, its result or error, for each.
   * @param started - deferred attempts that started (their timeouts start).
   */
  done(aid: string, reports: readonly Report[], started: readonly Started[] = []): void {
    const w = this.workers.get(aid);
    if (w === undefined) return; // a worker we already gave up on
    for (const [id, token] of started) {
      const hold = w.holds.get(key(id, token));
      if (hold !== undefined) this.arm(hold);
    }
    for (const [id, token, outcome] of reports) {
      const hold = w.holds.get(key(id, token));
      if (hold === undefined) continue;
      w.holds.delete(key(id, token));
      w.credits++;
      this.release(hold);
      this.owner.finished(id, token, outcome);
    }
    this.owner.pump();
  }

  /**
   * A progress report of a worker, for the backend if the attempt is current.
   * @param id - the task.
   * @param token - the attempt.
   * @param value - what the job gave `ctx.progress()`.
   */
  progress(id: string, token: number, value: unknown): void {
    if (this.byId.get(id)?.token === token) this.owner.progressed(id, token, value);
  }

  /** Cancel every timer (the app stops). */
  stop(): void {
    for (const w of this.workers.values()) for (const hold of w.holds.values()) this.release(hold);
    this.workers.clear();
    this.byId.clear();
    this.outgoing.clear();
  }

  /** An attempt that could not be sent: its hold and credit go, the owner is told. */
  private unsent(aid: string, a: Assignment, err: unknown): boolean {
    const w = this.workers.get(aid);
    const hold = w?.holds.get(key(a.id, a.token));
    if (w === undefined || hold === undefined) return false;
    w.holds.delete(key(a.id, a.token));
    w.credits++;
    this.release(hold);
    this.owner.unsent(a.id, a.token, err);
    return true;
  }

  /** Start the attempt's timeout (once). */
  private arm(hold: Hold): void {
    const ms = hold.timeout;
    if (ms === undefined) return;
    hold.timeout = undefined;
    hold.timer = this.later(ms, () => {
      hold.timer = undefined;
      this.abort(hold, 'timeout');
      this.owner.timedOut(hold.id, hold.token);
    });
  }

  private abort(hold: Hold, reason: 'timeout' | 'revoked'): void {
    this.monitor
      .send(hold.aid, 'task_abort', hold.id, hold.token, reason)
      .addErrback(() => undefined);
    if (hold.grace !== undefined) return;
    hold.grace = this.later(this.options.grace, () => {
      hold.grace = undefined;
      const w = this.workers.get(hold.aid);
      if (w?.holds.get(key(hold.id, hold.token)) !== hold) return;
      this.monitor.logger.warn(
        `task ${hold.id} ignored its ${reason} signal for ${this.options.grace} ms: replacing worker ${hold.aid}`,
      );
      const proxy = this.monitor.managedActors.find((p) => p.aid === hold.aid);
      void proxy?.worker?.terminate(1000);
    });
  }

  private release(hold: Hold): void {
    hold.timer?.unsubscribe();
    hold.grace?.unsubscribe();
    hold.timer = undefined;
    hold.grace = undefined;
    if (this.byId.get(hold.id) === hold) this.byId.delete(hold.id);
  }

  private later(ms: number, cb: () => void): Subscription | undefined {
    try {
      return this.monitor.loop.addTimeout(ms, cb);
    } catch {
      return undefined; // the loop stopped: the app is going away
    }
  }
}

function key(id: string, token: number): string {
  return `${id}#${token}`;
}

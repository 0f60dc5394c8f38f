/**
 * Arbiter side of one run of a {@link TestSuite}: sends the spec files to
 * the pool's workers (longest first), each worker one file to run and one
 * ahead (its runner starts it as the other ends, with no round trip through
 * this thread; an idle worker takes back a file sent ahead to a busy one),
 * hears their events as they stream in, reports them in order, and closes
 * a file whose worker died or hung. With `.only` candidates, a first pass
 * only loads those files to learn which hold a `.only`.
 * @module
 */
import type { Subscription } from '../../rx.js';
import type { ActorExit } from '../../actor/ArbiterEvents.js';
import type { Monitor } from '../../monitor/Monitor.js';
import { crashMessage } from './crashMessage.js';
import { FileQueue } from './FileQueue.js';
import { FileRun } from './FileRun.js';
import type { LocalWorker } from './LocalWorker.js';
import { ReportOrder } from './ReportOrder.js';
import type { PoolEvents, RunPlan, RunSink } from './RunPlan.js';
import { ABORT_FILE, DROP_FILE, KILL_RUNNER, RUN_FILE, type WireEvent } from './wire.js';

export type { PoolEvents, RunPlan, RunSink } from './RunPlan.js';

/** How often the run looks for hung files, in ms. */
const TICK_MS = 100;
/** A tick later than this past its time follows a stall of the loop, in ms. */
const STALL_MS = 250;

/**
 * One run over local workers and a pool: the pool may join later
 * ({@link TestRun.attach}), or never.
 *
 * @example
 * ```ts
 * const run = new TestRun(monitor, arbiter().events, plan, sink);
 * await run.execute();
 * ```
 */
export class TestRun {
  private readonly runs = new Map<number, FileRun>();
  /** The file each worker runs, by aid. */
  private readonly inflight = new Map<string, FileRun>();
  private readonly order: ReportOrder;
  private readonly queue: FileQueue;
  private dry = false;
  private stopped = false;
  private phaseDone: (() => void) | undefined;
  private readonly hasOnly = new Set<string>();
  private lastTick = 0;
  /** The last tick judged no deadline (it followed a stall). */
  private waited = false;
  private readonly local = new Map<string, LocalWorker>();
  private executing = false;
  /** The pool's streams, followed while the run executes. */
  private follow: Subscription | undefined;

  /**
   * @param monitor - the pool (`undefined`: none yet, see {@link TestRun.attach}).
   * @param arbiter - the arbiter's streams: workers that come up, and exit.
   * @param plan - files and options.
   * @param sink - where events go.
   * @param local - workers this thread serves itself (prestarted runners),
   *   beside the pool's: their events come by {@link TestRun.receive} too.
   */
  constructor(
    private monitor: Monitor | undefined,
    private arbiter: PoolEvents | undefined,
    private readonly plan: RunPlan,
    private readonly sink: RunSink,
    local: LocalWorker[] = [],
  ) {
    for (const worker of local) this.local.set(worker.aid, worker);
    this.order = new ReportOrder((event, run) => sink.report(event, run));
    this.queue = new FileQueue(plan.setupFiles, plan.options, plan.firstJobs);
  }

  /**
   * The pool joins the run (it was begun on local workers only): its
   * workers get files as they come up.
   * @param monitor - the pool.
   * @param arbiter - the arbiter's streams: workers that come up, and exit.
   */
  attach(monitor: Monitor, arbiter: PoolEvents): void {
    this.monitor = monitor;
    this.arbiter = arbiter;
    if (this.executing) this.followPool();
  }

  /** Run every file; resolves once all are reported (or the run was stopped). */
  async execute(): Promise<void> {
    this.executing = true;
    this.followPool();
    this.lastTick = Date.now();
    const periodic = setInterval(() => this.tick(), TICK_MS);
    try {
      let files = this.plan.files;
      if (this.plan.onlyCandidates.length > 0) {
        this.dry = true;
        await this.phase(this.plan.onlyCandidates);
        this.dry = false;
        // As serial mocha: a `.only` anywhere restricts the run to the `.only`s.
        // A file that killed its worker twice while loading may hold one: it
        // runs (and its crash is told), as serial mocha would not go past it.
        const kept = (f: string): boolean => this.hasOnly.has(f) || this.queue.crashedTwice(f);
        if (this.hasOnly.size > 0) files = files.filter(kept);
      }
      if (!this.stopped) await this.phase(files);
    } finally {
      this.executing = false;
      clearInterval(periodic);
      this.follow?.unsubscribe();
    }
  }

  private followPool(): void {
    const arbiter = this.arbiter;
    if (arbiter === undefined || this.follow !== undefined) return;
    const follow = arbiter.actorExited$.subscribe((exit) => this.exited(exit));
    // A worker that comes up gets a file at once (its monitor adopts it first).
    follow.add(arbiter.actorSpawned$.subscribe(() => setImmediate(() => this.dispatch())));
    this.follow = follow;
  }

  /**
   * Stop the run (Ctrl-C, bail): no new file starts; the files in flight are
   * asked to stop after their current test. With `now`, the run ends at once
   * with what was reported so far.
   * @param now - end at once, without waiting for the files in flight.
   */
  stop(now = false): void {
    this.stopped = true;
    // Their runners drop them with the abort (one that began is not reported).
    for (const run of this.queue.clear()) this.runs.delete(run.job.id);
    for (const run of this.inflight.values()) {
      this.tell(run.aid, ABORT_FILE);
    }
    if (!now) return;
    for (const run of this.inflight.values()) {
      if (!this.dry)
        for (const event of run.close('interrupted', false)) this.order.event(run, event);
      run.done = true;
    }
    this.inflight.clear();
    this.order.drain();
    this.finishPhase();
  }

  /** The run has files to give still (or a second pass to come): a lost worker is worth replacing. */
  get wantsWorkers(): boolean {
    return !this.stopped && (this.queue.hasWork() || this.dry);
  }

  /**
   * @param jobId - the job the events belong to (0: the worker's runner died).
   * @param events - the next events of its file.
   * @param aid - the worker they come from.
   */
  receive(jobId: number, events: WireEvent[], aid?: string): void {
    const run = jobId === 0 && aid !== undefined ? this.inflight.get(aid) : this.runs.get(jobId);
    if (run === undefined || run.done) return;
    for (const event of events) {
      if (event.name === 'dropped') {
        // Its runner died before it began anything: the one held ahead goes back too.
        const ahead = jobId === 0 ? this.queue.aheadOf(run.aid) : undefined;
        if (ahead !== undefined) this.reclaim(ahead);
        this.reclaim(run);
        return;
      }
      if (event.name === 'runner exit') {
        const kind = event.kind === 'thread' ? 'thread' : `process ${event.pid ?? ''}`.trim();
        // Found hung, but it ended on its own before the kill: what it did is told.
        const killed = event.killed === false ? undefined : run.killed;
        this.crashed(
          run,
          killed ?? crashMessage(run, kind, event.code ?? null, event.signal ?? null),
        );
        return;
      }
      run.receive(event);
      if (this.dry) {
        if (event.hasOnly === true) this.hasOnly.add(run.file);
      } else {
        if (isFailure(event)) this.bail();
        this.order.event(run, event);
      }
      if (run.done) {
        // The runner's own measure: a first file began there before this run heard of it.
        this.end(run, event.ms ?? Date.now() - run.startedAt);
        return;
      }
    }
  }

  private async phase(files: string[]): Promise<void> {
    this.queue.fill(files, this.dry);
    if (!this.queue.hasWork()) return;
    const done = new Promise<void>((resolve) => (this.phaseDone = resolve));
    this.dispatch();
    await done;
  }

  private tick(): void {
    const now = Date.now();
    // A tick this late follows a stall of this thread (a busy machine, a
    // long GC): what the workers sent meanwhile waits behind it, unread,
    // and may be the end of the test that seems hung. It is read before
    // any deadline is judged: by the next tick, whenever it comes (a turn
    // of the loop, which reads it, lies between two ticks; so a loop late
    // at every tick still judges every other one).
    const stalled = now - this.lastTick > TICK_MS + STALL_MS && !this.waited;
    this.lastTick = now;
    this.waited = stalled;
    if (stalled) {
      this.dispatch();
      return;
    }
    for (const run of this.inflight.values()) {
      if (run.killed !== undefined || !run.hungAt(now)) continue;
      run.killed = run.loading
        ? `${run.file} did not load within ${run.runningTimeout} ms: its worker was killed`
        : `"${run.running ?? '?'}" in ${run.file} ran past its timeout (${run.runningTimeout} ms) ` +
          'and did not give its worker back: the worker was killed';
      this.tell(run.aid, KILL_RUNNER);
    }
    this.dispatch();
  }

  private dispatch(): void {
    if (this.stopped) return;
    const workers = [
      ...[...this.local.values()].filter((w) => w.alive).map((w) => w.aid),
      ...[...(this.monitor?.managedActors ?? [])]
        .filter((p) => p.worker?.exited !== true)
        .map((p) => p.aid),
    ];
    // An idle worker gets a file to run; then each busy one, a file ahead.
    for (const ahead of [false, true]) {
      for (const aid of workers) {
        if (!this.queue.hasWork()) break;
        const busy = this.inflight.has(aid);
        if (busy === ahead && this.queue.aheadOf(aid) === undefined) this.send(aid, ahead);
      }
    }
    if (this.queue.hasWork()) return;
    // No file left: idle workers take back files sent ahead to busy ones.
    const idle = workers.filter((aid) => !this.inflight.has(aid)).length;
    for (const run of this.queue.recall(idle)) this.tell(run.aid, DROP_FILE, run.job.id);
  }

  private send(aid: string, ahead: boolean): void {
    const [given, givenAhead] = this.queue.unreserve(aid, () => this.sink.firstJob?.(aid) ?? []);
    // Reserved jobs go only with their runners.
    const job = given ?? this.queue.next();
    if (job === undefined) return;
    const run = new FileRun(job, aid);
    this.runs.set(job.id, run);
    if (ahead) {
      this.queue.holdAhead(run);
    } else {
      this.inflight.set(aid, run);
      if (!this.dry) this.order.started(run);
    }
    // Its runner has it already, and the one it holds ahead.
    if (givenAhead !== undefined) {
      const next = new FileRun(givenAhead, aid);
      this.runs.set(givenAhead.id, next);
      this.queue.holdAhead(next);
    }
    if (given !== undefined) return;
    this.tell(aid, RUN_FILE, job, (err: unknown) => {
      if (ahead) this.reclaim(run);
      else this.crashed(run, `could not start ${run.file}: ${String(err)}`);
    });
  }

  /**
   * Send a command to a worker: a local one does it now, an actor of the
   * pool gets a message.
   * @param onError - it could not be done (the worker is gone).
   */
  private tell(
    aid: string,
    command: string,
    arg?: unknown,
    onError: (err: unknown) => void = () => undefined,
  ): void {
    const local = this.local.get(aid);
    if (local === undefined) {
      const args = arg === undefined ? [] : [arg];
      this.monitor?.send(aid, command, ...args).addErrback(onError);
    } else if (!local.send(command, arg)) {
      // Its runner died meanwhile: as a message to an actor that is gone
      // (the errors load only then: a run without a pool needs nothing of the runtime).
      void import('../../errors.js').then(({ ActorExitedError }) =>
        onError(new ActorExitedError(`worker ${aid} is gone`)),
      );
    }
  }

  /** A file sent ahead did not begin (taken back, or its runner died): it goes first again. */
  private reclaim(run: FileRun): void {
    if (!this.queue.release(run)) {
      // Counted begun, yet taken back (its runner says so): the worker is idle.
      if (this.inflight.get(run.aid) !== run || !run.loading) return;
      this.inflight.delete(run.aid);
      if (!this.dry) this.order.ended(run);
    }
    this.runs.delete(run.job.id);
    if (this.stopped) return;
    this.queue.requeue(run.job, true);
    this.dispatch();
  }

  private exited(exit: ActorExit): void {
    const run = this.inflight.get(exit.aid);
    if (run === undefined) return;
    const kind =
      exit.concurrency === 'thread' ? 'thread' : `process ${exit.proxy.pid ?? ''}`.trim();
    this.crashed(run, run.killed ?? crashMessage(run, kind, exit.exitCode, exit.signal));
  }

  private crashed(run: FileRun, message: string): void {
    if (run.done) return;
    // The file sent ahead died with the runner, unbegun.
    const ahead = this.queue.aheadOf(run.aid);
    if (ahead !== undefined) this.reclaim(ahead);
    // Not silent: once more on another worker, then it runs in the second pass.
    if (this.dry) this.queue.crashedLoading(run.job, !this.stopped);
    this.bail();
    for (const event of run.close(message)) {
      if (!this.dry) this.order.event(run, event);
    }
    this.end(run, undefined);
  }

  /** With `--bail`, a failure (a failed test, a crash, a load error) stops the run. */
  private bail(): void {
    if (this.plan.bail && !this.dry && !this.stopped) this.stop();
  }

  private end(run: FileRun, ms: number | undefined): void {
    run.done = true;
    this.inflight.delete(run.aid);
    this.runs.delete(run.job.id);
    if (!this.dry) {
      this.order.ended(run);
      this.sink.fileDone(run.file, ms);
    }
    // The file sent ahead begins now, in the runner already.
    const next = this.queue.takeAhead(run.aid);
    if (next !== undefined) {
      next.begin();
      this.inflight.set(run.aid, next);
      if (!this.dry) this.order.started(next);
    }
    // More files, or files sent ahead an idle worker may take back.
    if (!this.stopped) this.dispatch();
    if (this.inflight.size === 0 && (!this.queue.hasWork() || this.stopped)) this.finishPhase();
  }

  private finishPhase(): void {
    const done = this.phaseDone;
    this.phaseDone = undefined;
    done?.();
  }
}

/** @returns `true` for an event that fails a test, a hook or a file's load. */
function isFailure(event: WireEvent): boolean {
  return event.name === 'fail' || event.name === 'load error';
}

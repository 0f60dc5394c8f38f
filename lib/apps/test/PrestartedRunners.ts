/**
 * Spec runners forked by the arbiter's process before its pool is up: a
 * runner boots Node and loads mocha while the command line reads mocha's
 * options and the suite starts. Each listens on a Unix socket of its own,
 * which the `LocalWorker` it is given (the main thread, serving it
 * as a worker without an actor) connects to. A runner may be given its
 * first files before that (`dispatch`), as soon as the files are known:
 * it runs them while the suite starts, and its worker gets what it told
 * first when it connects. This process keeps the child: it tells the
 * worker how its runner ended, and kills what is left at the end.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrphanReaper } from '../../concurrency/OrphanReaper.js';
import { MAX_SOCKET_PATH } from '../../util/maxSocketPath.js';
import { makeRuntimeDir, removeStaleRuntimeDirs } from '../../util/runtimeDir.js';
import { firstJobs, workersFor, type RunFiles } from './planRun.js';
import { forkRunner, type RunnerExit } from './RunnerHandle.js';
import { RUNNER_SOCKET_ENV, type FileJob } from './wire.js';

/** A runner given to a worker: where it listens, its pid. */
export interface PrestartedRunner {
  /** Its socket's path. */
  path: string;
  /** Its process id. */
  pid: number;
  /** The file it was given before any worker (see `dispatch`). */
  job?: FileJob;
  /** The file it was given to hold ahead, behind `job`. */
  ahead?: FileJob;
}

interface Entry extends PrestartedRunner {
  child: ChildProcess;
  exited: Promise<void>;
  exit?: RunnerExit;
  /** Told how it ended, once it has. */
  onExit?: (exit: RunnerExit) => void;
  /** Watched by the orphan reaper. */
  watched?: boolean;
}

let early: PrestartedRunners | undefined;

/** How long the runners run before the orphan reaper watches them (see `watchSoon`). */
const REAPER_DELAY_MS = 1000;

/**
 * Runners forked now, for the next TestSuite of this process to take.
 *
 * @example
 * ```ts
 * const runners = PrestartedRunners.start(3);
 * const first = runners.take((exit) => tellWorker(exit));
 * await runners.close();
 * ```
 */
export class PrestartedRunners {
  private readonly dir: string;
  private readonly free: Entry[] = [];
  private readonly all: Entry[] = [];
  private closed = false;
  /** The orphan reaper is told of the runners forked, then (see `watchSoon`). */
  private watching: NodeJS.Timeout | undefined;
  /** The orphan reaper, once it watches the runners. */
  private reaper: OrphanReaper | undefined;
  /** When the first runners were forked. */
  private readonly forkedAt = performance.now();
  /** Whether its socket paths fit the limit: else none is forked. */
  private readonly fits: boolean;
  /** The run's plan, once {@link PrestartedRunners.begin} gave first files with it. */
  plan: RunFiles | undefined;
  private readonly killAll = (): void => {
    for (const entry of this.all) if (entry.exit === undefined) entry.child.kill('SIGKILL');
  };
  private readonly atExit = (): void => {
    this.killAll();
    rmSync(this.dir, { recursive: true, force: true });
  };

  /**
   * @param count - runners to fork.
   * @param execArgv - their Node options.
   */
  private constructor(
    count: number,
    readonly execArgv: readonly string[],
  ) {
    // A runtime folder of this process: should it be left behind (SIGKILL),
    // the next arbiter removes it, as it removes its own.
    this.dir = makeRuntimeDir('rxpt');
    // The longest runner path is the last runner's (`${count - 1}.sock`).
    this.fits = this.socketsFit(Math.max(count - 1, 0));
    for (let i = 0; this.fits && i < count; i++) this.fork(i);
    // Never outlive this process, however it ends.
    process.on('exit', this.atExit);
  }

  /**
   * Fork `count` runners.
   * @param count - how many.
   * @param execArgv - their Node options (default: this process's).
   * @returns the runners.
   */
  static start(count: number, execArgv: readonly string[] = process.execArgv): PrestartedRunners {
    return new PrestartedRunners(count, execArgv);
  }

  /**
   * Fork runners for the next TestSuite of this process (the command line
   * does so first thing).
   * @param count - how many.
   */
  static startEarly(count: number): void {
    if (early !== undefined) return;
    early = new PrestartedRunners(count, process.execArgv);
  }

  /** @returns the runners started early, not taken yet. */
  static get early(): PrestartedRunners | undefined {
    return early;
  }

  /** Kill the runners started early, if no TestSuite took them. */
  static async discardEarly(): Promise<void> {
    const runners = early;
    early = undefined;
    await runners?.close();
  }

  /**
   * @param execArgv - the Node options the runners must have.
   * @returns the runners started early with those options, once.
   */
  static takeEarly(execArgv: readonly string[]): PrestartedRunners | undefined {
    const runners = early;
    early = undefined;
    if (runners === undefined) return undefined;
    if (runners.execArgv.join('\0') === execArgv.join('\0')) return runners;
    void runners.close();
    return undefined;
  }

  /** Runners not given yet. */
  get available(): number {
    return this.free.length;
  }

  /**
   * Give each runner not given yet one job, in order, before any worker
   * has it: it runs it at once (its events wait for the worker); then,
   * with more jobs than runners, each one more to hold ahead, which it
   * starts as the first ends, should its worker not be up by then.
   * @param jobs - at most two per runner (see `firstJobs`): runner `i`
   *   gets `jobs[i]`, and `jobs[n + i]` ahead (`n` runners).
   */
  dispatch(jobs: FileJob[]): void {
    const n = this.free.length;
    jobs.slice(0, 2 * n).forEach((job, i) => {
      const entry = this.free[i % n]!;
      if (i < n) entry.job = job;
      else entry.ahead = job;
      // Gone already: its worker hears of its exit, and fails the file as one it crashed.
      entry.child.send({ type: 'run', job }, () => undefined);
    });
  }

  /** The jobs given by `dispatch` to runners not given yet (to run, then ahead). */
  get dispatched(): FileJob[] {
    return [
      ...this.free.flatMap((entry) => (entry.job === undefined ? [] : [entry.job])),
      ...this.free.flatMap((entry) => (entry.ahead === undefined ? [] : [entry.ahead])),
    ];
  }

  /**
   * @param onExit - told how the runner ended (after its end).
   * @returns a runner not given yet, alive (or dead, if it has a job: its
   *   worker reports how it ended while running it), or `undefined`.
   */
  take(onExit: (exit: RunnerExit) => void): PrestartedRunner | undefined {
    for (let entry = this.free.shift(); entry !== undefined; entry = this.free.shift()) {
      const { exit, job, ahead } = entry;
      if (exit !== undefined && job === undefined) continue;
      entry.onExit = onExit;
      // Told after the worker is given it (this call's caller sends that first).
      if (exit !== undefined) setImmediate(() => onExit(exit));
      return { path: entry.path, pid: entry.pid, job, ahead };
    }
    return undefined;
  }

  /** @param pid - kill this runner (it was not used). */
  kill(pid: number): void {
    for (const entry of this.all) if (entry.pid === pid) entry.child.kill('SIGKILL');
  }

  /**
   * Begin a run on these runners: as many kept as it has workers
   * ({@link workersFor}), the others killed, and each kept one
   * given its first file and one ahead ({@link firstJobs}) unless it has
   * some already; the plan is kept.
   * @param plan - the run's files, in their order.
   * @param workers - the workers asked for.
   * @returns the workers the run has.
   */
  begin(plan: RunFiles, workers: number): number {
    const count = workersFor(plan, workers);
    this.plan = plan;
    this.trim(count);
    this.forkMissing(count);
    if (this.dispatched.length === 0) this.dispatch(firstJobs(plan, count));
    return count;
  }

  /** @param count - keep at most this many runners not given yet (kill the others). */
  trim(count: number): void {
    for (const entry of this.free.splice(count)) entry.child.kill('SIGKILL');
  }

  /**
   * Fork the runners a run has beyond those forked early: its workers or
   * its files came from mocha's configuration (`jobs`, `spec`), read after
   * they were. A runner needs no runtime: the application does not boot
   * for them (it would, for a runner missing from the start).
   * @param count - the runners the run has.
   */
  private forkMissing(count: number): void {
    if (!this.fits || this.closed) return;
    const first = this.all.length;
    const last = first + count - this.free.length;
    if (!this.socketsFit(last - 1)) return;
    for (let i = first; i < last; i++) this.fork(i);
  }

  /**
   * Node would bind a socket path over the limit cut short, anywhere (see
   * checkSocketPath): then no runner is forked, the application boots at
   * the start, its pool's workers fork theirs (over IPC), and its start
   * names the path too long, if its own are. So too when only the
   * application's control socket (`<tmp>/rxpulsar-<pid>-XXXXXX/control.sock`,
   * see attachControl; its hub's `hub.sock` is shorter) is over the limit:
   * the run could not boot it when a runner is lost (it failed then, mid-run).
   * @param last - the highest runner index (its socket is `<last>.sock`).
   * @returns whether the runners' sockets and the application's fit.
   */
  private socketsFit(last: number): boolean {
    const control = join(tmpdir(), `rxpulsar-${process.pid}-XXXXXX`, 'control.sock');
    return [join(this.dir, `${last}.sock`), control].every(
      (path) => Buffer.byteLength(path) <= MAX_SOCKET_PATH,
    );
  }

  /** Kill every runner still alive, wait for their exits, remove their sockets. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.watching);
    this.free.length = 0;
    // Their exits are awaited: the loop waits for them now.
    for (const entry of this.all) entry.child.ref();
    this.killAll();
    await Promise.all(this.all.map((entry) => entry.exited));
    process.removeListener('exit', this.atExit);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * A runner blocked in a test (one that spins) does not hear this process
   * die (SIGKILL): its IPC channel's disconnect waits for its loop. The
   * orphan reaper (a tiny shell, one for this process and its arbiter, if
   * it boots) kills it then, and removes the runners' folder (a runner that
   * hears it removes it). Told once this process has run for
   * {@link REAPER_DELAY_MS}: its spawn (5-20 ms of CPU) is no cost to a
   * short run (docs/choices.md, "rxpulsar test: orphaned runners").
   */
  private watchSoon(): void {
    if (this.watching !== undefined) return;
    const watch = (reaper: OrphanReaper): void => {
      if (this.closed) return;
      this.reaper = reaper;
      // The folder first, then the runners at once: a reaper that starts
      // has them all as its arguments (this process may die right after).
      reaper.removeWith(this.dir);
      const fresh = this.all.filter((entry) => entry.exit === undefined && entry.watched !== true);
      for (const entry of fresh) entry.watched = true;
      reaper.watch(...fresh.map((entry) => entry.pid));
    };
    this.watching = setTimeout(
      () => {
        this.watching = undefined;
        if (this.reaper !== undefined) watch(this.reaper);
        else {
          // Those of runs killed whole (a process group's SIGKILL: their reaper too).
          removeStaleRuntimeDirs();
          // Loaded then (the command line loads none of the runtime before).
          void import('../../concurrency/OrphanReaper.js').then(
            ({ OrphanReaper }) => watch(OrphanReaper.shared),
            () => undefined,
          );
        }
      },
      Math.max(0, REAPER_DELAY_MS - (performance.now() - this.forkedAt)),
    );
    this.watching.unref();
  }

  private fork(i: number): void {
    const path = join(this.dir, `${i}.sock`);
    const child = forkRunner(this.execArgv, { [RUNNER_SOCKET_ENV]: path });
    // Its IPC channel only tells it when this process is gone.
    child.unref();
    child.channel?.unref();
    let ended!: () => void;
    const entry = {
      path,
      pid: child.pid ?? 0,
      child,
      exited: new Promise<void>((resolve) => (ended = resolve)),
    } as Entry;
    const end = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (entry.exit !== undefined) return;
      entry.exit = { kind: 'process', pid: entry.pid, code, signal };
      if (entry.watched === true) this.reaper?.forget(entry.pid);
      ended();
      entry.onExit?.(entry.exit);
    };
    child.once('exit', end);
    // Not forked at all: no exit follows.
    child.on('error', () => {
      if (child.pid === undefined) end(null, null);
    });
    this.free.push(entry);
    this.all.push(entry);
    this.watchSoon();
  }
}

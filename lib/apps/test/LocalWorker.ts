/**
 * A prestarted runner read by the arbiter's own thread: a worker of a
 * {@link TestSuite} without a worker actor. The main thread connects to the
 * runner's socket (and reads its log, as a worker thread would) and hands
 * its events to the run as they come, with no thread to boot and no hop
 * through a port. When its runner dies, its file fails as on a worker
 * actor and it takes no more files: the pool's monitor spawns a worker
 * actor in its place (docs/choices.md, "rxpulsar test: start-up, seventh
 * round").
 * @module
 */
import type { PrestartedRunner } from './PrestartedRunners.js';
import { RunnerHandle, type RunnerExit } from './RunnerHandle.js';
import { runnerCommands, type RunnerCommand } from './runnerCommands.js';
import { RUN_FILE, type FileJob, type WireEvent } from './wire.js';

/** Where a local worker's events and its end go. */
export interface LocalWorkerSink {
  /** The next events of job `id` (0: its runner died) of the worker `aid`. */
  events(id: number, events: WireEvent[], aid: string): void;
  /** Its runner died: it takes no more files (told after that runner's exit event). */
  lost(worker: LocalWorker): void;
}

/**
 * One prestarted runner served by this thread.
 *
 * @example
 * ```ts
 * const given = runners.take((exit) => worker.exited(exit))!;
 * const worker = new LocalWorker('suite.runner1', given, {
 *   events: (id, events, aid) => run.receive(id, events, aid),
 *   lost: () => pool.resize(pool.workers + 1),
 * });
 * worker.begin();
 * worker.send(RUN_FILE, job);
 * ```
 */
export class LocalWorker {
  private readonly runner: RunnerHandle;
  /** The run's commands, done on its runner (as a worker actor does them). */
  private readonly commands: ReadonlyMap<string, RunnerCommand>;
  private dead = false;
  private begun = false;
  /** Its runner told something of its jobs (it was not dead from the start). */
  private heard = false;
  /** How its runner ended, when that came before {@link LocalWorker.begin}. */
  private exit: RunnerExit | undefined;
  /** The jobs its runner was given before the run began: the one it runs, then the one it holds ahead. */
  readonly jobs: FileJob[];

  /**
   * @param aid - its name in the run (as a worker actor's aid).
   * @param given - the prestarted runner (its socket, its pid, its first jobs).
   * @param sink - where its events go.
   */
  constructor(
    readonly aid: string,
    private readonly given: PrestartedRunner,
    private readonly sink: LocalWorkerSink,
  ) {
    this.jobs = [given.job, given.ahead].filter((job) => job !== undefined);
    // No runner of its own: the prestarted one, adopted by `begin()`.
    this.runner = new RunnerHandle('process', undefined, undefined, undefined, true);
    this.runner.onEvent = (batch) => {
      const [id, ...events] = JSON.parse(batch) as [number, ...WireEvent[]];
      this.heard = true;
      this.sink.events(id, events, aid);
    };
    this.runner.onExit = (exit) => this.runnerDied(exit);
    this.commands = runnerCommands(this.runner);
  }

  /**
   * Read its runner from now on (what it told so far first): call it once
   * the run counts the worker's first jobs as sent (its events may come at once).
   */
  begin(): void {
    if (this.begun || this.dead) return;
    this.begun = true;
    this.runner.adopt(this.given.path, this.given.pid);
    // Sent again, as to a worker actor: the runner runs each once, in order.
    for (const job of this.jobs) this.runner.run(job);
    if (this.exit !== undefined) this.runner.remoteExited(this.exit);
  }

  /** It can take files (its runner has not died). */
  get alive(): boolean {
    return !this.dead;
  }

  /** @param exit - how its runner ended (the process that forked it tells). */
  exited(exit: RunnerExit): void {
    if (this.begun) this.runner.remoteExited(exit);
    else this.exit = exit;
  }

  /**
   * A command of the run, as a worker actor answers it.
   * @param command - `RUN_FILE`, `DROP_FILE`, `ABORT_FILE` or `KILL_RUNNER`.
   * @param arg - its argument (a job, a job's id).
   * @returns `false` when it could not be done (the runner died: a file is not taken).
   */
  send(command: string, arg?: unknown): boolean {
    if (this.dead) return command !== RUN_FILE;
    this.begin();
    this.commands.get(command)?.(arg);
    return true;
  }

  /** Kill its runner, if alive. */
  async close(): Promise<void> {
    this.dead = true;
    await this.runner.close();
  }

  private runnerDied(exit: RunnerExit): void {
    // Closed first: the handle starts no runner of its own after this call.
    void this.close();
    // Dead before it told anything (killed from outside as it started): its
    // files did not run here; they go to another worker, uncounted. A runner
    // this run killed (hung loading) ran its file: that is reported.
    const unbegun = !this.heard && exit.killed !== true;
    this.sink.events(
      0,
      [unbegun ? { name: 'dropped' } : { name: 'runner exit', ...exit }],
      this.aid,
    );
    this.sink.lost(this);
  }
}

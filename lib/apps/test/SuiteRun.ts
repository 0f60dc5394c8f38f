/**
 * One run of a test suite's files: mocha's reporter in this thread
 * (`ParentRunner`), the prestarted runners this thread serves itself
 * (`LocalWorker`), and a pool of worker actors once one joins (`attach`).
 * Nothing here needs the runtime: the command line runs a suite on its
 * prestarted runners with no application booted, and boots the suite's
 * application (its pool) only when a runner is lost (docs/choices.md,
 * "rxpulsar test: start-up, ninth round").
 * @module
 */
import type { Monitor } from '../../monitor/Monitor.js';
import { LocalWorker } from './LocalWorker.js';
import { ParentRunner, type TestEventSink, type TestResult } from './ParentRunner.js';
import type { RunFiles } from './planRun.js';
import type { PrestartedRunners } from './PrestartedRunners.js';
import { TestRun, type PoolEvents } from './TestRun.js';
import type { FileJob, WireEvent } from './wire.js';

/** What a {@link SuiteRun} runs, and with what. */
export interface SuiteRunParams {
  /** The suite's name (its local workers are `<name>.runner<i>`). */
  name: string;
  /** mocha's options of the run. */
  mochaOptions: Record<string, unknown>;
  /** The files, in their order, and how to run them. */
  plan: RunFiles;
  /** The prestarted runners this thread serves (none: the pool's workers only). */
  runners?: PrestartedRunners;
  /** The workers of the run (local ones first; the pool makes up the others). */
  size: number;
  /** Where every event also goes (`TestSuite.events$`). */
  events?: TestEventSink;
  /**
   * The run needs `count` more worker actors: a runner was lost, or missing
   * from the start. The pool grows by that many (and starts, if it did not yet).
   */
  grow(count: number, reason: string): void;
}

/**
 * A run over local workers, and a pool when it has one.
 *
 * @example
 * ```ts
 * const run = new SuiteRun({ name: 'test', mochaOptions, plan, runners, size: 2, grow });
 * const { failures } = await run.execute();
 * await run.close();
 * ```
 */
export class SuiteRun {
  private readonly parent: Promise<ParentRunner>;
  /** Jobs given to the prestarted runners before the run began. */
  private readonly jobsGiven: FileJob[];
  private readonly local: LocalWorker[] = [];
  private current: TestRun | undefined;
  private pool: { monitor: Monitor; events: PoolEvents } | undefined;
  private interrupted = false;

  /** @param params - the run. */
  constructor(private readonly params: SuiteRunParams) {
    this.jobsGiven = params.runners?.dispatched ?? [];
    // mocha and the reporter load now (while a pool starts, if one does).
    this.parent = ParentRunner.create(params.mochaOptions, params.events);
    this.parent.catch(() => undefined);
  }

  /** Whether the run has files to give still: a lost worker is worth replacing. */
  get wantsWorkers(): boolean {
    return this.current?.wantsWorkers === true;
  }

  /** How many of its local workers still have their runner (they run the files left without a pool). */
  get localAlive(): number {
    return this.local.filter((worker) => worker.alive).length;
  }

  /**
   * A pool joins the run: its workers get files as they come up.
   * @param monitor - the pool.
   * @param events - the arbiter's streams.
   */
  attach(monitor: Monitor, events: PoolEvents): void {
    this.pool = { monitor, events };
    this.current?.attach(monitor, events);
  }

  /**
   * Events of a job, from a worker.
   * @param id - the job (0: the worker's runner died).
   * @param events - its next events.
   * @param aid - the worker.
   */
  receive(id: number, events: WireEvent[], aid?: string): void {
    this.current?.receive(id, events, aid);
  }

  /** Stop the run now (Ctrl-C): the summary of what ran is reported. */
  interrupt(): void {
    this.interrupted = true;
    this.current?.stop(true);
  }

  /**
   * Run every file, report every event.
   * @returns the result, once the reporter is done.
   */
  async execute(): Promise<TestResult> {
    const { plan, mochaOptions: options } = this.params;
    const { files, setupFiles, options: jobOptions, onlyCandidates, durations } = plan;
    const parent = await this.parent;
    const run = new TestRun(
      this.pool?.monitor,
      this.pool?.events,
      {
        files,
        setupFiles,
        options: jobOptions,
        onlyCandidates,
        bail: options['bail'] === true,
        firstJobs: this.jobsGiven,
      },
      {
        firstJob: (aid) => this.firstJobsOf(aid),
        report: (event, fileRun) => parent.report(event, fileRun.file),
        fileDone: (file, ms) => {
          if (ms !== undefined) durations?.set(file, ms);
        },
      },
      this.serveLocally(),
    );
    this.current = run;
    if (this.interrupted) run.stop(true);
    try {
      const result = await parent.run(files, () => run.execute());
      durations?.save();
      return { ...result, interrupted: this.interrupted };
    } finally {
      this.current = undefined;
    }
  }

  /** Kill the runners (local ones and those not taken). */
  async close(): Promise<void> {
    await Promise.all(this.local.map((worker) => worker.close()));
    await this.params.runners?.close();
  }

  /**
   * Serve each prestarted runner from this thread, as a worker without an
   * actor: no thread boots for it, its events reach the run directly. The
   * pool gets a worker actor for each one missing (a runner that died
   * before its first file) and each one lost during the run.
   * @returns the local workers.
   */
  private serveLocally(): LocalWorker[] {
    const { runners, size, name } = this.params;
    if (runners === undefined) return [];
    const sink = {
      events: (id: number, events: WireEvent[], aid: string) => this.receive(id, events, aid),
      lost: () => {
        // Not once the run has no file left to give (its new runner would boot for nothing).
        if (this.wantsWorkers) this.params.grow(1, 'runner died');
      },
    };
    for (let i = this.local.length; i < size; i++) {
      let worker: LocalWorker | undefined = undefined;
      const given = runners.take((exit) => worker?.exited(exit));
      if (given === undefined) break;
      worker = new LocalWorker(`${name}.runner${i + 1}`, given, sink);
      this.local.push(worker);
    }
    if (this.local.length < size) this.params.grow(size - this.local.length, 'no runner');
    return this.local;
  }

  /**
   * A worker gets its first file: a local one begins to read its runner.
   * @returns the jobs its runner was given already (a local worker's: the
   *   one it runs, and the one it holds ahead; none for an actor of the pool).
   */
  private firstJobsOf(aid: string): FileJob[] {
    const local = this.local.find((worker) => worker.aid === aid);
    if (local === undefined) return [];
    // Read once the run counts these jobs as its (after this call).
    queueMicrotask(() => local.begin());
    return local.jobs;
  }
}

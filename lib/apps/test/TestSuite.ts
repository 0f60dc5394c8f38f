/**
 * The test-suite app: mocha spec files run in parallel on a pool of worker
 * actors, every event reported live to any mocha reporter.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Subject, type Observable } from '../../rx.js';
import { ImproperlyConfiguredError } from '../../errors.js';
import { arbiter as getArbiter } from '../../arbiter/api.js';
import { getActor } from '../../actor/current.js';
import { Application, type ApplicationParams } from '../../application/Application.js';
import type { Schema } from '../../config/Setting.js';
import type { Monitor } from '../../monitor/Monitor.js';
import { splitTestParams, unsupportedReporter } from './mochaOptions.js';
import { ParentRunner, type TestEvent, type TestResult } from './ParentRunner.js';
import { planRun, workersFor, type RunFiles } from './planRun.js';
import { PrestartedRunners } from './PrestartedRunners.js';
import type { FileJob } from './wire.js';
import { LocalWorker } from './LocalWorker.js';
import { testMetrics } from './testMetrics.js';
import { TestRun } from './TestRun.js';
import { FILE_EVENTS, type WireEvent } from './wire.js';

export type { TestEvent, TestResult } from './ParentRunner.js';

/** Parameters of a {@link TestSuite}: mocha's options (camelCase) and these. */
export interface TestSuiteParams extends ApplicationParams {
  /** Spec files, folders or globs (default `./test`, as mocha). */
  spec?: string | string[];
  /** Worker actors (default: cores − 1, at least 1). */
  workers?: number;
  /** Where the specs run: child processes (`process`, default) or worker threads (`thread`). */
  concurrency?: 'process' | 'thread';
  /** The durations cache file (default `.rxpulsar-test-durations.json`), or `false`. */
  durations?: string | false;
}

const WORKER_MODULE = new URL('./testWorker.js', import.meta.url).href;

/**
 * Run mocha spec files in parallel: `start()` starts the pool and the run;
 * `result` settles with the failures once the reporter is done; `events$`
 * emits every mocha event as the reporter gets it.
 *
 * @example
 * ```ts
 * const suite = new TestSuite({ spec: ['test/'], workers: 4, reporter: 'dot', timeout: 5000 });
 * suite.events$.subscribe(({ name, file }) => name === 'fail' && console.log('failed in', file));
 * const { failures } = await suite.run();
 * ```
 */
export class TestSuite extends Application {
  /** `durations` is the suite's own parameter, not a setting. */
  static override constructorParams: readonly string[] = ['durations'];

  static override settings: Schema = {
    workers: {
      doc: 'Worker actors running spec files (default: cores - 1, at least 1).',
      format: 'count',
      default: Math.max(1, availableParallelism() - 1),
    },
    spares: {
      doc: 'Warm spares kept ready to replace a worker (0: none; a spec that crashes replaces its runner, not its worker).',
      format: 'count',
      default: 0,
    },
  };

  /** mocha's options of this run. */
  readonly mochaOptions: Record<string, unknown>;
  /** The result, once the run is over and the reporter done. */
  readonly result: Promise<TestResult>;
  private readonly events = new Subject<TestEvent>();
  private settle!: (result: TestResult) => void;
  private fail!: (err: unknown) => void;
  private plan: RunFiles | undefined;
  /** Jobs given to the prestarted runners before the pool was up. */
  private jobsGiven: FileJob[] = [];
  private current: TestRun | undefined;
  private ownArbiter = false;
  private parent: Promise<ParentRunner> | undefined;
  private interrupted = false;
  private runners: PrestartedRunners | undefined;
  /** The prestarted runners this thread serves itself, as workers without an actor. */
  private local: LocalWorker[] = [];
  /** The workers of the run (local ones and the pool's). */
  private size = 0;

  /** @param params - mocha's options, `spec`, `workers`, `concurrency`, `durations`. */
  constructor(params: TestSuiteParams = {}) {
    const { app, mocha } = splitTestParams(params);
    super({ argv: [], module: WORKER_MODULE, ...app });
    this.mochaOptions = mocha;
    this.result = new Promise<TestResult>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
    this.result.catch(() => undefined);
  }

  /** Every mocha event, in the order the reporter gets it; completes after `end`. */
  get events$(): Observable<TestEvent> {
    return this.events.asObservable();
  }

  /**
   * Start, wait for the end of the run, stop the pool (and the arbiter, if
   * this suite made it).
   * @returns the result: failures (the exit code, up to 255), stats, interrupted.
   */
  async run(): Promise<TestResult> {
    try {
      try {
        await this.start();
      } catch (err) {
        // No worker could start: the run that began ends at once.
        this.interrupt();
        throw err;
      }
      return await this.result;
    } finally {
      await this.stop();
      if (this.ownArbiter) await getArbiter().stop();
    }
  }

  /** Stop the run now (Ctrl-C): the summary of what ran is reported, `interrupted` is set. */
  interrupt(): void {
    this.interrupted = true;
    this.current?.stop(true);
  }

  override async monitorStart(monitor: Monitor): Promise<void> {
    // With --metrics: tests by result (counting ends with the run's events).
    if (getArbiter().metricsOn) {
      await testMetrics(this.name, this.events, monitor.logger).catch((err: unknown) =>
        monitor.logger.warn(`no test metrics: ${String(err)}`),
      );
    }
    // A crashing spec must not open the pool's breaker: the run goes on.
    monitor.restartPolicy.settings = { ...monitor.restartPolicy.settings, maxRestarts: Infinity };
    monitor.command(FILE_EVENTS, (_m, id: number, json: string, aid?: string) => {
      this.current?.receive(id, JSON.parse(json) as WireEvent[], aid);
    });
    // The run begins now: files go to the workers as they come up.
    this.execute(monitor).then(this.settle, this.fail);
  }

  // Synchronous; `Promise<void>` as the hook it overrides (a throw rejects its caller's await).
  protected override configure(cfg: Record<string, unknown>): Promise<void> {
    // Specs run in the runners: child processes, or threads with
    // `concurrency: 'thread'`. The worker actors over them only relay, and
    // are threads of this process either way: a worker is up without
    // booting a process of its own (docs/choices.md, "rxpulsar test start-up").
    cfg['runner'] = cfg['concurrency'] === 'thread' ? 'thread' : 'process';
    cfg['concurrency'] = 'thread';
    // A thread's own execArgv lacks the options threads refuse (a heap size…).
    cfg['runnerExecArgv'] = process.execArgv;
    if (Number(cfg['workers']) < 1) {
      throw new ImproperlyConfiguredError(`${this.name}: a test suite needs at least 1 worker`);
    }
    const unsupported = unsupportedReporter(this.mochaOptions['reporter']);
    if (unsupported !== undefined) throw new ImproperlyConfiguredError(unsupported);
    // Ctrl-C is the run's (summary, exit 130): the arbiter leaves SIGINT alone.
    if (getActor() === undefined) {
      this.ownArbiter = true;
      getArbiter({
        signals: false,
        timeout: cfg['timeout'] as number,
        metrics: cfg['metrics'] as string | null,
      });
    }
    // Process runners boot while the pool starts (or since the command line
    // began, which may have given them their first files and read the plan):
    // each worker gets one, running its first file already.
    if (cfg['runner'] === 'process' && this.runners === undefined) {
      const early = PrestartedRunners.takeEarly(process.execArgv);
      this.plan = early?.plan ?? planRun(this.mochaOptions, this.params['durations']);
      this.runners =
        early ?? PrestartedRunners.start(workersFor(this.plan, Number(cfg['workers'])));
      this.size = this.runners.begin(this.plan, Number(cfg['workers']));
      this.jobsGiven = this.runners.dispatched;
      // This thread serves the prestarted runners itself (see `serveLocally`):
      // the pool starts with no worker actor, and grows as they are lost.
      cfg['workers'] = 0;
    } else {
      this.plan = planRun(this.mochaOptions, this.params['durations']);
      cfg['workers'] = workersFor(this.plan, Number(cfg['workers']));
    }
    // mocha and the reporter load while the pool starts.
    this.parent = ParentRunner.create(this.mochaOptions, this.events);
    this.parent.catch(() => undefined);
    return Promise.resolve();
  }

  /** Stop the pool, and the runners started for it. */
  override async stop(): Promise<void> {
    await super.stop();
    await Promise.all(this.local.map((worker) => worker.close()));
    await this.runners?.close();
  }

  /**
   * Serve each prestarted runner from this thread, as a worker without an
   * actor: no thread boots for it, its events reach the run directly. The
   * pool's monitor spawns worker actors for those that are missing (a
   * runner that died before its first file) and for each one lost during
   * the run (its runner died): the pool takes over.
   * @returns the local workers.
   */
  private serveLocally(monitor: Monitor): LocalWorker[] {
    const runners = this.runners;
    if (runners === undefined) return [];
    const sink = {
      events: (id: number, events: WireEvent[], aid: string) =>
        this.current?.receive(id, events, aid),
      lost: () => {
        // Not once the run has no file left to give (its new runner would boot for nothing).
        if (this.current?.wantsWorkers === true) monitor.resize(monitor.workers + 1, 'runner died');
      },
    };
    for (let i = this.local.length; i < this.size; i++) {
      let worker: LocalWorker | undefined = undefined;
      const given = runners.take((exit) => worker?.exited(exit));
      if (given === undefined) break;
      worker = new LocalWorker(`${this.name}.runner${i + 1}`, given, sink);
      this.local.push(worker);
    }
    if (this.local.length < this.size) monitor.resize(this.size - this.local.length, 'no runner');
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

  private async execute(monitor: Monitor): Promise<TestResult> {
    const { files, setupFiles, options: jobOptions, onlyCandidates, durations } = this.plan!;
    const options = this.mochaOptions;
    const parent = await (this.parent ?? ParentRunner.create(options, this.events));
    const run = new TestRun(
      monitor,
      getArbiter().events,
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
      this.serveLocally(monitor),
    );
    this.current = run;
    if (this.interrupted) run.stop(true);
    const result = await parent.run(files, () => run.execute());
    this.current = undefined;
    durations?.save();
    this.events.complete();
    return { ...result, interrupted: this.interrupted };
  }
}

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
import { MAX_POOL_WORKERS } from '../../monitor/MonitorParams.js';
import { splitTestParams, unsupportedReporter } from './mochaOptions.js';
import type { TestEvent, TestResult } from './ParentRunner.js';
import { planRun, workersFor, type RunFiles } from './planRun.js';
import { PrestartedRunners } from './PrestartedRunners.js';
import { SuiteRun } from './SuiteRun.js';
import { testMetrics } from './testMetrics.js';
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
      format: 'poolSize',
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
  /** The run of the files: made at the start, or joined (see {@link TestSuite.join}). */
  private session: SuiteRun | undefined;
  /** The run was begun by someone else: this suite gives it a pool only. */
  private joined = false;
  private ownArbiter = false;
  private interrupted = false;

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
      await this.shutdown();
    }
  }

  /**
   * Give a pool to a run begun without one (the command line's, on its
   * prestarted runners): before `start()`, which then starts the pool with
   * no worker, attached to that run; {@link TestSuite.grow} adds workers.
   * The run stays its maker's to execute and close.
   * @internal
   * @param run - the run.
   */
  join(run: SuiteRun): void {
    this.session = run;
    this.joined = true;
  }

  /**
   * @internal
   * @param count - worker actors to add to the pool (started).
   * @param reason - why, for the log.
   */
  grow(count: number, reason: string): void {
    const monitor = this.monitor!;
    // Runners lost beyond the most a pool has are served by the workers it has.
    monitor.resize(Math.min(monitor.workers + count, MAX_POOL_WORKERS), reason);
  }

  /** Stop the pool, the runners, and the arbiter if this suite made it. */
  async shutdown(): Promise<void> {
    await this.stop();
    if (this.ownArbiter) await getArbiter().stop();
  }

  /** Stop the run now (Ctrl-C): the summary of what ran is reported, `interrupted` is set. */
  interrupt(): void {
    this.interrupted = true;
    if (!this.joined) this.session?.interrupt();
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
      this.session?.receive(id, JSON.parse(json) as WireEvent[], aid);
    });
    const session = this.session!;
    session.attach(monitor, getArbiter().events);
    if (this.joined) return;
    // The run begins now: files go to the workers as they come up.
    if (this.interrupted) session.interrupt();
    session.execute().then((result) => {
      this.events.complete();
      this.settle({ ...result, interrupted: this.interrupted });
    }, this.fail);
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
    // Joined: the run serves its runners; the pool starts empty, grows as they are lost.
    if (this.joined) {
      cfg['workers'] = 0;
      return Promise.resolve();
    }
    // Process runners boot while the pool starts (or since the command line
    // began, which may have given them their first files and read the plan):
    // each worker gets one, running its first file already.
    let runners: PrestartedRunners | undefined = undefined;
    let plan: RunFiles;
    let size: number;
    if (cfg['runner'] === 'process') {
      const early = PrestartedRunners.takeEarly(process.execArgv);
      plan = early?.plan ?? planRun(this.mochaOptions, this.params['durations']);
      runners = early ?? PrestartedRunners.start(workersFor(plan, Number(cfg['workers'])));
      size = runners.begin(plan, Number(cfg['workers']));
      // This thread serves the prestarted runners itself (see `SuiteRun`):
      // the pool starts with no worker actor, and grows as they are lost.
      cfg['workers'] = 0;
    } else {
      plan = planRun(this.mochaOptions, this.params['durations']);
      size = workersFor(plan, Number(cfg['workers']));
      cfg['workers'] = size;
    }
    this.session = new SuiteRun({
      name: this.name,
      mochaOptions: this.mochaOptions,
      plan,
      runners,
      size,
      events: this.events,
      grow: (count, reason) => this.grow(count, reason),
    });
    return Promise.resolve();
  }

  /** Stop the pool, and the runners of its run (unless it joined that run). */
  override async stop(): Promise<void> {
    await super.stop();
    if (!this.joined) await this.session?.close();
  }
}

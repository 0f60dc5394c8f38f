/**
 * The command line's run of a suite on its prestarted runners, with no
 * application booted: no runtime, configuration, arbiter, pool or control
 * socket, until a runner is lost (or missing from the start). Then the
 * suite's application ({@link TestSuite}) boots, its pool joins the run
 * with no worker, and grows by one worker actor per runner lost, as when
 * the suite booted first (docs/choices.md, "rxpulsar test: start-up,
 * ninth round"). A run that loses no runner is not seen by `rxpulsar ps`.
 * @module
 */
import { availableParallelism } from 'node:os';
import { splitTestParams } from './mochaOptions.js';
import type { TestResult } from './ParentRunner.js';
import type { PrestartedRunners } from './PrestartedRunners.js';
import { requireEsm } from './requireEsm.js';
import { SuiteRun } from './SuiteRun.js';
import type { TestSuite } from './TestSuite.js';

/**
 * A suite run on prestarted runners, its pool booted when needed.
 *
 * @example
 * ```ts
 * const runners = PrestartedRunners.takeEarly(process.execArgv)!;
 * const suite = new LocalSuite({ reporter: 'dot', workers: 2 }, runners);
 * const { failures } = await suite.run();
 * ```
 */
export class LocalSuite {
  private readonly session: SuiteRun;
  /** The application, booting or booted. */
  private suite: Promise<TestSuite> | undefined;
  /** The application, once booted. */
  private pool: TestSuite | undefined;
  /** Workers asked for before the pool was up. */
  private wanted = 0;
  /** The pool could not boot: why. */
  private failed: Error | undefined;

  /**
   * @param params - the parameters of a {@link TestSuite} (mocha's options, `workers`…).
   * @param runners - the runners started early, given their plan (`begin`).
   */
  constructor(
    private readonly params: Record<string, unknown>,
    runners: PrestartedRunners,
  ) {
    const { mocha } = splitTestParams(params);
    this.session = new SuiteRun({
      // The name `TestSuite` would have: the same workers' names either way.
      name: typeof params['name'] === 'string' ? params['name'] : 'testsuite',
      mochaOptions: mocha,
      plan: runners.plan!,
      runners,
      // As many workers as the suite would have (by default, cores − 1).
      size: runners.begin(
        runners.plan!,
        Number(params['workers'] ?? Math.max(1, availableParallelism() - 1)),
      ),
      grow: (count, reason) => this.grow(count, reason),
    });
  }

  /**
   * Run every file; stop the pool if one booted, and the runners.
   * @returns the result: failures (the exit code, up to 255), stats, interrupted.
   * @throws the pool's error, once the run ended, if it was needed (a runner
   *   lost) and could not boot: the runners still alive ran the files left.
   */
  async run(): Promise<TestResult> {
    try {
      const result = await this.session.execute();
      if (this.failed !== undefined) throw this.failed;
      return result;
    } finally {
      const suite = await this.suite?.catch(() => undefined);
      await suite?.shutdown();
      await this.session.close();
    }
  }

  /** Whether the suite's application was booted (a runner was lost, or missing). */
  get booted(): boolean {
    return this.suite !== undefined;
  }

  /** Stop the run now (Ctrl-C): the summary of what ran is reported. */
  interrupt(): void {
    this.session.interrupt();
  }

  /** The run needs more workers: the pool boots (once), then grows. */
  private grow(count: number, reason: string): void {
    if (this.failed !== undefined) {
      this.endWithoutPool();
      return;
    }
    if (this.pool !== undefined) {
      this.pool.grow(count, reason);
      return;
    }
    this.wanted += count;
    if (this.suite !== undefined) return;
    this.suite = this.boot(reason);
    // Its failure is the run's (see `run()`).
    this.suite.catch(() => undefined);
  }

  private async boot(reason: string): Promise<TestSuite> {
    let suite: TestSuite | undefined;
    try {
      const { TestSuite } = await requireEsm<typeof import('./TestSuite.js')>(
        new URL('./TestSuite.js', import.meta.url),
      );
      suite = new TestSuite(this.params);
      suite.join(this.session);
      await suite.start();
      // Asked for as it booted: all at once; later, as asked.
      this.pool = suite;
      suite.grow(this.wanted, reason);
      return suite;
    } catch (err) {
      // No pool: what it started stops (as after a failed `TestSuite.run()`
      // start); the runners still alive run the files left; the error is
      // the run's, at its end (see `run()`).
      this.failed = err instanceof Error ? err : new Error(String(err));
      await suite?.shutdown().catch(() => undefined);
      this.endWithoutPool();
      throw err;
    }
  }

  /** The pool could not boot: with no runner left either, the files left cannot run; the run ends with what it has. */
  private endWithoutPool(): void {
    if (this.session.localAlive === 0) this.session.interrupt();
  }
}

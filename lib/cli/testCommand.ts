/**
 * `rxpulsar test [spec...] [mocha options] [-w N] [--concurrency thread]`:
 * mocha's command line (its option loading, `.mocharc.*`, `package.json`'s
 * `mocha` key, its checks and messages), the files run in parallel by a
 * {@link TestSuite}. Exits with the number of failures (max 255), 130 on
 * Ctrl-C.
 * @module
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { splitTestParams, unsupportedReporter } from '../apps/test/mochaOptions.js';
import type { TestResult } from '../apps/test/ParentRunner.js';
import { planRun } from '../apps/test/planRun.js';
import { PrestartedRunners } from '../apps/test/PrestartedRunners.js';
import { requireEsm } from '../apps/test/requireEsm.js';
import { requireMocha } from '../apps/test/requireMocha.js';
import { withoutWatch } from '../apps/test/withoutWatch.js';
import { listenEnding, signalCode, type Ending } from './listenEnding.js';
import { reexec } from './reexec.js';
import { BOOTING_ENV } from './bootingEnv.js';

const USAGE = `Usage: rxpulsar test [spec..] [mocha options] [-w N] [--concurrency process|thread]

Runs mocha spec files in parallel on worker actors. Every option of mocha
(rxpulsar test --help-mocha lists them) has mocha's name and meaning, and
.mocharc.* and package.json's "mocha" key are read as mocha reads them.

  -w, --workers N          worker actors (default: cores - 1, at least 1; -j/--jobs too)
  --concurrency KIND       process (default) or thread
  --durations FILE         where file durations are kept between runs
                           (default .rxpulsar-test-durations.json); --no-durations: none
  --metrics HOST:PORT      serve Prometheus metrics at /metrics during the run
  -h, --help               this help`;

interface OwnFlags {
  workers?: number;
  concurrency?: 'process' | 'thread';
  durations?: string | false;
  metrics?: string;
  nodeOptions: string[];
  rest: string[];
}

/** Take our flags (and `--node-option`, applied by a re-exec) out of argv; the rest is mocha's. */
function ownFlags(argv: string[]): OwnFlags {
  const flags: OwnFlags = { nodeOptions: [], rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value`);
      return v;
    };
    if (name === '-w' || name === '--workers' || name === '-j' || name === '--jobs') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`${name} must be a whole number of workers, at least 1`);
      flags.workers = n;
    } else if (name === '--concurrency') {
      const kind = value();
      if (kind !== 'process' && kind !== 'thread')
        throw new Error(`--concurrency must be process or thread, not "${kind}"`);
      flags.concurrency = kind;
    } else if (name === '--durations') flags.durations = value();
    else if (name === '--no-durations') flags.durations = false;
    else if (name === '--metrics') {
      const bind = value();
      if (!/^.+:\d{1,5}$/.test(bind)) throw new Error(`--metrics needs HOST:PORT, not "${bind}"`);
      flags.metrics = bind;
    } else if (name === '-n' || name === '--node-option') flags.nodeOptions.push(value());
    else if (name === '--parallel' || name === '-p') continue;
    else flags.rest.push(arg);
  }
  return flags;
}

/**
 * Run the test command.
 *
 * @param argv - the arguments after `test`.
 * @returns the exit code: failures (max 255), 130 when interrupted, 1 for bad usage (as mocha).
 * @example
 * ```ts
 * process.exitCode = await run(['spec/', '--reporter', 'dot', '-w', '4']);
 * ```
 */
export async function run(argv: string[]): Promise<number> {
  const ending: Ending = {};
  const unlisten = listenEnding(ending);
  let code: number;
  try {
    code = await runTests(argv, ending);
  } catch (err) {
    // One of ours (a socket path too long, a pool that cannot start): its message says it all.
    if (!(await isRxPulsarError(err))) throw err;
    process.stderr.write(`rxpulsar test: ${(err as Error).message}\n`);
    code = 1;
  } finally {
    // Runners started for a run that did not happen (bad usage, a re-exec).
    await PrestartedRunners.discardEarly();
    unlisten();
  }
  const { signal } = ending;
  if (signal === undefined) return code;
  // Clean: now the signal ends the process, by its default action.
  process.kill(process.pid, signal);
  return signalCode(signal);
}

/**
 * @returns whether `err` is one of rxpulsar's errors. Their module (with
 * the runtime) is loaded only then: the command does not load it to fork
 * its runners.
 */
async function isRxPulsarError(err: unknown): Promise<boolean> {
  const { RxPulsarError } = await import('../errors.js');
  return err instanceof RxPulsarError;
}

async function runTests(argv: string[], ending: Ending): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (argv.includes('--help-mocha')) {
    const { main } = await import('mocha/lib/cli/cli.js');
    main(['--help']);
    return 0;
  }
  let flags: OwnFlags;
  try {
    flags = ownFlags(argv);
  } catch (err) {
    process.stderr.write(`rxpulsar test: ${(err as Error).message}\n${USAGE}\n`);
    return 1;
  }
  const reexecuted = process.env['RXPULSAR_TEST_REEXEC'] !== undefined;
  // Not inherited by the specs (one may run rxpulsar test itself).
  delete process.env['RXPULSAR_TEST_REEXEC'];
  // The runners boot while mocha's options load (not before a re-exec: its
  // children need its Node options). Only the modules that fork them are
  // loaded before: the suite's (arbiter, monitor…) load after.
  if (flags.concurrency !== 'thread' && flags.nodeOptions.length === 0) {
    const workers = workersWanted(flags);
    PrestartedRunners.startEarly(Math.min(workers, specFilesGiven(flags.rest) ?? workers));
  }
  withoutWatch();
  const { loadOptions } = requireMocha('mocha/lib/cli/options.cjs');
  const runHelpers = requireMocha('mocha/lib/cli/run.cjs');
  const args = loadOptions(flags.rest);
  const nodeOptions = [
    ...flags.nodeOptions,
    ...((args['node-option'] as string[] | undefined) ?? []),
  ];
  if (nodeOptions.length > 0 && !reexecuted) {
    return reexec(
      nodeOptions,
      argv.filter((_a, i) => !isNodeOption(argv, i)),
      ending,
    );
  }
  delete args['node-option'];
  args['spec'] = args._.length > 0 ? args._ : ['./test'];
  // mocha's parallel mode is ours: its --jobs (from a config file too) sizes the pool.
  const jobs = Number(args['jobs']);
  if (flags.workers === undefined && Number.isInteger(jobs) && jobs > 0) flags.workers = jobs;
  for (const key of ['parallel', 'p', 'jobs', 'j']) delete args[key];
  try {
    runHelpers.normalizeRunOptions(args);
    runHelpers.validateRunOptions(args);
    if (args['watch'] === true) throw new Error('--watch is not supported by rxpulsar test');
    const unsupported = unsupportedReporter(args['reporter']);
    if (unsupported !== undefined) throw new Error(unsupported);
  } catch (err) {
    // mocha's own wording and exit code for a bad option.
    process.stderr.write(`\n✖ ERROR: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    // A reporter or interface that cannot be loaded: mocha's message, before any worker starts.
    const Mocha = requireMocha('mocha/lib/mocha.cjs');
    const { validateLegacyPlugin } = requireMocha('mocha/lib/cli/run-helpers.cjs');
    validateLegacyPlugin(args, 'reporter', Mocha.reporters);
    validateLegacyPlugin(args, 'ui', Mocha.interfaces);
  } catch (err) {
    console.error('\n✖ ERROR:', err);
    return 1;
  }
  const params = {
    ...args,
    workers: flags.workers,
    concurrency: flags.concurrency,
    durations: flags.durations,
    metrics: flags.metrics,
    logLevel: 'error',
  };
  giveFirstFiles(params, flags);
  const suite = await makeSuite(params, flags);
  const interrupt = (): void => suite.interrupt();
  ending.interrupt = interrupt;
  ending.stop = interrupt;
  // Ended while mocha's options loaded: the run stops as it starts.
  if (ending.signal !== undefined || ending.interrupted === true) interrupt();
  try {
    const result = await suite.run();
    return result.interrupted ? 130 : result.failures;
  } catch (err) {
    if (await isRxPulsarError(err)) throw err; // said in one line by run()
    // A reporter that cannot be built: as mocha says it.
    console.error('\n Exception during run:', err);
    return 1;
  } finally {
    ending.interrupt = undefined;
  }
}

/**
 * The runners started early get their first files now (one to run and one
 * ahead each), before the arbiter and the pool start: they run them while
 * the suite loads (what they tell waits in their logs). This thread then
 * serves them itself: no worker actor's thread starts for them
 * (docs/choices.md, "rxpulsar test: start-up, seventh round").
 * @param params - the suite's parameters.
 * @param flags - our own flags.
 */
function giveFirstFiles(params: Record<string, unknown>, flags: OwnFlags): void {
  PrestartedRunners.early?.begin(
    planRun(splitTestParams(params).mocha, flags.durations),
    workersWanted(flags),
  );
}

/**
 * The suite of the run: on the default path (process runners started
 * early, no `--metrics`, no setting from the environment) the runners run
 * it with no application booted, until one is lost (`LocalSuite`); else
 * the suite's application (`TestSuite`) boots first.
 * @param params - the suite's parameters.
 * @param flags - our own flags.
 */
async function makeSuite(
  params: Record<string, unknown>,
  flags: OwnFlags,
): Promise<{ run(): Promise<TestResult>; interrupt(): void }> {
  const runners =
    flags.metrics === undefined && !settingsFromEnv()
      ? PrestartedRunners.takeEarly(process.execArgv)
      : undefined;
  // Required: its files are read at once, not a turn of the loop each.
  if (runners !== undefined) {
    const { LocalSuite } = await requireEsm<typeof import('../apps/test/LocalSuite.js')>(
      new URL('../apps/test/LocalSuite.js', import.meta.url),
    );
    return new LocalSuite(params, runners);
  }
  const { TestSuite } = await requireEsm<typeof import('../apps/test/TestSuite.js')>(
    new URL('../apps/test/TestSuite.js', import.meta.url),
  );
  return new TestSuite(params);
}

/** @returns whether a setting's variable (`RXPULSAR_WORKERS`…) is set: the application reads it. */
function settingsFromEnv(): boolean {
  return Object.keys(process.env).some((name) => BOOTING_ENV.has(name) && process.env[name] !== '');
}

/** The workers asked for with `-w`, or one per core but one (the arbiter's). */
function workersWanted(flags: OwnFlags): number {
  return flags.workers ?? Math.max(1, availableParallelism() - 1);
}

/**
 * How many spec files the arguments name, when they name files only (no
 * folder, no glob, none from a configuration file): a run of fewer files
 * than workers needs fewer runners. An option's value that is a file
 * (`--require setup.js`) counts too: at worst a runner too many.
 * @returns the count, or `undefined` when it is not known before mocha's options are read.
 */
function specFilesGiven(args: string[]): number | undefined {
  let files = 0;
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    if (/[*?[\]{}]/.test(arg)) return undefined;
    try {
      const stat = statSync(arg);
      if (stat.isDirectory()) return undefined;
      if (stat.isFile() && /\.[cm]?[jt]sx?$/.test(arg)) files++;
    } catch {
      // An option's value, or a file mocha will say it cannot find.
    }
  }
  return files > 0 ? files : undefined;
}

function isNodeOption(argv: string[], i: number): boolean {
  const arg = argv[i]!;
  if (arg === '-n' || arg === '--node-option' || arg.startsWith('--node-option=')) return true;
  const prev = argv[i - 1];
  return prev === '-n' || prev === '--node-option';
}

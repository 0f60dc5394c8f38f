/**
 * Arbiter side of the reporting: a real `Mocha` whose runner class is ours.
 * Mocha builds the reporter (any reporter, with its options), the stats and
 * the global fixtures as in a serial run; our runner re-emits the events the
 * workers stream, rebuilt (as mocha's parallel mode does: `deserialize.ts`) into objects with
 * `fullTitle()`, `titlePath()`, `slow()`, `duration`, `err`…
 * @module
 */
import { deserialize } from './deserialize.js';
import { withoutWatch } from './withoutWatch.js';
import { requireMocha } from './requireMocha.js';
import { SuiteTree, type TreeSuite } from './SuiteTree.js';
import { ERROR_CLASS, type WireEvent } from './wire.js';

/** A mocha event of a {@link TestSuite} run, as its reporter got it. */
export interface TestEvent {
  /** mocha's event name (`start`, `suite`, `test`, `pass`, `fail`, `end`…), or `output`. */
  name: string;
  /** The suite, test or hook (with `fullTitle()`, `titlePath()`…). */
  data?: unknown;
  /** The error of a `fail`. */
  error?: unknown;
  /** The spec file it came from. */
  file?: string;
  /** `output`: what the file wrote, and to which stream. */
  text?: string;
  /** `output`: the stream `text` was written to. */
  stream?: 'stdout' | 'stderr';
}

/** Where the events of a run also go (a `Subject`, for `TestSuite.events$`). */
export interface TestEventSink {
  /** One event, as the reporter gets it. */
  next(event: TestEvent): void;
}

/** The outcome of a run. */
export interface TestResult {
  /** Failures, as mocha counts them (the exit code, up to 255). */
  failures: number;
  /** mocha's stats (suites, tests, passes, pending, failures, duration…). */
  stats: Record<string, unknown>;
  /** The run was interrupted (Ctrl-C). */
  interrupted: boolean;
}

type MochaModule = typeof import('mocha');
type Runner = InstanceType<MochaModule['Runner']>;

/** mocha's id property of serialized runnables and suites. */
const ID = '__mocha_id__';

/**
 * The reporting side of one run.
 *
 * @example
 * ```ts
 * const parent = await ParentRunner.create({ reporter: 'spec' }, events);
 * const { failures } = await parent.run(files, () => run.execute());
 * ```
 */
export class ParentRunner {
  private runner: Runner | undefined;
  private failures = 0;
  private readonly objects = new Map<string, Record<string, unknown>>();
  private tree!: SuiteTree;

  private constructor(
    private readonly Mocha: MochaModule,
    private readonly mocha: InstanceType<MochaModule>,
    private readonly events: TestEventSink | undefined,
  ) {}

  /**
   * @param options - mocha's options (reporter, reporterOption, require for global fixtures…).
   * @param events - where every event also goes, if anywhere.
   * @returns the parent runner, its reporter not built yet.
   */
  static async create(
    options: Record<string, unknown>,
    events?: TestEventSink,
  ): Promise<ParentRunner> {
    const Mocha = requireMocha('mocha/lib/mocha.cjs');
    withoutWatch();
    const { handleRequires } = requireMocha('mocha/lib/cli/run-helpers.cjs');
    const requires = options['require'] as string[] | undefined;
    // Global fixtures run here, once; root hooks run in the workers.
    const plugins =
      requires === undefined
        ? {}
        : await handleRequires(requires, { ignoredPlugins: ['mochaHooks'] });
    const own: Record<string, unknown> = { ...options, ...plugins, parallel: false };
    delete own['jobs'];
    const mocha = new Mocha(own);
    return new ParentRunner(Mocha, mocha, events);
  }

  /**
   * Run: mocha builds the runner (ours), stats and reporter, runs the global
   * setup, then `body` streams the files' events, then the global teardown.
   *
   * @param files - the spec files (reporters may read them).
   * @param body - runs the files; its events come through {@link ParentRunner.report}.
   * @returns failures and stats, once the reporter is done.
   */
  run(files: string[], body: () => Promise<void>): Promise<Omit<TestResult, 'interrupted'>> {
    const drive = (runner: Runner): Promise<number> => {
      this.runner = runner;
      this.tree = new SuiteTree(
        runner.suite as unknown as TreeSuite,
        (d) => this.link(d),
        (d) => this.revive(d),
      );
      return this.drive(runner, body);
    };
    class LiveRunner extends this.Mocha.Runner {
      override run(fn?: (failures: number) => void): this {
        drive(this).then(
          (failures) => fn?.(failures),
          (err: unknown) => {
            process.nextTick(() => {
              throw err;
            });
          },
        );
        return this;
      }
    }
    const mocha = this.mocha as unknown as {
      _runnerClass: unknown;
      files: string[];
      lazyLoadFiles(on: boolean): void;
    };
    mocha._runnerClass = LiveRunner;
    mocha.files = files;
    mocha.lazyLoadFiles(true);
    return new Promise((resolve) => {
      this.mocha.run((failures) => {
        const stats = { ...(this.runner?.stats ?? {}) } as Record<string, unknown>;
        resolve({ failures: Math.min(failures, 255), stats });
      });
    });
  }

  /**
   * Report one event of one file.
   * @param event - the event, as the worker serialized it.
   * @param file - its spec file.
   */
  report(event: WireEvent, file: string): void {
    const runner = this.runner;
    if (runner === undefined) return;
    const { name } = event;
    if (name === 'file end' || name === 'timeout') return;
    if (name === 'output') {
      (event.stream === 'stderr' ? process.stderr : process.stdout).write(event.text ?? '');
      this.events?.next({ name, file, text: event.text, stream: event.stream });
      return;
    }
    // Deserialized and linked in place: a copy, as the same data may be
    // reported twice (a crash closes a test with `fail`, then `test end`).
    const { data, error } = deserialize({
      data: typeof event.data === 'object' && event.data !== null ? { ...event.data } : event.data,
      error: event.error,
    });
    named(error);
    named((data as { err?: unknown } | undefined)?.err);
    if (name === 'load error') {
      // As mocha's parallel mode reports a file that failed outside any test.
      const runnable = new this.Mocha.Runnable('Uncaught error outside test suite');
      runnable.parent = runner.suite;
      runnable.file = file;
      this.emit(runner, 'fail', runnable, error, file);
      return;
    }
    // The root suite is the run's, begun and ended once.
    const root = (name === 'suite' || name === 'suite end') && (data as { root?: boolean }).root;
    if (root) this.tree.root((data as Record<string, unknown>)[ID] as string);
    const linked = root ? data : this.link(data);
    if (name === 'suite end' && event.members !== undefined) {
      this.tree.finish(linked, event.members, file);
    }
    if (root) return;
    this.tree.place(name, linked, file);
    this.emit(runner, name, linked, error, file);
  }

  /** A runnable a worker serialized (a member of a suite), deserialized. */
  private revive(data: unknown): unknown {
    // Deserialized in place: a copy, as the same data may be read twice.
    const copy = typeof data === 'object' && data !== null ? { ...data } : data;
    const item = deserialize({ data: copy }).data;
    named((item as { err?: unknown } | undefined)?.err);
    return item;
  }

  /**
   * One object per mocha id, as in a serial run: the test a reporter got
   * with `test` is the one it gets with `fail` and `test end` (where `Base`
   * left `err` and `speed`), and a test's `parent` is its suite.
   */
  private link(data: unknown): unknown {
    if (typeof data !== 'object' || data === null) return data;
    const record = data as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (key !== 'err' && typeof value === 'object' && value !== null && ID in value) {
        record[key] = this.link(value);
      }
    }
    const id = record[ID] as string | undefined;
    if (id === undefined) return data;
    const known = this.objects.get(id);
    if (known === undefined) {
      this.objects.set(id, record);
      return record;
    }
    return Object.assign(known, record);
  }

  private emit(runner: Runner, name: string, data: unknown, error: unknown, file?: string): void {
    if (name === 'fail') this.failures++;
    runner.emit(name, data, error);
    this.events?.next({ name, data, error, file });
  }

  private async drive(runner: Runner, body: () => Promise<void>): Promise<number> {
    this.emit(runner, 'start', undefined, undefined);
    this.emit(runner, 'suite', runner.suite, undefined);
    await body();
    this.emit(runner, 'suite end', runner.suite, undefined);
    this.emit(runner, 'end', undefined, undefined);
    return this.failures;
  }
}

const prototypes = new Map<string, object>();

/**
 * Give a rebuilt error the class name it had in the worker (not as an own
 * property: reporters list an error's own properties).
 * @param err - an error deserialized by mocha's serializer.
 */
function named(err: unknown): void {
  if (typeof err !== 'object' || err === null || !(ERROR_CLASS in err)) return;
  const record = err as Record<string, unknown>;
  const name = String(record[ERROR_CLASS]);
  delete record[ERROR_CLASS];
  const builtin = (globalThis as Record<string, unknown>)[name];
  let proto = prototypes.get(name);
  if (proto === undefined) {
    const own = typeof builtin === 'function' ? (builtin.prototype as unknown) : undefined;
    proto =
      own instanceof Error
        ? own
        : (Object.create(Error.prototype, {
            name: { value: name, writable: true, configurable: true },
          }) as object);
    prototypes.set(name, proto);
  }
  Object.setPrototypeOf(err, proto);
}

/**
 * Worker side of `rxpulsar test`: runs one spec file at a time with a fresh
 * `Mocha` instance and streams every runner event to the arbiter as it
 * happens (mocha's own parallel mode buffers a whole file).
 * @module
 */
import { pathToFileURL } from 'node:url';
import type { SuiteMembers } from './SuiteTree.js';
import { requireMocha } from './requireMocha.js';
import { ERROR_CLASS, type FileJob, type WireEvent } from './wire.js';

type Listener = (...args: unknown[]) => void;

// Captured now: specs may fake it later (sinon's fake timers do).
const later = queueMicrotask;
type Emit = (event: WireEvent) => void;

const RUNNER_EVENTS = [
  'suite',
  'suite end',
  'test',
  'test end',
  'pass',
  'fail',
  'pending',
  'hook',
  'hook end',
  'retry',
];

/** Where the reporter of the current run sends its events. */
let sink: Emit | undefined;
/** The suites of the current run that began, and its tests that ended. */
let reported = new WeakSet<object>();

/** mocha's id property of serialized runnables and suites. */
const ID = '__mocha_id__';
let serializer: typeof import('mocha/lib/nodejs/serializer.js') | undefined;
/** The test or hook that runs now: a timeout it sets is told to the parent. */
let running: object | undefined;

/**
 * Tell the parent when the running test or hook changes its own timeout
 * (`this.timeout(ms)` in its body): the parent's hang deadline follows it,
 * as mocha's own timer does. Done once per runner, on mocha's prototype.
 * @param Runnable - mocha's Runnable class.
 */
function followTimeouts(Runnable: { prototype: Record<string, unknown> }): void {
  const proto = Runnable.prototype;
  if (proto['__rxpulsarTimeouts'] === true) return;
  proto['__rxpulsarTimeouts'] = true;
  const original = proto['timeout'] as (this: object, ...args: unknown[]) => unknown;
  proto['timeout'] = function (this: object, ...args: unknown[]): unknown {
    const result = original.apply(this, args);
    if (args.length > 0 && this === running) {
      sink?.({ name: 'timeout', timeout: original.call(this) as number });
    }
    return result;
  };
}

/** Serialize a runnable and an error with mocha's serializer (as mocha's parallel mode does). */
function serialized(
  name: string,
  value: unknown,
  err?: unknown,
): { data?: unknown; error?: unknown } {
  const { SerializableEvent } = serializer!;
  const ev = SerializableEvent.create(name, value ?? undefined, err).serialize();
  return { data: ev.data, error: ev.error };
}

/**
 * Own properties of an error that are not enumerable (an AssertionError's
 * `name`) are made enumerable, so that the serializer keeps them: reporters
 * (json) list an error's own properties.
 */
function exposeOwn(err: unknown): void {
  if (typeof err !== 'object' || err === null) return;
  // A class's name (TypeError) is inherited, not own: it travels aside.
  const { name } = err as { name?: unknown };
  if (!Object.hasOwn(err, 'name') && typeof name === 'string' && name !== 'Error') {
    (err as Record<string, unknown>)[ERROR_CLASS] = name;
  }
  for (const key of Object.getOwnPropertyNames(err)) {
    if (key === 'stack' || key === 'message') continue;
    const desc = Object.getOwnPropertyDescriptor(err, key);
    if (desc?.enumerable === false && desc.configurable === true && 'value' in desc) {
      Object.defineProperty(err, key, { ...desc, enumerable: true });
    }
  }
}

interface Member {
  type?: string;
  body?: string;
  file?: string;
  pending?: boolean;
  timedOut?: boolean;
  context?: unknown;
  _timeout?: number;
}

/**
 * A runnable or suite serialized, with what mocha's serializer leaves out
 * and reporters of the suite tree read: a hook's body, a suite's file and
 * timeout, a runnable's `pending` and `timedOut`, a test's `context`
 * (mochawesome's `addContext`).
 */
function described(value: Member | undefined, data: unknown): unknown {
  if (value === undefined || typeof data !== 'object' || data === null) return data;
  const out = data as Record<string, unknown>;
  if (value.type === undefined) {
    if (typeof value.file === 'string') out['file'] = value.file;
    out['_timeout'] = value._timeout;
    return out;
  }
  if (value.type === 'hook' && typeof value.body === 'string') out['body'] = value.body;
  out['pending'] = value.pending;
  out['timedOut'] = value.timedOut;
  if (value.context !== undefined) out['context'] = JSON.parse(JSON.stringify(value.context));
  return out;
}

/**
 * A suite's lists, each runnable serialized: the parent's suite tree gets
 * them at `suite end`. What the parent heard of already goes as its id
 * only; a child suite that never began comes whole.
 * @param suite - the suite that ends.
 * @param reported - the suites that began and the tests that ended.
 */
function members(suite: Record<string, Member[]>, reported: WeakSet<object>): SuiteMembers {
  const one = (r: Member): unknown =>
    reported.has(r)
      ? { [ID]: (r as { id?: string }).id }
      : described(r, serialized('member', r).data);
  const list = (key: string): unknown[] => (suite[key] ?? []).map(one);
  return {
    suites: (suite['suites'] ?? []).map((child) => {
      if (reported.has(child)) return { data: one(child) };
      return { data: one(child), members: members(child as Record<string, Member[]>, reported) };
    }),
    tests: list('tests'),
    _beforeAll: list('_beforeAll'),
    _beforeEach: list('_beforeEach'),
    _afterEach: list('_afterEach'),
    _afterAll: list('_afterAll'),
  };
}

/** The reporter of a worker's mocha: every runner event goes to the sink at once. */
class StreamReporter {
  constructor(runner: NodeJS.EventEmitter) {
    for (const name of RUNNER_EVENTS) {
      runner.on(name, (runnable: Member, err: unknown) => {
        // A hook is sent whole at its suite's end (mocha titles it again then).
        if (name === 'suite' || name === 'test end') reported.add(runnable);
        if (name === 'test' || name === 'hook') running = runnable;
        else if (name === 'hook end') running = undefined;
        else if (name === 'test end' && running === runnable) running = undefined;
        exposeOwn(err);
        const timeout = (runnable as { timeout?: () => number }).timeout?.();
        const { data, error } = serialized(name, runnable, err);
        const event: WireEvent = { name, data: described(runnable, data), error, timeout };
        if (name === 'suite end') {
          event.members = members(runnable as Record<string, Member[]>, reported);
        }
        sink?.(event);
      });
    }
  }
}

/**
 * Runs the jobs of one worker, one at a time.
 *
 * @example
 * ```ts
 * const runner = new SpecFileRunner();
 * await runner.run(job, (event) => queue.push(event));
 * ```
 */
export class SpecFileRunner {
  private rootHooks: unknown;
  private booted = false;
  private readonly loaded = new Map<string, number>();
  private current: { abort(): unknown } | undefined;
  private aborted = false;

  /**
   * Run (or, for a dry job, load) a spec file.
   * @param job - the file and mocha's options.
   * @param emit - receives each event, in mocha's order, ending with `file end`.
   */
  async run(job: FileJob, emit: Emit): Promise<void> {
    this.aborted = false;
    serializer ??= await import('mocha/lib/nodejs/serializer.js');
    const restore = captureOutput(emit);
    sink = emit;
    try {
      await this.runCaptured(job, emit);
    } catch (err) {
      emit({ name: 'load error', ...serialized('fail', undefined, err) });
      emit({ name: 'file end', failures: 1 });
    } finally {
      sink = undefined;
      this.current = undefined;
      restore();
    }
  }

  /** Stop the file being run after its current test (mocha's `runner.abort()`). */
  abort(): void {
    this.aborted = true;
    this.current?.abort();
  }

  private async loadFiles(mocha: Mocha, files: string[]): Promise<void> {
    const { requireOrImport } = requireMocha('mocha/lib/nodejs/esm-utils.cjs');
    const Mocha = mocha.constructor as unknown as { unloadFile(file: string): void };
    const suite = mocha.suite;
    (mocha as unknown as { lazyLoadFiles(on: boolean): void }).lazyLoadFiles(true);
    for (const file of files) {
      const times = this.loaded.get(file) ?? 0;
      this.loaded.set(file, times + 1);
      suite.emit('pre-require', globalThis, file, mocha);
      let exports: unknown;
      if (times === 0) {
        exports = await requireOrImport(file);
      } else {
        // The module caches keep the first load: a new URL evaluates it again.
        Mocha.unloadFile(file);
        exports = await import(`${pathToFileURL(file).href}?rxpulsar-load=${times}`);
      }
      suite.emit('require', exports, file, mocha);
      suite.emit('post-require', globalThis, file, mocha);
    }
  }

  private async boot(options: Record<string, unknown>): Promise<void> {
    if (this.booted) return;
    const requires = options['require'] as string[] | undefined;
    // No --require: mocha's helpers (its file lookup, its plugin loader) are not loaded.
    if (requires !== undefined && requires.length > 0) {
      const helpers = requireMocha('mocha/lib/cli/run-helpers.cjs');
      // Global fixtures run once, in the arbiter; root hooks run in every worker.
      const plugins = await helpers.handleRequires(requires, {
        ignoredPlugins: ['mochaGlobalSetup', 'mochaGlobalTeardown'],
      });
      this.rootHooks = plugins['rootHooks'];
    }
    this.booted = true;
  }

  private async runCaptured(job: FileJob, emit: Emit): Promise<void> {
    const Mocha = requireMocha('mocha/lib/mocha.cjs');
    followTimeouts(Mocha.Runnable as unknown as { prototype: Record<string, unknown> });
    await this.boot(job.options);
    const options: Record<string, unknown> = {
      ui: 'bdd',
      ...job.options,
      reporter: StreamReporter,
      rootHooks: this.rootHooks,
      parallel: false,
      isWorker: true,
    };
    for (const key of ['require', 'globalSetup', 'globalTeardown', 'spec', 'file', 'jobs']) {
      delete options[key];
    }
    const mocha = new Mocha(options);
    reported = new WeakSet<object>();
    const files = [...job.setupFiles, job.file];
    for (const file of files) mocha.addFile(file);
    // A file loaded before in this worker (a dry pass, a --file file) is loaded afresh.
    await this.loadFiles(mocha, files);
    if (job.dry) {
      emit({
        name: 'file end',
        hasOnly: (mocha.suite as unknown as { hasOnly(): boolean }).hasOnly(),
        failures: 0,
      });
      return;
    }
    const before = processListeners();
    const failures = await new Promise<number>((resolve) => {
      const runner = mocha.run(resolve);
      this.current = runner;
      if (this.aborted) runner.abort();
    });
    // Nothing of the file ran (--grep): its tree still goes to the parent's.
    if (!reported.has(mocha.suite)) {
      const root = mocha.suite as unknown as Record<string, Member[]>;
      const { data } = serialized('suite end', root);
      emit({ name: 'suite end', data: described(root, data), members: members(root, reported) });
    }
    // The runner leaves its process listeners behind: remove what it added.
    for (const [event, listeners] of processListeners()) {
      for (const listener of listeners) {
        if (!before.get(event)?.includes(listener)) process.removeListener(event, listener);
      }
    }
    emit({ name: 'file end', failures });
  }
}

function processListeners(): Map<'uncaughtException' | 'unhandledRejection', Listener[]> {
  return new Map([
    ['uncaughtException', process.listeners('uncaughtException') as Listener[]],
    ['unhandledRejection', process.listeners('unhandledRejection') as Listener[]],
  ]);
}

/**
 * Send what the file writes to stdout and stderr along with its events, so
 * that the arbiter prints it with the test that wrote it.
 * @param emit - the event sink.
 * @returns a function that restores the streams.
 */
function captureOutput(emit: Emit): () => void {
  const streams = [
    [process.stdout, 'stdout'],
    [process.stderr, 'stderr'],
  ] as const;
  const originals = streams.map(([stream]) => stream.write.bind(stream));
  for (const [stream, name] of streams) {
    stream.write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
      emit({ name: 'output', stream: name, text });
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') later(() => (done as () => void)());
      return true;
    };
  }
  return () => {
    streams.forEach(([stream], i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  };
}

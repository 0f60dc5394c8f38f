/**
 * The RxJS pieces rxpulsar uses, each loaded from its own module.
 *
 * The `rxjs` entry point loads all of RxJS (some 400 modules) and, imported
 * from an ES module, makes Node analyse its CommonJS build for named exports:
 * about 70 ms at every actor's start on a 2-core machine. Loaded one by one
 * into `require`'s cache (see `direct()`), these few modules take a few
 * milliseconds. They are the very same classes as the ones `rxjs` exports
 * (the same files of RxJS's CommonJS build, under the same cache keys), so
 * users mix them freely. RxJS is pinned to an exact
 * version, which keeps these paths valid. Library code imports RxJS values
 * from here; a lint rule says so.
 * @module
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { runModule } from './modulePack.js';

const require = createRequire(import.meta.url);
/**
 * The folder of RxJS's CommonJS modules, found where `require` would look
 * for the package: resolving `rxjs/internal/...` through the package's
 * `exports` costs a fresh process or thread ~2 ms for the first (the
 * resolver's own start) and more for each next one. The files are the ones
 * `rxjs` itself loads, so the classes are the same.
 */
function rxjsInternal(): string {
  for (const dir of require.resolve.paths('rxjs') ?? []) {
    // The first copy found is the one `require('rxjs')` loads: another
    // layout (not RxJS 7's) is left to the resolver.
    if (!existsSync(`${dir}/rxjs/package.json`)) continue;
    const folder = `${dir}/rxjs/dist/cjs/internal/`;
    if (existsSync(`${folder}Subject.js`)) return folder;
    break;
  }
  return require.resolve('rxjs/internal/Subject').slice(0, -'Subject.js'.length);
}

const FLAGS = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
/**
 * Node's loader does more than find, compile and run a file when one of
 * these is on, so it loads RxJS itself: it keys its cache by the unresolved
 * path (`--preserve-symlinks`), checks each file's integrity (a policy),
 * maps stack frames through source maps, or runs a hook a flag installed
 * (`-r`, `--import`, `--loader`: coverage, mocks, APM, transpilers).
 */
const NODE_LOADS =
  /--preserve-symlinks(?!-)|--experimental-policy|--policy-integrity|(?:^|\s)(?:-r|--require|--import|--loader|--experimental-loader)(?:[\s=]|$)/.test(
    FLAGS,
  ) ||
  process.env.NODE_PRESERVE_SYMLINKS === '1' ||
  process.sourceMapsEnabled;

/** Node's own (undocumented, stable since Node 0.x) helper for `module.paths`. */
interface NodeModulePaths {
  _nodeModulePaths(dir: string): string[];
}

/** `module.paths` of each folder (4 of them), as Node computes it. */
const PATHS = new Map<string, string[]>();
const pathsOf = (dir: string): string[] => {
  let paths = PATHS.get(dir);
  if (paths === undefined) {
    paths = (Module as unknown as NodeModulePaths)._nodeModulePaths(dir);
    PATHS.set(dir, paths);
  }
  return [...paths];
};

/** The modules {@link direct} created (those it may read while not loaded). */
const OURS = new WeakSet<Module>();

/**
 * Load one of RxJS's CommonJS files as `require` would, into the same
 * module cache (`require.cache`, under its real path), but without Node's
 * loader: its relative `require`s (RxJS's own files) are loaded the same
 * way, anything else by Node. A fresh thread or process paid ~3.5 ms of
 * the loader's resolving (`stat`, `realpath`, the package scope of each
 * file) for the 23 files; they compile from this install's code cache
 * (lib/modulePack.ts).
 * A user's `require('rxjs')` then finds these very modules in the cache.
 */
function direct(file: string): unknown {
  const cached = require.cache[file];
  // Node's ES module loader puts an empty module here, not loaded, for each
  // CommonJS file a static import graph names, before it runs the graph:
  // only Node's `require` fills it in. One being loaded by `direct()` (a
  // cycle) gives its exports so far, as Node's would.
  if (cached !== undefined) return cached.loaded || OURS.has(cached) ? cached.exports : undefined;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined; // not a file of RxJS: Node's loader resolves it
  }
  const dir = dirname(file);
  const module = new Module(file);
  module.filename = file;
  module.paths = pathsOf(dir);
  require.cache[file] = module;
  OURS.add(module);
  let fallback: NodeJS.Require | undefined;
  const requireIn = (id: string): unknown =>
    (id.startsWith('.') ? direct(`${join(dir, id)}.js`) : undefined) ??
    (fallback ??= createRequire(file))(id);
  try {
    runModule('rxjs', DIRECT ?? dir, module, source, requireIn);
  } catch (err) {
    delete require.cache[file]; // as Node's loader does
    throw err;
  }
  module.loaded = true;
  return module.exports;
}

const INTERNAL = rxjsInternal();
/**
 * RxJS 7's folder found by {@link rxjsInternal}'s fast path, by its real
 * path (the key of Node's module cache), for {@link direct}; otherwise
 * (another layout, or one of the flags of {@link NODE_LOADS}) Node's loader
 * does it.
 */
const DIRECT =
  NODE_LOADS || !INTERNAL.replaceAll(sep, '/').endsWith('/rxjs/dist/cjs/internal/')
    ? undefined
    : realpathSync(INTERNAL);
const load = <T>(path: string): T =>
  ((DIRECT === undefined ? undefined : direct(resolve(DIRECT, `${path}.js`))) ??
    require(`${INTERNAL}${path}.js`)) as T;

export const { AsyncSubject } = load<typeof import('rxjs/internal/AsyncSubject')>('AsyncSubject');
export const { firstValueFrom } =
  load<typeof import('rxjs/internal/firstValueFrom')>('firstValueFrom');
export const { Observable } = load<typeof import('rxjs/internal/Observable')>('Observable');
export const { ReplaySubject } =
  load<typeof import('rxjs/internal/ReplaySubject')>('ReplaySubject');
export const { Subject } = load<typeof import('rxjs/internal/Subject')>('Subject');
export const { Subscription } = load<typeof import('rxjs/internal/Subscription')>('Subscription');
export const { UnsubscriptionError } = load<
  typeof import('rxjs/internal/util/UnsubscriptionError')
>('util/UnsubscriptionError');

// The classes are types too.
export type AsyncSubject<T> = import('rxjs').AsyncSubject<T>;
export type Observable<T> = import('rxjs').Observable<T>;
export type ReplaySubject<T> = import('rxjs').ReplaySubject<T>;
export type Subject<T> = import('rxjs').Subject<T>;
export type Subscription = import('rxjs').Subscription;
export type UnsubscriptionError = import('rxjs').UnsubscriptionError;

/** `rxjs`'s `fromEvent`, loaded on first use. */
export const fromEvent: typeof import('rxjs').fromEvent = (...args: unknown[]) =>
  (
    load<typeof import('rxjs/internal/observable/fromEvent')>('observable/fromEvent').fromEvent as (
      ...a: unknown[]
    ) => never
  )(...args);

/** `rxjs`'s `interval`, loaded on first use. */
export const interval: typeof import('rxjs').interval = (...args) =>
  load<typeof import('rxjs/internal/observable/interval')>('observable/interval').interval(...args);

/** `rxjs`'s `timer`, loaded on first use. */
export const timer = ((...args: unknown[]) =>
  (
    load<typeof import('rxjs/internal/observable/timer')>('observable/timer').timer as (
      ...a: unknown[]
    ) => never
  )(...args)) as typeof import('rxjs').timer;

/** `rxjs`'s `takeUntil`, loaded on first use. */
export const takeUntil: typeof import('rxjs').takeUntil = (notifier) =>
  load<typeof import('rxjs/internal/operators/takeUntil')>('operators/takeUntil').takeUntil(
    notifier,
  );

/** `rxjs`'s `tap`, loaded on first use. */
export const tap = ((...args: unknown[]) =>
  (
    load<typeof import('rxjs/internal/operators/tap')>('operators/tap').tap as (
      ...a: unknown[]
    ) => never
  )(...args)) as typeof import('rxjs').tap;

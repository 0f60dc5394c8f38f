/**
 * The RxJS pieces rxpulsar uses, each loaded from its own module.
 *
 * The `rxjs` entry point loads all of RxJS (some 400 modules) and, imported
 * from an ES module, makes Node analyse its CommonJS build for named exports:
 * about 70 ms at every actor's start on a 2-core machine. Loaded with
 * `require`, these few modules take a few milliseconds. They are the very
 * same classes as the ones `rxjs` exports (Node resolves both to RxJS's
 * CommonJS build), so users mix them freely. RxJS is pinned to an exact
 * version, which keeps these paths valid. Library code imports RxJS values
 * from here; a lint rule says so.
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

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

const INTERNAL = rxjsInternal();
const load = <T>(path: string): T => require(`${INTERNAL}${path}.js`) as T;

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

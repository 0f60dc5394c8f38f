/**
 * Helpers of the IOLoop's Observable factories: binding to the loop's
 * lifetime, and process signals as an Observable.
 * @module
 */
import { Observable, takeUntil, tap } from '../rx.js';

/**
 * `source` until `closed$` emits (at once when it already has), calling
 * `onValue` before each value goes downstream.
 *
 * @param source - the Observable to bind.
 * @param closed$ - emits once when the loop stops (an `AsyncSubject` replays it).
 * @param onValue - called for each value, before the subscriber sees it.
 * @returns the bound Observable: it completes when the loop stops.
 * @example
 * ```ts
 * const bound = bindToLoop(interval(10), closed$, () => count++);
 * ```
 */
export function bindToLoop<T>(
  source: Observable<T>,
  closed$: Observable<void>,
  onValue?: () => void,
): Observable<T> {
  const counted = onValue === undefined ? source : source.pipe(tap(() => onValue()));
  return counted.pipe(takeUntil(closed$));
}

/**
 * The process signal `name`: subscribing adds a `process` listener,
 * unsubscribing removes it.
 *
 * @param name - the signal, such as `'SIGTERM'`.
 * @returns an Observable emitting the signal's name each time it arrives.
 * @example
 * ```ts
 * signalEvents('SIGHUP').subscribe(() => reload());
 * ```
 */
export function signalEvents(name: NodeJS.Signals): Observable<NodeJS.Signals> {
  return new Observable<NodeJS.Signals>((subscriber) => {
    const listener = (signal: NodeJS.Signals): void => subscriber.next(signal);
    process.on(name, listener);
    return () => {
      process.off(name, listener);
    };
  });
}

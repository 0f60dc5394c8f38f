/**
 * Turn any value into a Deferred.
 * @module
 */
import { Deferred } from './Deferred.js';
import { isAsync } from './isAsync.js';

/**
 * A Deferred for `value`: a Deferred is returned as it is; a thenable gives
 * a Deferred fired when it settles (a fulfilment with an `Error` takes the
 * error path, as with `callback`); an `Error` gives a Deferred already on the
 * error path; any other value a Deferred already fired with it.
 *
 * @example
 * ```ts
 * makeAsync(42).addCallback((n) => n + 1);
 * makeAsync(fetch(url)).addCallback((res) => res.json());
 * ```
 * @param value - a plain value, an `Error`, a thenable or a Deferred.
 * @returns a Deferred of the value.
 */
export function makeAsync<T>(value: T): Deferred<Awaited<T>> {
  if (value instanceof Deferred) return value as Deferred<Awaited<T>>;
  const d = new Deferred<Awaited<T>>();
  if (isAsync(value)) {
    const settle = (result: unknown, failed: boolean): void => {
      if (d.called) return; // cancelled meanwhile
      if (failed) d.errback(result);
      else d.callback(result as Awaited<T>);
    };
    try {
      value.then(
        (result) => settle(result, false),
        (reason) => settle(reason, true),
      );
    } catch (err) {
      d.errback(err);
    }
  } else if (value instanceof Error) {
    d.errback(value);
  } else {
    d.callback(value as Awaited<T>);
  }
  return d;
}

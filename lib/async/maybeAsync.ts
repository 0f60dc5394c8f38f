/**
 * Unwrap values that are already there.
 * @module
 */
import { Deferred } from './Deferred.js';
import { isAsync } from './isAsync.js';
import { makeAsync } from './makeAsync.js';

/**
 * The value itself when it is already settled, otherwise a Deferred of it.
 * A value that is not asynchronous (an `Error` included) is returned as it
 * is; a Deferred fired with success and not paused gives its current result;
 * a Deferred that failed, is paused or not fired is returned as it is (so an
 * error is never thrown here); any other thenable gives a Deferred (a
 * Promise's state cannot be read synchronously).
 *
 * @example
 * ```ts
 * const v = maybeAsync(cache.get(key) ?? load(key));
 * if (v instanceof Deferred) v.addCallback(render);
 * else render(v);
 * ```
 * @param value - a plain value, a thenable or a Deferred.
 * @returns the settled value, or a Deferred of it.
 */
export function maybeAsync<T>(value: T): Awaited<T> | Deferred<Awaited<T>> {
  if (value instanceof Deferred) {
    const d = value as Deferred<Awaited<T>>;
    if (d.called && d.paused === 0) {
      // At rest, so the watcher runs at once and leaves nothing in the chain.
      const settled: { done: boolean; value?: Awaited<T> } = { done: false };
      d.observe((result) => {
        settled.done = true;
        settled.value = result;
      });
      if (settled.done) return settled.value as Awaited<T>;
    }
    return d;
  }
  if (isAsync(value)) return makeAsync(value);
  return value as Awaited<T>;
}

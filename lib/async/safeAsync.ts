/**
 * Call a function without letting it throw.
 * @module
 */
import { Deferred } from './Deferred.js';
import { makeAsync } from './makeAsync.js';

/**
 * Call `fn(...args)` and give its outcome as a Deferred; never throws. A
 * thrown error gives a Deferred on the error path; a returned thenable is
 * followed; any other return value is handled as by {@link makeAsync}.
 *
 * @example
 * ```ts
 * safeAsync(JSON.parse, text).addCallbacks(use, (err) => log.warn(err));
 * ```
 * @param fn - the function to call.
 * @param args - its arguments.
 * @returns a Deferred of the result or of the error.
 */
export function safeAsync<A extends unknown[], R>(
  fn: (...args: A) => R,
  ...args: A
): Deferred<Awaited<R>> {
  let result: R;
  try {
    result = fn(...args);
  } catch (err) {
    const failed = new Deferred<Awaited<R>>();
    failed.errback(err);
    return failed;
  }
  return makeAsync(result);
}

/**
 * Run user callbacks so that one failure is logged and never stops the loop.
 * @module
 */
import type winston from 'winston';
import { isAsync } from '../async/isAsync.js';

/**
 * A readable one-line description of a thrown value.
 *
 * @param err - anything thrown or rejected.
 * @returns the error's name and message, or the value as a string.
 * @example
 * ```ts
 * describeError(new TypeError('bad')); // 'TypeError: bad'
 * ```
 */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Log `err` at level `error` with `what` failed, its description and stack.
 *
 * @param logger - the logger written to.
 * @param what - what failed, such as `'timeout callback'`.
 * @param err - the thrown or rejected value.
 * @example
 * ```ts
 * logFailure(logger, 'task', new Error('boom')); // error: task failed: Error: boom
 * ```
 */
export function logFailure(logger: winston.Logger, what: string, err: unknown): void {
  const stack = err instanceof Error ? err.stack : undefined;
  logger.error(`${what} failed: ${describeError(err)}`, stack === undefined ? {} : { stack });
}

/**
 * Call `fn(...args)`; log what it throws, or what the thenable it returns
 * rejects with, instead of letting it escape.
 *
 * @param logger - where failures are logged.
 * @param what - what is being run, for the log line.
 * @param fn - the user callback.
 * @param args - its arguments.
 * @returns the callback's result, or `undefined` when it threw.
 * @example
 * ```ts
 * runGuarded(logger, 'timeout callback', cb);
 * ```
 */
export function runGuarded<A extends unknown[]>(
  logger: winston.Logger,
  what: string,
  fn: (...args: A) => unknown,
  ...args: A
): unknown {
  try {
    const result = fn(...args);
    if (isAsync(result)) {
      result.then(undefined, (err: unknown) => logFailure(logger, what, err));
    }
    return result;
  } catch (err) {
    logFailure(logger, what, err);
    return undefined;
  }
}

/**
 * Tell asynchronous values (thenables, Deferreds) from plain ones.
 * @module
 */

/**
 * Whether `value` is asynchronous: a thenable (an object or function with a
 * callable `then`), which includes every {@link Deferred} and native Promise.
 *
 * @example
 * ```ts
 * isAsync(Promise.resolve(1)); // true
 * isAsync(new Deferred());     // true
 * isAsync(42);                 // false
 * ```
 * @param value - any value.
 * @returns `true` when `value` can be awaited for a later result.
 */
export function isAsync(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

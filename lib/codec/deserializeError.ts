import { TAG } from './constants.js';
import { decode } from './decode.js';
import type { SerializedError } from './SerializedError.js';

/**
 * Rebuilds an error from its {@link SerializedError} form.
 *
 * The class is chosen in this order: the class of `errorRegistry` for its
 * `code` (a `TimeoutError` stays a `TimeoutError`), the built-in error of its
 * `name` (`Error`, `TypeError`, `RangeError`, `SyntaxError`,
 * `ReferenceError`, `EvalError`, `URIError`), else a `RemoteError` whose
 * `name` is the remote name. The remote `stack`, `code` and `cause`
 * (recursively) are kept, and `data` comes back as own properties.
 *
 * @example
 * ```ts
 * const err = deserializeError({ name: 'TimeoutError', code: 'RXP_ERR_TIMEOUT', message: 'late' });
 * err instanceof TimeoutError; // → true
 * ```
 * @param s - the serialized error.
 * @returns The rebuilt error.
 * @throws EncodingError when `s` is not a serialized error.
 */
export function deserializeError(s: SerializedError): Error {
  return decode({ ...s, [TAG]: 'error' }) as Error;
}

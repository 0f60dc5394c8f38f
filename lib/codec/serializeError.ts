import { types } from 'node:util';
import { encode } from './encode.js';
import type { SerializedError } from './SerializedError.js';

// The usual companions, importable from here too (their homes are their own files).
export { deserializeError } from './deserializeError.js';
export type { SerializedError } from './SerializedError.js';

/**
 * Serializes a thrown value into a JSON-safe {@link SerializedError}:
 * `{ name, message, code?, stack?, cause?, causeValue?, data? }`.
 *
 * Never throws: an error must be able to report a failure. Properties that
 * cannot be encoded become `"[unencodable: <why>]"` strings, and a cause chain
 * that loops back stops with such a string. A thrown value that is not an
 * `Error` becomes an `Error` whose `message` is the string (or a description
 * of the value) and whose `data.thrown` holds the value, encoded.
 *
 * @example
 * ```ts
 * serializeError(new TimeoutError('no handshake'));
 * // → { name: 'TimeoutError', code: 'RXP_ERR_TIMEOUT', message: 'no handshake', stack: '…' }
 * ```
 * @param err - what was thrown.
 * @returns Its serialized form.
 */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error || types.isNativeError(err)) {
    const { $rxp: _tag, ...serialized } = encode(err) as SerializedError & { $rxp: string };
    return serialized;
  }
  if (typeof err === 'string') return { name: 'Error', message: err };
  let thrown: unknown;
  try {
    thrown = encode(err);
  } catch (failure) {
    thrown = `[unencodable: ${(failure as Error).message}]`;
  }
  return {
    name: 'Error',
    message: `a non-error value was thrown: ${describe(err)}`,
    data: { thrown },
  };
}

function describe(value: unknown): string {
  try {
    if (typeof value === 'object' && value !== null)
      return JSON.stringify(value) ?? Object.prototype.toString.call(value);
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

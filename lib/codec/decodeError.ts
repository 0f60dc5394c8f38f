import { errorRegistry, RemoteError } from '../errors.js';
import { CodecFailure } from './CodecFailure.js';
import { MAX_DEPTH } from './constants.js';

/**
 * Decodes a value found inside a serialized error (the walk of {@link decode}).
 *
 * @example
 * ```ts
 * const child: DecodeChild = (value) => decode(value);
 * ```
 */
export type DecodeChild = (value: unknown, depth: number) => unknown;

type ErrorClass = new (message: string, options?: { cause?: unknown }) => Error;

/** JavaScript's own error classes, rebuilt as themselves. */
const BUILT_IN: ReadonlyMap<string, ErrorClass> = new Map<string, ErrorClass>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
]);

/**
 * Internal: rebuilds an error from its serialized form, for {@link decode} and
 * {@link deserializeError}.
 *
 * The class is the one of `errorRegistry` for its `code`, else the built-in
 * error of that `name`, else `RemoteError` renamed to the remote `name`. The
 * remote `stack`, `code` and `cause` (recursively) are kept; `data` comes back
 * as own enumerable properties.
 *
 * @example
 * ```ts
 * decodeError({ name: 'TimeoutError', code: 'RXP_ERR_TIMEOUT', message: 'late' }, walk, 0);
 * // → a TimeoutError
 * ```
 * @param s - the serialized error (a `$rxp: 'error'` tag is fine: the tag is ignored).
 * @param decodeChild - decodes `data` values and `causeValue`.
 * @param depth - the nesting depth of the error in the decoded value.
 * @returns The rebuilt error.
 * @throws CodecFailure when `s` is not a serialized error.
 */
export function decodeError(
  s: Record<string, unknown>,
  decodeChild: DecodeChild,
  depth: number,
): Error {
  if (depth >= MAX_DEPTH) throw new CodecFailure(() => '', true);
  const { name, message, code, stack, cause, data } = s;
  if (typeof name !== 'string' || typeof message !== 'string') {
    throw malformed('it needs a string name and a string message');
  }
  if (code !== undefined && typeof code !== 'string') throw malformed('its code is not a string');
  if (stack !== undefined && typeof stack !== 'string')
    throw malformed('its stack is not a string');
  let options: { cause: unknown } | undefined;
  if (cause !== undefined) {
    if (typeof cause !== 'object' || cause === null) throw malformed('its cause is not an error');
    try {
      options = { cause: decodeError(cause as Record<string, unknown>, decodeChild, depth + 1) };
    } catch (err) {
      throw CodecFailure.at(err, 'cause', s);
    }
  } else if (Object.hasOwn(s, 'causeValue')) {
    try {
      options = { cause: decodeChild(s['causeValue'], depth + 1) };
    } catch (err) {
      throw CodecFailure.at(err, 'cause', s);
    }
  }
  const err = build(name, message, code, options);
  if (err.name !== name) err.name = name;
  if (code !== undefined && (err as { code?: unknown }).code !== code) define(err, 'code', code);
  if (stack !== undefined) define(err, 'stack', stack, false);
  if (data !== undefined) {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw malformed('its data is not an object');
    }
    let key = '';
    try {
      for (key of Object.keys(data)) {
        define(err, key, decodeChild((data as Record<string, unknown>)[key], depth + 1));
      }
    } catch (failure) {
      throw CodecFailure.at(failure, key, s);
    }
  }
  return err;
}

function build(
  name: string,
  message: string,
  code: string | undefined,
  options: { cause: unknown } | undefined,
): Error {
  const registered = code !== undefined && Object.hasOwn(errorRegistry, code);
  const Cls: ErrorClass = (registered ? errorRegistry[code] : BUILT_IN.get(name)) ?? RemoteError;
  return new Cls(message, options);
}

/** Sets an own property (enumerable unless told), even `__proto__`. */
function define(target: Error, key: string, value: unknown, enumerable = true): void {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
}

function malformed(why: string): CodecFailure {
  return new CodecFailure((at) => `cannot decode the error at ${at}: ${why}`);
}

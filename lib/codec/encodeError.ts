import { CodecFailure } from './CodecFailure.js';
import { MAX_DEPTH } from './constants.js';
import type { SerializedError } from './SerializedError.js';

/**
 * Encodes a value found inside an error (the walk of {@link encode}).
 *
 * @example
 * ```ts
 * const child: EncodeChild = (value) => encode(value);
 * ```
 */
export type EncodeChild = (value: unknown, depth: number) => unknown;

/** Fields of an error that {@link SerializedError} carries by name, not in `data`. */
const FIELDS = new Set(['name', 'message', 'stack', 'code', 'cause']);

/** Errors being serialized right now, to stop cycles through causes and data. */
const active = new Set<Error>();

/**
 * Internal: serializes an error for {@link encode} and {@link serializeError}.
 *
 * An error always travels, since it is often the reply that reports a
 * failure: a property that cannot be encoded (a socket hung on an HTTP
 * client's error, a cycle back to the error) becomes the string
 * `"[unencodable: <why>]"` instead of failing the whole message.
 *
 * @example
 * ```ts
 * encodeError(new TypeError('bad'), walk, 0); // → { name: 'TypeError', message: 'bad', stack: '…' }
 * ```
 * @param err - the error.
 * @param encodeChild - encodes a property value.
 * @param depth - the nesting depth of the error in the value being encoded.
 * @returns The serialized error; its `data` and `causeValue` are already encoded.
 */
export function encodeError(err: Error, encodeChild: EncodeChild, depth: number): SerializedError {
  if (active.has(err))
    throw new CodecFailure((at) => `cannot encode a circular reference at ${at}`);
  if (depth >= MAX_DEPTH) throw new CodecFailure(() => '', true);
  active.add(err);
  try {
    return serialize(err, encodeChild, depth);
  } finally {
    active.delete(err);
  }
}

function serialize(err: Error, encodeChild: EncodeChild, depth: number): SerializedError {
  const name = read(err, 'name');
  const message = read(err, 'message');
  const out: SerializedError = {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : message == null ? '' : inspect(message),
  };
  const code = read(err, 'code');
  if (typeof code === 'string') out.code = code;
  const stack = read(err, 'stack');
  if (typeof stack === 'string') out.stack = stack;
  if (Object.hasOwn(err, 'cause')) {
    const cause = read(err, 'cause');
    if (cause instanceof Error) {
      try {
        out.cause = encodeError(cause, encodeChild, depth + 1);
      } catch (failure) {
        out.causeValue = unencodable(failure, 'cause', err);
      }
    } else {
      out.causeValue = lenient(cause, 'cause', err, encodeChild, depth);
    }
  }
  const data: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(err)) {
    if (FIELDS.has(key) && (key !== 'code' || typeof code === 'string')) continue;
    define(data, key, lenient(read(err, key), key, err, encodeChild, depth));
    any = true;
  }
  if (err instanceof AggregateError && !Object.hasOwn(data, 'errors')) {
    data['errors'] = lenient(read(err, 'errors'), 'errors', err, encodeChild, depth);
    any = true;
  }
  if (any) out.data = data;
  return out;
}

/** A short description of a non-string message. */
function inspect(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return Object.prototype.toString.call(value);
}

/** Reads a property that may be a throwing getter. */
function read(err: Error, key: string): unknown {
  try {
    return (err as unknown as Record<string, unknown>)[key];
  } catch (thrown) {
    return `[unreadable: ${thrown instanceof Error ? thrown.message : String(thrown)}]`;
  }
}

function lenient(
  value: unknown,
  key: string,
  err: Error,
  encodeChild: EncodeChild,
  depth: number,
): unknown {
  try {
    return encodeChild(value, depth + 1);
  } catch (failure) {
    return unencodable(failure, key, err);
  }
}

function unencodable(failure: unknown, key: string, err: Error): string {
  if (failure instanceof CodecFailure) {
    CodecFailure.at(failure, key, err);
    return `[unencodable: ${failure.toError('encode').message}]`;
  }
  return `[unencodable: ${failure instanceof Error ? failure.message : String(failure)}]`;
}

/** Sets a key, even `__proto__`, as an own enumerable property. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

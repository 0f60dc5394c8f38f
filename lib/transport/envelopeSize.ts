/**
 * The size an envelope would have on the wire, without serializing it: a
 * thread's MessagePort carries envelopes by structured clone, and the limit
 * `maxMessageSize` (in JSON characters) must hold there as on a socket, so
 * that a call fails the same way whatever carries it.
 * @module
 */
import { MessageTooLargeError } from '../errors.js';
import { headerBound, isRequest, type Envelope } from './protocol.js';

/**
 * The length of `JSON.stringify(value)`, escapes of strings not counted:
 * a walk over the nodes of an encoded tree (strings are measured, not
 * copied), far cheaper than serializing a large payload.
 *
 * @param value - a tree made of JSON values (what the codec makes).
 * @returns its JSON length, in characters (escapes aside).
 * @example
 * ```ts
 * jsonSize({ a: [1, 'xy'] }); // 14, as JSON.stringify gives '{"a":[1,"xy"]}'
 * ```
 */
export function jsonSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'object': {
      if (value === null) return 4;
      // Binary mode: the bytes would travel as base64 on a socket.
      if (value instanceof ArrayBuffer) return 4 * Math.ceil(value.byteLength / 3) + 2;
      if (Array.isArray(value)) {
        let size = value.length > 0 ? value.length + 1 : 2;
        for (const item of value) size += item === undefined ? 4 : jsonSize(item);
        return size;
      }
      let size = 1;
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === 'function') continue;
        size += key.length + 4 + jsonSize(item);
      }
      return size === 1 ? 2 : size;
    }
    default:
      return 0;
  }
}

/**
 * Refuse an envelope that would make a frame over `maxSize`, as the
 * socket's `WireWriter` does (same bound, same error, same message).
 *
 * @param env - the envelope about to be sent.
 * @param maxSize - the largest frame, in characters.
 * @param payload - the size of its payload as JSON, escapes aside, when the
 *   caller measured it already (default: walked here with {@link jsonSize}).
 * @returns the frame's size as measured, in characters; 0 when `maxSize` is
 *   `Infinity` (nothing is measured then).
 * @throws MessageTooLargeError when it is over.
 * @example
 * ```ts
 * checkEnvelopeSize(env, 64 << 20); // 1043 for a request carrying a 1 KB string
 * ```
 */
export function checkEnvelopeSize(env: Envelope, maxSize: number, payload?: number): number {
  if (maxSize === Infinity) return 0;
  const size = headerBound(env) + (payload ?? payloadSize(env));
  if (size <= maxSize) return size;
  const what = isRequest(env) ? `request "${env.cmd}"` : 'reply';
  throw new MessageTooLargeError(
    `${what} to ${env.to} makes a frame of ${size} characters, over maxMessageSize (${maxSize})`,
  );
}

/** {@link jsonSize} of what a socket frame carries in JSON (see `WireWriter`). */
function payloadSize(env: Envelope): number {
  if (isRequest(env)) return jsonSize(env.args);
  if (env.ok) return env.value === undefined ? 0 : jsonSize(env.value);
  return jsonSize(env.error ?? {});
}

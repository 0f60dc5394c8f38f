/**
 * The size an envelope would have on the wire, without serializing it: a
 * thread's MessagePort carries envelopes by structured clone, and the limit
 * `maxMessageSize` (in JSON characters) must hold there as on a socket, so
 * that a call fails the same way whatever carries it.
 * @module
 */
import { MessageTooLargeError } from '../errors.js';
import { FRAME_OVERHEAD, isRequest, type Envelope } from './protocol.js';

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
 * socket's Outbox does (same error, same message).
 *
 * @param env - the envelope about to be sent.
 * @param maxSize - the largest frame, in characters.
 * @throws MessageTooLargeError when it is over.
 * @example
 * ```ts
 * checkEnvelopeSize(env, 64 << 20);
 * ```
 */
export function checkEnvelopeSize(env: Envelope, maxSize: number): void {
  if (maxSize === Infinity) return;
  // An id has at most 16 digits: below the limit even so, no exact count is needed.
  const size = FRAME_OVERHEAD + envelopeSize(env, 16);
  if (size <= maxSize) return;
  const exact = FRAME_OVERHEAD + envelopeSize(env, String(env.id).length);
  if (exact <= maxSize) return;
  const what = isRequest(env) ? `request "${env.cmd}"` : 'reply';
  throw new MessageTooLargeError(
    `${what} to ${env.to} makes a frame of ${exact} characters, over maxMessageSize (${maxSize})`,
  );
}

/** {@link jsonSize} of an envelope, its fixed fields counted without a walk. */
function envelopeSize(env: Envelope, idLength: number): number {
  // {"id":N,"from":"…","to":"…"  then the rest, and "}"
  const head = 6 + idLength + 10 + env.from.length + 8 + env.to.length + 1;
  if (isRequest(env)) {
    // ,"cmd":"…","args":[…],"ack":true
    return head + 9 + env.cmd.length + 8 + jsonSize(env.args) + 7 + (env.ack ? 4 : 5);
  }
  // ,"ok":true,"value":…  or  ,"ok":false,"error":{…}
  if (env.ok) return head + 10 + (env.value === undefined ? 0 : 9 + jsonSize(env.value));
  return head + 11 + (env.error === undefined ? 0 : 9 + jsonSize(env.error));
}

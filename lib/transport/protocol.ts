/**
 * The envelopes actors exchange, and the wire format of a socket. An
 * envelope is a request (it has `cmd`) or a reply (it has `ok`). Arguments
 * and results are trees made by the codec (`encode`), errors are serialized
 * with their class, code, message and stack. On a socket every envelope is
 * one frame (see `WireWriter` and `WireReader`): a kind character, a short
 * text header (`id,from,to[,cmd],`, with the names as slots of a string
 * table) and only the payload in JSON, ended by {@link DELIMITER}; the
 * frames of a tick leave in one write.
 * @module
 */
import { binaryAsText } from '../codec/binaryAsText.js';
import { serializeError, type SerializedError } from '../codec/serializeError.js';

/**
 * The end of every frame: node-ipc's delimiter. JSON never holds it raw (it
 * writes `\\f`), and no header character is one.
 */
export const DELIMITER = '\f';

/**
 * The first character of a frame, its kind: a request that waits for a
 * reply, one that does not, a reply with a value, a reply with an error,
 * the definition of a string slot, and the token a direct connection
 * between two process actors opens with.
 */
export const KIND = {
  request: 'q',
  tell: 'n',
  reply: 'r',
  error: 'e',
  slot: 's',
  token: 't',
} as const;

/**
 * The first character of a payload that is a string as it is, not JSON (no
 * JSON text starts with it): a request's only argument, a reply's value.
 */
export const RAW = "'";

/**
 * Slots of a connection's string table (per direction): `from`, `to` and
 * `cmd` of an envelope are written as a slot number once defined, not
 * again and again as JSON strings.
 */
export const SLOTS = 256;

/**
 * Longest string kept in a slot, in characters; a longer one is written
 * in place, as a JSON string. So a table holds at most
 * `SLOTS × SLOT_CHARS` characters, whatever a peer sends.
 */
export const SLOT_CHARS = 256;

/** Longest id, in digits (`Number.MAX_SAFE_INTEGER` has 16). */
export const ID_DIGITS = 16;

/**
 * The most characters the frame of an envelope takes on a socket, its
 * payload aside: kind, id (counted at its widest), commas, and each of
 * `from`, `to` (and `cmd`) as a slot number (at most 3 digits) or, when
 * too long for a slot, as a JSON string (escapes not counted).
 *
 * @param env - the envelope.
 * @returns the header's size; the frame is at most this plus its payload's JSON.
 * @example
 * ```ts
 * headerBound({ id: 1, from: 'a', to: 'b', cmd: 'ping', args: [], ack: true }); // 30
 * ```
 */
export function headerBound(env: Envelope): number {
  const refs = refBound(env.from) + refBound(env.to);
  if (isRequest(env)) return 1 + ID_DIGITS + 4 + refs + refBound(env.cmd);
  return 1 + ID_DIGITS + 3 + refs;
}

function refBound(text: string): number {
  return text.length <= SLOT_CHARS ? 3 : text.length + 2;
}

/**
 * The frame a direct connection opens with (see `Introducer`): proof that
 * the peer is the one the arbiter connected.
 *
 * @param token - the arbiter's random token.
 * @returns the frame, delimiter included.
 * @example
 * ```ts
 * socket.write(tokenFrame(token));
 * ```
 */
export function tokenFrame(token: string): string {
  return `${KIND.token}${JSON.stringify(token)}${DELIMITER}`;
}

/**
 * Where an envelope encoded in binary mode keeps the ArrayBuffers it
 * carries (see `EncodeOptions.transfer`): a MessagePort transfers them, a
 * socket writes them in base64 (`binaryAsText()`). Not part of the JSON.
 */
export const TRANSFER: unique symbol = Symbol('rxpulsar.transfer');

/** A request to run `cmd` on actor `to`. */
export interface Request {
  /** Message id, unique per sender. */
  id: number;
  /** Aid of the sender. */
  from: string;
  /** Aid or name of the target. */
  to: string;
  /** The command name. */
  cmd: string;
  /** Encoded arguments. */
  args: unknown[];
  /** `false` when the sender expects no reply. */
  ack: boolean;
  /** The ArrayBuffers of its binary-mode arguments, if any. */
  [TRANSFER]?: ArrayBuffer[];
}

/** The answer to a request: `ok` with an encoded `value`, or an `error`. */
export interface Reply {
  /** Id of the request answered. */
  id: number;
  /** Aid of the actor that answered. */
  from: string;
  /** Aid of the requester. */
  to: string;
  /** `true` for a result, `false` for an error. */
  ok: boolean;
  /** Encoded result when `ok`. */
  value?: unknown;
  /** The error when not `ok`. */
  error?: SerializedError;
  /** The ArrayBuffers of its binary-mode value, if any. */
  [TRANSFER]?: ArrayBuffer[];
}

/** Anything that travels in a batch. */
export type Envelope = Request | Reply;

/** `true` when the envelope is a request. */
export function isRequest(env: Envelope): env is Request {
  return (env as Request).cmd !== undefined;
}

/**
 * Make an envelope JSON-safe for a socket: a binary-mode one gets its bytes
 * in base64 (in place), any other is returned as it is.
 *
 * @param env - the envelope.
 * @returns the same envelope.
 * @example
 * ```ts
 * socket.write(JSON.stringify(asText(env)));
 * ```
 */
export function asText(env: Envelope): Envelope {
  if (env[TRANSFER] === undefined) return env;
  delete env[TRANSFER];
  if (isRequest(env)) binaryAsText(env.args);
  else binaryAsText(env.value);
  return env;
}

/**
 * The error reply to a request, sent on behalf of its target.
 *
 * @param request - the request that failed.
 * @param error - why.
 * @returns the reply envelope.
 */
export function errorReply(request: Pick<Request, 'id' | 'from' | 'to'>, error: Error): Envelope {
  return {
    id: request.id,
    from: request.to,
    to: request.from,
    ok: false,
    error: serializeError(error),
  };
}

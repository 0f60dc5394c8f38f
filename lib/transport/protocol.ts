/**
 * The wire protocol between actors. Every node-ipc frame carries one event,
 * `m`, whose data is a batch: an array of envelopes written in the same
 * tick. An envelope is a request (it has `cmd`) or a reply (it has `ok`).
 * Arguments and results are trees made by the codec (`encode`), errors are
 * serialized with their class, code, message and stack.
 * @module
 */
import { binaryAsText } from '../codec/binaryAsText.js';
import { serializeError, type SerializedError } from '../codec/serializeError.js';

/** The node-ipc event name every batch travels under. */
export const BATCH_EVENT = 'm';

/**
 * One frame on the wire is node-ipc's own format, `{"type":"m","data":[…]}`
 * then its delimiter, byte for byte what `emit('m', batch)` writes, without
 * node-ipc's wrapper object on the hot path.
 */
const FRAME_HEAD = `{"type":"${BATCH_EVENT}","data":[`;
const FRAME_TAIL = ']}';

/** Characters a frame adds around its envelopes (the delimiter not counted). */
export const FRAME_OVERHEAD = FRAME_HEAD.length + FRAME_TAIL.length;

/**
 * A frame made of envelopes already serialized (node-ipc's format).
 *
 * @param parts - the envelopes, each as JSON text.
 * @param delimiter - node-ipc's delimiter (`\f`).
 * @returns the frame; its length without the delimiter is
 *   `FRAME_OVERHEAD + sum of the parts + commas`.
 * @example
 * ```ts
 * frameOf([JSON.stringify(env)], '\f');
 * ```
 */
export function frameOf(parts: string[], delimiter: string): string {
  return `${FRAME_HEAD}${parts.join(',')}${FRAME_TAIL}${delimiter}`;
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Check the shape of one envelope received from the wire.
 *
 * @param value - a decoded JSON value.
 * @returns the reason it is not an envelope, or `undefined` when it is one.
 * @example
 * ```ts
 * invalidEnvelope({ id: 1 }); // 'envelope without from/to'
 * ```
 */
export function invalidEnvelope(value: unknown): string | undefined {
  if (!isRecord(value)) return 'envelope is not an object';
  if (typeof value['id'] !== 'number') return 'envelope without a numeric id';
  if (typeof value['from'] !== 'string' || typeof value['to'] !== 'string') {
    return 'envelope without from/to';
  }
  if ('cmd' in value) {
    if (typeof value['cmd'] !== 'string') return 'request with a non-string cmd';
    if (!Array.isArray(value['args'])) return 'request without an args array';
    if (typeof value['ack'] !== 'boolean') return 'request without an ack flag';
    return undefined;
  }
  if (typeof value['ok'] !== 'boolean') return 'envelope is neither a request nor a reply';
  if (value['ok'] === false && !isRecord(value['error'])) return 'error reply without an error';
  return undefined;
}

/**
 * The error reply to a request, sent on behalf of its target.
 *
 * @param request - the request that failed.
 * @param error - why.
 * @returns the reply envelope.
 */
export function errorReply(request: Request, error: Error): Envelope {
  return {
    id: request.id,
    from: request.to,
    to: request.from,
    ok: false,
    error: serializeError(error),
  };
}

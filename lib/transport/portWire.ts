/**
 * How a batch of envelopes travels on a thread's MessagePort: one flat
 * array, six slots per envelope, instead of an array of objects. Structured
 * clone writes every key of every object; a flat array has none, and
 * clones in about half the time (the hot path of a thread actor).
 *
 * - request: `id, from, to, cmd, args, ack` (slot 3 is a string)
 * - reply:   `id, from, to, ok, value, error` (slot 3 is a boolean)
 *
 * A batch with envelopes encoded in binary mode (their bytes as
 * ArrayBuffers, transferred) ends with one more slot: their indexes, so
 * that the other side knows which ones to turn to text before a socket.
 * @module
 */
import type { SerializedError } from '../codec/SerializedError.js';
import { isRequest, TRANSFER, type Envelope } from './protocol.js';

/** Slots per envelope in a packed batch. */
const SLOTS = 6;

/**
 * Pack a batch for `postMessage`.
 *
 * @param batch - the envelopes.
 * @returns one flat array.
 * @example
 * ```ts
 * port.postMessage(pack([env]));
 * ```
 */
export function pack(batch: Envelope[]): unknown[] {
  const out = new Array<unknown>(batch.length * SLOTS);
  let i = 0;
  let binary: number[] | undefined;
  for (const env of batch) {
    if (env[TRANSFER] !== undefined) (binary ??= []).push(i / SLOTS);
    out[i] = env.id;
    out[i + 1] = env.from;
    out[i + 2] = env.to;
    if (isRequest(env)) {
      out[i + 3] = env.cmd;
      out[i + 4] = env.args;
      out[i + 5] = env.ack;
    } else {
      out[i + 3] = env.ok;
      out[i + 4] = env.value;
      out[i + 5] = env.error;
    }
    i += SLOTS;
  }
  if (binary !== undefined) out.push(binary);
  return out;
}

/**
 * Unpack a batch made by {@link pack}.
 *
 * @param packed - what arrived on the port.
 * @returns the envelopes.
 * @example
 * ```ts
 * port.on('message', (packed) => route(unpack(packed)));
 * ```
 */
export function unpack(packed: unknown[]): Envelope[] {
  const out: Envelope[] = [];
  for (let i = 0; i + SLOTS <= packed.length; i += SLOTS) {
    const id = packed[i] as number;
    const from = packed[i + 1] as string;
    const to = packed[i + 2] as string;
    const head = packed[i + 3];
    if (typeof head === 'string') {
      out.push({ id, from, to, cmd: head, args: packed[i + 4] as unknown[], ack: !!packed[i + 5] });
    } else if (head === true) {
      out.push({ id, from, to, ok: true, value: packed[i + 4] });
    } else {
      out.push({ id, from, to, ok: false, error: packed[i + 5] as SerializedError });
    }
  }
  if (packed.length % SLOTS === 1) {
    for (const index of packed[packed.length - 1] as number[]) {
      const env = out[index];
      if (env !== undefined) env[TRANSFER] = [];
    }
  }
  return out;
}

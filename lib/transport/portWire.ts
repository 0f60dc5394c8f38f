/**
 * How a batch of envelopes travels on a thread's MessagePort: one flat
 * array, six slots per envelope, instead of an array of objects. Structured
 * clone writes every key of every object; a flat array has none, and
 * clones in about half the time (the hot path of a thread actor).
 *
 * - request: `id, from, to, cmd, args, ack` (slot 3 is a string)
 * - reply:   `id, from, to, ok, value, error` (slot 3 is a boolean)
 *
 * A `from` or `to` equal to the one of the envelope before it on the same
 * port (a {@link WireState} on each side) is left out (`undefined`): a
 * channel mostly carries one pair of actors, and every string costs its
 * clone.
 *
 * A batch with envelopes encoded in binary mode (their bytes as
 * ArrayBuffers, transferred) has one more slot: their indexes, so that the
 * other side knows which ones to turn to text before a socket.
 *
 * Every batch ends with two slots of flow control (see `PortLink`): the
 * size of its envelopes as `maxMessageSize` measures them, and how much the
 * sending side has read of what the other side sent it so far.
 * @module
 */
import type { SerializedError } from '../codec/SerializedError.js';
import { isRequest, TRANSFER, type Envelope } from './protocol.js';

/** Slots per envelope in a packed batch. */
const SLOTS = 6;
/** Slots of flow control at the end of a packed batch. */
const FLOW = 2;

/** The flow control a batch carries (see `PortLink`). */
export interface BatchFlow {
  /** The size of its envelopes, as `maxMessageSize` measures them (0: not measured). */
  size: number;
  /** What its sender has read so far of what it was sent, in the same measure. */
  read: number;
}

/**
 * The `from` and `to` of the last envelope packed (on the sending side) or
 * unpacked (on the receiving side) on one port: both sides keep theirs in
 * step, a port delivering batches in order.
 */
export interface WireState {
  from?: string;
  to?: string;
}

/**
 * Pack a batch for `postMessage`.
 *
 * @param batch - the envelopes.
 * @param last - the sending side's state of this port: read and updated.
 * @param flow - its size and what this side has read (default: none of either).
 * @returns one flat array.
 * @example
 * ```ts
 * const sent: WireState = {};
 * port.postMessage(pack([env], sent, { size: 1043, read: 0 }));
 * ```
 */
export function pack(
  batch: Envelope[],
  last: WireState = {},
  flow: BatchFlow = { size: 0, read: 0 },
): unknown[] {
  // Pushed, not written into `new Array(n)`: a holey array is cloned as a
  // sparse one (an index before every slot), a packed one densely.
  const out: unknown[] = [];
  let binary: number[] | undefined;
  for (let n = 0; n < batch.length; n++) {
    const env = batch[n]!;
    if (env[TRANSFER] !== undefined) (binary ??= []).push(n);
    const from = env.from === last.from ? undefined : (last.from = env.from);
    const to = env.to === last.to ? undefined : (last.to = env.to);
    if (isRequest(env)) out.push(env.id, from, to, env.cmd, env.args, env.ack);
    else out.push(env.id, from, to, env.ok, env.value, env.error);
  }
  if (binary !== undefined) out.push(binary);
  out.push(flow.size, flow.read);
  return out;
}

/**
 * @param packed - a batch made by {@link pack}.
 * @returns the flow control it carries.
 * @example
 * ```ts
 * flowOf(pack([env], {}, { size: 1043, read: 20 })); // { size: 1043, read: 20 }
 * ```
 */
export function flowOf(packed: unknown[]): BatchFlow {
  return {
    size: packed[packed.length - 2] as number,
    read: packed[packed.length - 1] as number,
  };
}

/**
 * Unpack a batch made by {@link pack}.
 *
 * @param packed - what arrived on the port.
 * @param last - the receiving side's state of this port: read and updated.
 * @returns the envelopes.
 * @example
 * ```ts
 * const received: WireState = {};
 * port.on('message', (packed) => route(unpack(packed, received)));
 * ```
 */
export function unpack(packed: unknown[], last: WireState = {}): Envelope[] {
  const out: Envelope[] = [];
  const end = packed.length - FLOW;
  for (let i = 0; i + SLOTS <= end; i += SLOTS) {
    const id = packed[i] as number;
    const from = (last.from = (packed[i + 1] as string | undefined) ?? last.from ?? '');
    const to = (last.to = (packed[i + 2] as string | undefined) ?? last.to ?? '');
    const head = packed[i + 3];
    if (typeof head === 'string') {
      out.push({ id, from, to, cmd: head, args: packed[i + 4] as unknown[], ack: !!packed[i + 5] });
    } else if (head === true) {
      out.push({ id, from, to, ok: true, value: packed[i + 4] });
    } else {
      out.push({ id, from, to, ok: false, error: packed[i + 5] as SerializedError });
    }
  }
  if (end % SLOTS === 1) {
    for (const index of packed[end - 1] as number[]) {
      const env = out[index];
      if (env !== undefined) env[TRANSFER] = [];
    }
  }
  return out;
}

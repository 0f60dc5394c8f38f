/**
 * The hub's framing of a connection, in place of node-ipc's data handler.
 * node-ipc 12 buffers without bound until a chunk happens to end with the
 * delimiter, and dispatches whatever event a frame names (a duplicate `type`
 * key can name `__proto__`, `start`, `close`...). The guard splits frames
 * itself, bounds the unfinished one, checks that each is exactly
 * `{"type":"m","data":[...]}` and hands the batch over; node-ipc never sees
 * a byte from the peer.
 * @module
 */
import type { Socket } from 'node:net';
import { FrameReader } from './FrameReader.js';
import { BATCH_EVENT } from './protocol.js';

/** Every frame an rxpulsar client writes starts with these characters. */
const PREFIX = `{"type":"${BATCH_EVENT}","data":[`;

/** What the guard needs to know. */
export interface GuardOptions {
  /** Largest frame accepted, in characters. */
  maxMessageSize: number;
  /**
   * Largest frame accepted before {@link Guard.handshaken} is called, in
   * characters: a peer that has not shaken hands may not make the hub
   * buffer more than this.
   */
  handshakeSize?: number;
  /** node-ipc's frame delimiter. */
  delimiter: string;
  /** Called with the data of every valid frame (an array). */
  onBatch(data: unknown[]): void;
  /** Called once with the reason when the peer breaks the protocol. */
  onViolation(reason: string, cause?: unknown): void;
}

/** A guarded connection. */
export interface Guard {
  /** The peer shook hands: frames up to `maxMessageSize` are accepted from now on. */
  handshaken(): void;
}

/** Every frame ends with these characters (before the delimiter). */
const SUFFIX = ']}';

/**
 * Take over the `data` events of `socket` from node-ipc.
 *
 * @param socket - a connection the hub just accepted.
 * @param options - limits, where batches go, what to do on a violation.
 * @returns the guard: call `handshaken()` to lift the handshake's limit.
 * @example
 * ```ts
 * server.on('connect', (socket) => guardSocket(socket, { maxMessageSize, delimiter: '\f', onBatch, onViolation }));
 * ```
 */
export function guardSocket(socket: Socket, options: GuardOptions): Guard {
  socket.removeAllListeners('data');
  let limit = Math.min(options.handshakeSize ?? Infinity, options.maxMessageSize);
  let before = limit < options.maxMessageSize ? ' before its handshake' : '';
  const reader = new FrameReader(options.delimiter);
  let headChecked = false; // the unfinished frame's prefix was seen whole and right
  let broken = false;

  const violate = (reason: string, cause?: unknown): void => {
    if (broken) return;
    broken = true;
    options.onViolation(reason, cause);
  };

  const tooLarge = (size: number): boolean => {
    if (size <= limit) return false;
    violate(
      before === ''
        ? `frame over maxMessageSize (${limit})`
        : `frame over ${limit} characters${before}`,
    );
    return true;
  };

  const badHead = (head: string): boolean => {
    if (PREFIX.startsWith(head)) return false;
    violate(`malformed frame starting ${JSON.stringify(head.slice(0, 40))}`);
    return true;
  };

  const deliver = (text: string): boolean => {
    headChecked = false;
    if (tooLarge(text.length) || badHead(text.slice(0, PREFIX.length))) return false;
    if (!text.startsWith(PREFIX)) {
      violate('truncated frame');
      return false;
    }
    // Only the batch is parsed: the prefix was checked character by character,
    // and a frame that ends with `]}` is `{"type":"m","data":[…]}` exactly when
    // its middle parses as an array (a duplicate key, which could rename the
    // event, cannot hide in it); no wrapper object, no key check.
    if (!text.endsWith(SUFFIX)) {
      violate('unreadable frame: it does not end its batch with "]}"');
      return false;
    }
    let data: unknown[];
    try {
      data = JSON.parse(text.slice(PREFIX.length - 1, text.length - 1)) as unknown[];
    } catch (err) {
      violate('unreadable frame', err);
      return false;
    }
    try {
      options.onBatch(data);
    } catch (err) {
      violate('batch rejected', err);
    }
    return !broken && !socket.destroyed;
  };

  socket.on('data', (chunk: string) => {
    if (broken || !reader.feed(chunk, deliver) || broken) return;
    const size = reader.pendingSize;
    if (size === 0 || tooLarge(size) || headChecked) return;
    const head = reader.head(PREFIX.length);
    if (!badHead(head)) headChecked = head.length === PREFIX.length;
  });
  return {
    handshaken(): void {
      limit = options.maxMessageSize;
      before = '';
    },
  };
}

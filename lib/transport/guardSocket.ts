/**
 * The hub's framing of a connection, in place of node-ipc's data handler.
 * node-ipc 12 buffers without bound until a chunk happens to end with the
 * delimiter, and dispatches whatever event a frame names. The guard splits
 * frames itself, bounds the unfinished one, reads each with a
 * {@link WireReader} (which refuses anything a WireWriter would not write)
 * and hands the envelopes of each chunk over as one batch; node-ipc never
 * sees a byte from the peer.
 * @module
 */
import type { Socket } from 'node:net';
import { FrameReader } from './FrameReader.js';
import { DELIMITER, KIND, type Envelope } from './protocol.js';
import { WireReader } from './WireReader.js';

/** The characters a frame may start with. */
const KINDS = new Set<string>(Object.values(KIND));

/** What the guard needs to know. */
export interface GuardOptions {
  /** Largest frame accepted, in characters. */
  maxMessageSize: number;
  /**
   * Largest frame accepted before {@link Guard.handshaken} is called, in
   * characters: a peer that has not shaken hands may not make the hub
   * buffer more than this. Until then each envelope is a batch of its own.
   */
  handshakeSize?: number;
  /** Called with the envelopes of every chunk read (one at least). */
  onBatch(envelopes: Envelope[]): void;
  /**
   * Called with the token of a token frame (a direct connection's first);
   * without it, a token frame breaks the protocol.
   */
  onToken?(token: string): void;
  /** Called once with the reason when the peer breaks the protocol. */
  onViolation(reason: string, cause?: unknown): void;
}

/** A guarded connection. */
export interface Guard {
  /** The peer shook hands: frames up to `maxMessageSize` are accepted from now on. */
  handshaken(): void;
}

/**
 * Take over the `data` events of `socket` from node-ipc.
 *
 * @param socket - a connection the hub just accepted (encoding utf8).
 * @param options - limits, where batches go, what to do on a violation.
 * @returns the guard: call `handshaken()` to lift the handshake's limit.
 * @example
 * ```ts
 * server.on('connect', (socket) => guardSocket(socket, { maxMessageSize, onBatch, onViolation }));
 * ```
 */
export function guardSocket(socket: Socket, options: GuardOptions): Guard {
  socket.removeAllListeners('data');
  let limit = Math.min(options.handshakeSize ?? Infinity, options.maxMessageSize);
  let shaken = limit >= options.maxMessageSize;
  const frames = new FrameReader(DELIMITER);
  const wire = new WireReader();
  let batch: Envelope[] = [];
  let headChecked = false; // the unfinished frame's kind was seen and is known
  let broken = false;

  const violate = (reason: string, cause?: unknown): void => {
    if (broken) return;
    broken = true;
    options.onViolation(reason, cause);
  };

  const tooLarge = (size: number): boolean => {
    if (size <= limit) return false;
    violate(
      shaken
        ? `frame over maxMessageSize (${limit})`
        : `frame over ${limit} characters before its handshake`,
    );
    return true;
  };

  /** Hand the batch over; `false` when the connection is done. */
  const flush = (): boolean => {
    if (batch.length === 0) return true;
    const envelopes = batch;
    batch = [];
    try {
      options.onBatch(envelopes);
    } catch (err) {
      violate('batch rejected', err);
    }
    return !broken && !socket.destroyed;
  };

  const deliver = (frame: string): boolean => {
    headChecked = false;
    if (tooLarge(frame.length)) return false;
    let read: Envelope | string | undefined;
    try {
      read = wire.read(frame);
    } catch (err) {
      violate((err as Error).message);
      return false;
    }
    if (read === undefined) return true;
    if (typeof read === 'string') {
      if (options.onToken === undefined) {
        violate('a token frame on a connection that takes none');
        return false;
      }
      // What came before the token is handled first.
      if (!flush()) return false;
      try {
        options.onToken(read);
      } catch (err) {
        violate('token rejected', err);
      }
      return !broken && !socket.destroyed;
    }
    batch.push(read);
    return shaken || flush();
  };

  socket.on('data', (chunk: string) => {
    if (broken) return;
    const fed = frames.feed(chunk, deliver);
    if (!fed || broken || !flush()) return;
    const size = frames.pendingSize;
    if (size === 0 || tooLarge(size) || headChecked) return;
    const kind = frames.head(1);
    if (KINDS.has(kind)) headChecked = true;
    else violate(`malformed frame starting ${JSON.stringify(frames.head(40))}`);
  });
  return {
    handshaken(): void {
      limit = options.maxMessageSize;
      shaken = true;
    },
  };
}

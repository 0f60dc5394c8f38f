/**
 * A lingering close: reading (and dropping) what a client still sends on a
 * connection the server closes, so that the client reads the answer.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** How long a connection closed under a request body still coming goes on reading, in ms. */
export const LINGER_MS = 2_000;
/** How much of such a body is read (and dropped) at most, in bytes. */
export const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * Close `socket` once the answer to `req` is written, without resetting a
 * client that is still sending its body: the rest of the body is read and
 * dropped (up to {@link LINGER_BYTES}), the connection is half-closed, and
 * destroyed when the client closes it or after {@link LINGER_MS}. Node
 * would destroy it at once, under a client still sending: the client then
 * gets a reset (EPIPE) instead of the answer (a 413, a 401…).
 *
 * @param req - the request whose body is not wanted.
 * @param socket - its connection.
 * @example
 * ```ts
 * socket.destroySoon = () => (req.complete ? destroy() : linger(req, socket));
 * ```
 */
export function linger(req: IncomingMessage, socket: Socket): void {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) socket.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(timer));
}

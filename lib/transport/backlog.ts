/**
 * The bound on what waits unread for an actor: a connection (a socket, a
 * thread's port) refuses new requests once twice `maxMessageSize` waits to
 * be written or read, so that a receiver slower than its senders cannot
 * make them buffer without end.
 * @module
 */
import { BackpressureError } from '../errors.js';
import { isRequest, type Envelope } from './protocol.js';

/**
 * Requests never refused: the actors' own `notify` (handshake, heartbeats)
 * and `stop`, small, whose loss would kill an actor, not slow its sender
 * down; and a task queue's `task_run`, which its dispatcher bounds already
 * (a few credits per worker) and which, refused, would fail a task that a
 * later send would have run. Replies are never refused either: they answer
 * what the peer asked for.
 */
const NEVER_REFUSED: ReadonlySet<string> = new Set(['notify', 'stop', 'task_run']);

/**
 * Refuse a request while what waits for its peer reaches twice `maxSize`.
 *
 * @param env - the envelope about to be sent.
 * @param unsent - what waits already, in characters or bytes.
 * @param maxSize - the connection's `maxMessageSize` (`Infinity`: no bound).
 * @param where - what it waits for, for the message (`written to its connection`).
 * @throws BackpressureError when it is a request, not a control one, and too much waits.
 * @example
 * ```ts
 * checkBacklog(env, socket.writableLength, 64 << 20, 'written to its connection');
 * ```
 */
export function checkBacklog(env: Envelope, unsent: number, maxSize: number, where: string): void {
  if (unsent < 2 * maxSize || !isRequest(env) || NEVER_REFUSED.has(env.cmd)) return;
  throw new BackpressureError(
    `request "${env.cmd}" to ${env.to} not sent: ${unsent} bytes wait to be ${where} already, ` +
      `twice maxMessageSize (${maxSize}): it does not read as fast as it is sent to`,
  );
}

/**
 * A connection between the arbiter and one actor, whatever carries it: a
 * node-ipc socket (process actors; untrusted bytes, guarded by the hub) or
 * a `MessagePort` (thread actors; trusted code of the same process). The
 * router routes, forwards and fails requests through this interface only.
 * @module
 */
import type { Envelope } from './protocol.js';

/** The arbiter's end of an actor's connection. */
export interface Link {
  /** `socket` (node-ipc) or `port` (a thread's MessagePort). */
  readonly kind: 'socket' | 'port';
  /** `true` once the connection is gone. */
  readonly closed: boolean;
  /**
   * Queue an envelope: envelopes of one tick leave together.
   * @throws MessageTooLargeError when the envelope alone is over `maxMessageSize`.
   * @throws BackpressureError when it is a request and the actor has twice
   *   `maxMessageSize` unread already (see `checkBacklog`).
   */
  send(env: Envelope): void;
  /** Drop a peer that broke the protocol, and log why. */
  reject(reason: string): void;
  /** Close the connection. */
  close(): void;
}

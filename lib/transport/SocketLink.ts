/**
 * The {@link Link} of a process actor: its node-ipc socket on the hub.
 * @module
 */
import type { Socket } from 'node:net';
import type { Hub } from './Hub.js';
import type { Link } from './Link.js';
import type { Envelope } from './protocol.js';

/**
 * A hub connection as a {@link Link}.
 *
 * @example
 * ```ts
 * const link = new SocketLink(hub, socket);
 * link.send(envelope);
 * ```
 */
export class SocketLink implements Link {
  readonly kind = 'socket';

  /**
   * @param hub - the hub the socket belongs to.
   * @param socket - the actor's connection.
   */
  constructor(
    private readonly hub: Hub,
    readonly socket: Socket,
  ) {}

  /** `true` once the socket is destroyed. */
  get closed(): boolean {
    return this.socket.destroyed;
  }

  /** @param env - batched per tick, in frames within `maxMessageSize`. */
  send(env: Envelope): void {
    this.hub.send(this.socket, env);
  }

  /** @param reason - logged by the hub (bursts summed up). */
  reject(reason: string): void {
    this.hub.reject(this.socket, reason);
  }

  /** Destroy the socket. */
  close(): void {
    this.socket.destroy();
  }
}

/**
 * The Deferred of a reply: what `send()` returns.
 * @module
 */
import { Deferred } from '../async/Deferred.js';

/**
 * A request in flight: a `Deferred` of the target's reply, carrying the
 * message id and target. Awaiting it gives the command's result or throws
 * the remote error (rebuilt with its class, code and remote stack).
 *
 * @example
 * ```ts
 * const msg = send('arbiter', 'ping');
 * console.log(msg.id, await msg); // 1 'pong'
 * ```
 */
export class ActorMessage<T = unknown> extends Deferred<T> {
  /**
   * @param id - message id, unique per sender.
   * @param target - aid or name the request went to.
   * @param command - the command name.
   */
  constructor(
    readonly id: number,
    readonly target: string,
    readonly command: string,
  ) {
    super();
  }
}

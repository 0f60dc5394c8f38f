/**
 * The local stand-in of a remote actor.
 * @module
 */
import { Deferred } from '../async/Deferred.js';
import type { WorkerHandle } from '../concurrency/WorkerHandle.js';
import type { ActorMessage } from './ActorMessage.js';
import { requireActor } from './current.js';

/**
 * A handle on another actor: its aid and name, what it last reported, and
 * `send()`. In the arbiter it also owns the child's process or thread.
 *
 * @example
 * ```ts
 * const proxy = await spawn({ name: 'greeter' });
 * await proxy.send('ping'); // 'pong'
 * await proxy.stop();
 * ```
 */
export class ActorProxy {
  /** Its pid (the arbiter's pid for a thread). */
  pid: number | undefined;
  /** Its thread id, for a thread actor. */
  threadId: number | undefined;
  /** The last `info` it sent with a `notify`. */
  info: Record<string, unknown> = {};
  /** When its last `notify` arrived (ms since the epoch; 0: never). */
  lastNotified = 0;
  /** The child process or thread (arbiter side only). @internal */
  worker: WorkerHandle | undefined;
  /** @internal How the owner stops it. */
  stopper: (() => Promise<void>) | undefined;

  /**
   * @param aid - the actor id.
   * @param name - its name.
   * @param concurrency - `process` or `thread`.
   */
  constructor(
    readonly aid: string,
    readonly name: string,
    readonly concurrency: 'process' | 'thread',
  ) {}

  /**
   * Send it a command (from the current actor).
   * @param action - the command.
   * @param args - its arguments.
   * @returns the Deferred of the reply.
   */
  send(action: string, ...args: unknown[]): ActorMessage {
    return requireActor('ActorProxy.send()').send(this, action, ...args);
  }

  /**
   * Send it a command and expect no reply (from the current actor; see
   * `Actor.tell()`).
   * @param action - the command.
   * @param args - its arguments.
   * @returns a Deferred fired once the message is on its way (or with the
   *   error when it cannot travel).
   */
  tell(action: string, ...args: unknown[]): ActorMessage {
    return requireActor('ActorProxy.tell()').tell(this, action, ...args);
  }

  /**
   * Stop it gracefully (forced after its `exitTimeout`); resolves once it exited.
   * @returns a promise fired after the exit.
   */
  async stop(): Promise<void> {
    if (this.stopper !== undefined) return this.stopper();
    await requireActor('ActorProxy.stop()').send('arbiter', 'kill_actor', this.aid);
  }

  /** @returns the identity, as sent over the wire. */
  toJSON(): Record<string, unknown> {
    return {
      aid: this.aid,
      name: this.name,
      concurrency: this.concurrency,
      pid: this.pid,
      threadId: this.threadId,
    };
  }
}

/**
 * What `spawn()` returns: the Deferred of the proxy, whose `aid` and `name`
 * are known at once.
 *
 * @example
 * ```ts
 * const d = spawn({ name: 'w' });
 * console.log(d.aid); // known before the actor runs
 * const proxy = await d;
 * ```
 */
export class ActorProxyDeferred extends Deferred<ActorProxy> {
  /**
   * @param aid - the aid of the actor being spawned.
   * @param name - its name.
   */
  constructor(
    readonly aid: string,
    readonly name: string,
  ) {
    super();
  }
}

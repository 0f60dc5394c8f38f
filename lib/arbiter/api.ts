/**
 * The module-level API: `arbiter()`, `spawn()`, `send()`, `command()`.
 * @module
 */
import { InvalidStateError } from '../errors.js';
import type { Target } from '../actor/types.js';
import type { ActorMessage } from '../actor/ActorMessage.js';
import { ActorProxy, ActorProxyDeferred } from '../actor/ActorProxy.js';
import { newAid } from '../actor/aid.js';
import { Arbiter, type ArbiterOptions } from './Arbiter.js';
import { checkSpawnParams } from '../actor/checkSpawnParams.js';
import { getActor, requireActor, setActor } from '../actor/current.js';
import type { CommandHandler, CommandOptions, SpawnParams } from '../actor/types.js';

/**
 * The arbiter of the main process, created on first call (later calls
 * return it, and ignore `options`). Start it with `start()`.
 *
 * @param options - name, timeouts, hub limits, hooks.
 * @returns the arbiter.
 * @example
 * ```ts
 * const a = arbiter();
 * await a.start();
 * ```
 */
export function arbiter(options?: ArbiterOptions): Arbiter {
  const current = getActor();
  if (current instanceof Arbiter) return current;
  if (current !== undefined) {
    throw new InvalidStateError(
      `arbiter() called in actor ${current.name}: only the main process has one`,
    );
  }
  const created = new Arbiter(options);
  setActor(created);
  return created;
}

/**
 * Spawn an actor, from the arbiter or from any actor (which asks the arbiter).
 *
 * @param params - name, concurrency, hooks, commands, module, timeouts, free-form params.
 * @returns the Deferred of its proxy; `aid` is known at once.
 * @example
 * ```ts
 * const proxy = await spawn({ name: 'greeter', concurrency: 'thread', module: '../actor/greeter.js' });
 * ```
 */
export function spawn(params: SpawnParams = {}): ActorProxyDeferred {
  const actor = requireActor('spawn()');
  if (actor instanceof Arbiter) return actor.spawn(params);
  const aid = params.aid ?? newAid();
  const name = params.name ?? 'actor';
  const deferred = new ActorProxyDeferred(aid, name);
  try {
    params = checkSpawnParams(params, name);
  } catch (err) {
    deferred.errback(err);
    return deferred;
  }
  const all = actor.prepareParams({ ...params, aid });
  actor.send('arbiter', 'spawn', all).addCallbacks(
    (info) => {
      const proxy = new ActorProxy(aid, name, params.concurrency ?? 'process');
      const { pid, threadId } = info as { pid?: number; threadId?: number };
      proxy.pid = pid;
      proxy.threadId = threadId;
      deferred.callback(proxy);
    },
    (err: unknown) => {
      deferred.errback(err);
    },
  );
  return deferred;
}

/**
 * Send a command from the current actor.
 *
 * @param target - an aid, a name (`'arbiter'`, a monitor's name) or a proxy.
 * @param action - the command.
 * @param args - its arguments.
 * @returns the Deferred of the reply.
 * @example
 * ```ts
 * await send(proxy, 'echo', 'hi'); // 'hi'
 * ```
 */
export function send(target: Target, action: string, ...args: unknown[]): ActorMessage {
  return requireActor('send()').send(target, action, ...args);
}

/**
 * Register a command on the current actor.
 *
 * @param name - the command name.
 * @param handler - receives the actor, then the caller's arguments.
 * @param options - `ack: false` for fire-and-forget commands.
 * @example
 * ```ts
 * command('greet', (actor, who: string) => `hello ${who}`);
 * ```
 */
export function command(name: string, handler: CommandHandler, options?: CommandOptions): void {
  requireActor('command()').command(name, handler, options);
}

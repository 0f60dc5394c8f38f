/**
 * The commands every actor answers.
 * @module
 */
import { ImproperlyConfiguredError } from '../errors.js';
import type { Actor } from './Actor.js';
import type { CommandHandler, CommandOptions } from './types.js';

/**
 * Built-in commands: `ping` (→ `'pong'`), `echo` (its argument back, or the
 * list of them), `info`, `notify` (heartbeat; no reply), `run` (a
 * self-contained function run here with the actor first), `stop` (answers,
 * then stops gracefully). The arbiter adds `spawn` and `kill_actor`.
 *
 * @example
 * ```ts
 * await send(proxy, 'run', (actor, x) => actor.name + x, '!'); // 'greeter!'
 * ```
 */
export const builtinCommands: Record<string, CommandHandler<Actor>> = {
  ping: () => 'pong',
  echo: (_actor, ...args: unknown[]) => (args.length === 1 ? args[0] : args),
  info: (actor) => actor.info(),
  notify: () => undefined,
  run: (actor, fn: unknown, ...args: unknown[]) => {
    if (typeof fn !== 'function') {
      throw new ImproperlyConfiguredError('run needs a function as first argument');
    }
    return (fn as (a: Actor, ...rest: unknown[]) => unknown)(actor, ...args);
  },
  stop: (actor) => {
    setImmediate(() => void actor.stop());
    return 'stopping';
  },
};

/**
 * The options of the built-in commands, declared with them: `notify` is
 * fire-and-forget (`ack: false`), the others answer. Senders say for
 * themselves whether they wait for a reply ({@link Actor.send} or
 * {@link Actor.tell}); nothing is inferred from a command's name.
 *
 * @example
 * ```ts
 * builtinCommandOptions['notify']; // { ack: false }
 * ```
 */
export const builtinCommandOptions: Readonly<Record<string, CommandOptions>> = Object.freeze({
  notify: Object.freeze({ ack: false }),
});

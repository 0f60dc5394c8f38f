/**
 * Hooks and commands of a spawned actor: from its `module` (imported in the
 * child, so it may import anything) and from functions sent by source.
 * @module
 */
import { decode } from '../codec/decode.js';
import type { Actor } from '../actor/Actor.js';
import type { ActorHooks, CommandHandler } from '../actor/types.js';

/** Hooks and commands, ready to give an actor. */
export interface Behaviour {
  hooks: ActorHooks<Actor>;
  commands: Record<string, CommandHandler>;
}

const HOOKS = ['start', 'stopping', 'periodicTask', 'onInfo', 'onParams'] as const;

function pick(source: Record<string, unknown>): Behaviour {
  const hooks: Record<string, unknown> = {};
  for (const name of HOOKS) if (typeof source[name] === 'function') hooks[name] = source[name];
  const commands = source['commands'];
  return {
    hooks: hooks,
    commands:
      typeof commands === 'object' && commands !== null
        ? (commands as Record<string, CommandHandler>)
        : {},
  };
}

/**
 * Load a behaviour: the module's exports first (named, or a default export
 * object), then functions given inline, which win on a clash.
 *
 * @param moduleUrl - file URL of the behaviour module, if any.
 * @param encoded - the encoded `{ hooks, commands }` of the spawn parameters.
 * @returns the hooks and commands.
 * @example
 * ```ts
 * const { hooks, commands } = await loadBehaviour(data.module, data.behaviour);
 * ```
 */
export async function loadBehaviour(
  moduleUrl: string | undefined,
  encoded: unknown,
): Promise<Behaviour> {
  let fromModule: Behaviour = { hooks: {}, commands: {} };
  if (moduleUrl !== undefined) {
    const mod = (await import(moduleUrl)) as Record<string, unknown>;
    const dflt = mod['default'];
    fromModule = pick(typeof dflt === 'object' && dflt !== null ? { ...mod, ...dflt } : mod);
  }
  const inline = pick((decode(encoded) ?? {}) as Record<string, unknown>);
  return {
    hooks: { ...fromModule.hooks, ...inline.hooks },
    commands: { ...fromModule.commands, ...inline.commands },
  };
}
